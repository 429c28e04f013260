"""This machine's speed at training: the seconds a phase's cost units (:mod:`core.training.cost`)
take here.

Its starting point is a micro-benchmark of a few milliseconds (numpy matrix products for the
arithmetic, a plain Python loop for the set-up work of tracing and dispatching), measured once
per machine and kept in the cache folder. Against the figures measured where the constants
below were fitted, it scales them to this machine; the benchmark takes the machine's speed
alone, so a busy machine's time is stretched by its load (``contention``). Earlier runs on
this machine correct it (:mod:`core.training.run_speed`).
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, replace
from typing import Any

from core.training.cost import PhaseCost

SPEED_FILE = "machine-speed.json"
SPEED_VERSION = 1

# Fitted on a 2-core x86-64 machine (TensorFlow's CPU kernels) over the built-in templates with
# short settings, under a load of about 11 (contention 5.5); the micro-benchmark there gave
# these two figures.
REFERENCE_MATMUL = 8.6e10  # numpy float32 operations per second, one core
REFERENCE_PYTHON = 4.0e7  # loop iterations per second
TRAINING_EFFICIENCY = 2.4  # TensorFlow's rate over the benchmark's (it uses every core)
# Pretraining that updates the weights by its own rule (contrastive divergence): a small step
# to trace, no optimizer. The other phases go through a Keras optimizer or, up-down, trace as
# much.
OWN_UPDATES = ("rbm", "conv-rbm", "rnn-rbm")


@dataclass(frozen=True)
class MachineSpeed:
    """Seconds per cost unit, on the machine alone. ``corrected`` scales set-up and epoch
    times apart when earlier runs tell (compiling is Python-bound, epochs mostly arithmetic)."""

    ops_per_second: float
    setup_own: float  # making a trainer of its own updates, tracing its step
    setup_optimizer: float  # making a trainer with a Keras optimizer, tracing its step
    setup_per_layer: float  # the step traces every layer it trains
    setup_recurrent: float  # a recurrent layer's loop and its gradient through time
    batch_own: float  # dispatch and bookkeeping of one batch inside a compiled loop
    batch_optimizer: float  # the same with an optimizer's update of every weight
    per_time_step: float  # one step of a recurrent layer's loop, per batch
    per_epoch: float  # the epoch's chunks, validation call, snapshot, checkpoint
    finish: float  # evaluating and saving the model at the end

    def setup_seconds(self, cost: PhaseCost) -> float:
        base = self.setup_own if cost.method in OWN_UPDATES else self.setup_optimizer
        traced = self.setup_per_layer * cost.layers + self.setup_recurrent * cost.recurrent
        return base + traced + cost.setup_ops / self.ops_per_second

    def epoch_seconds(self, cost: PhaseCost) -> float:
        batch = self.batch_own if cost.method in OWN_UPDATES else self.batch_optimizer
        batches = cost.batches * (batch + cost.time_steps * self.per_time_step)
        return batches + (cost.train_ops + cost.val_ops) / self.ops_per_second + self.per_epoch

    def phase_seconds(self, cost: PhaseCost) -> float:
        if cost.epochs <= 0:
            return 0.0
        return self.setup_seconds(cost) + cost.epochs * self.epoch_seconds(cost)

    def run_seconds(self, costs: list[PhaseCost]) -> float:
        return sum(self.phase_seconds(c) for c in costs) + self.finish

    def corrected(self, setup: float, epoch: float, finish: float) -> MachineSpeed:
        """The same machine with set-up, epoch and finishing times multiplied as given."""
        return replace(
            self,
            ops_per_second=self.ops_per_second / epoch,
            setup_own=self.setup_own * setup,
            setup_optimizer=self.setup_optimizer * setup,
            setup_per_layer=self.setup_per_layer * setup,
            setup_recurrent=self.setup_recurrent * setup,
            batch_own=self.batch_own * epoch,
            batch_optimizer=self.batch_optimizer * epoch,
            per_time_step=self.per_time_step * epoch,
            per_epoch=self.per_epoch * epoch,
            finish=self.finish * finish,
        )


def machine_speed(cache: Any = None) -> MachineSpeed:
    """This machine's speed alone, from its micro-benchmark (measured now when none is kept)."""
    matmul, python = benchmark(cache)
    slower = REFERENCE_PYTHON / python  # > 1 on a machine slower than the reference
    return MachineSpeed(
        ops_per_second=TRAINING_EFFICIENCY * matmul,
        setup_own=0.05 * slower,
        setup_optimizer=0.5 * slower,
        setup_per_layer=0.1 * slower,
        setup_recurrent=1.5 * slower,
        batch_own=1.5e-4 * slower,
        batch_optimizer=6.0e-4 * slower,
        per_time_step=1.0e-4 * slower,
        per_epoch=0.02 * slower,
        finish=0.2 * slower,
    )


def contention() -> float:
    """How many times slower than alone work runs now: the runnable threads per core over the
    last minute (the load average), at least 1; 1 where the system does not tell."""
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every system
        return 1.0
    return max(1.0, load / max(1, os.cpu_count() or 1))


def benchmark(cache: Any = None) -> tuple[float, float]:
    """(matrix operations per second, Python loop iterations per second) of this machine:
    kept in ``cache`` (a folder; default the cache folder) per machine, measured once."""
    path = _speed_path(cache)
    machine = machine_key()
    kept = _read_kept(path, machine)
    if kept is not None:
        return kept
    figures = measure_matmul(), measure_python()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        from core import fileio

        doc = {"version": SPEED_VERSION, "machine": machine}
        doc.update(matmul=figures[0], python=figures[1], measured=time.time())
        fileio.write_json(path, doc)
    except OSError:
        pass  # an unwritable cache costs the few milliseconds again next time
    return figures


def machine_key() -> str:
    return "|".join((platform.node(), platform.machine(), str(os.cpu_count())))


# The best of many short repeats: on a busy machine most repeats are slowed by other work, the
# best is the machine's own speed (what earlier runs then correct for the usual load).
REPEATS = 24


def measure_matmul(size: int = 64) -> float:
    """numpy float32 matrix-product operations per second, on one core: a product this small
    runs on the calling thread (larger ones start a thread pool that a busy machine stalls)."""
    import numpy as np

    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    a @ a  # noqa: B018 - the first product sets the library up
    best = float("inf")
    for _ in range(REPEATS):
        began = time.perf_counter()
        a @ a  # noqa: B018 - timed
        best = min(best, time.perf_counter() - began)
    return 2.0 * size**3 / max(best, 1e-9)


def measure_python(loops: int = 10_000) -> float:
    """Plain Python loop iterations per second."""
    best = float("inf")
    for _ in range(REPEATS):
        began = time.perf_counter()
        total = 0
        for i in range(loops):
            total += i & 7
        best = min(best, time.perf_counter() - began)
    return loops / max(best, 1e-9)


def _speed_path(cache: Any):
    from pathlib import Path

    if cache is None:
        from core.data.cache import cache_root

        cache = cache_root()
    return Path(cache) / SPEED_FILE


def _read_kept(path: Any, machine: str) -> tuple[float, float] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("version") != SPEED_VERSION or doc.get("machine") != machine:
            return None
        matmul, python = float(doc["matmul"]), float(doc["python"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None  # missing or damaged: measured again
    if not (matmul > 0 and python > 0) or matmul == float("inf") or python == float("inf"):
        return None
    return matmul, python
