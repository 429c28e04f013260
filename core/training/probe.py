"""How long a run will take when no earlier run tells: a short timing probe on the real data.

Before the first phase, each phase's trainer is made and run for a few batches (the first
call compiles, then calls of growing size up to the trainer's chunk, within a share of
``PROBE_SECONDS``) and its validation timed once. A phase then costs its compilation plus, per
epoch, its batches at the measured rate and its validation. The model's variables (weights and
seed states) are put back afterwards, so the run trains as if no probe had been; the session
refines the figure after every epoch (``EpochMetrics.eta``). Short runs are not probed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from core.training.events import RunEstimate

PROBE_SECONDS = 2.0  # the timed batches of all phases together (compiling comes on top)
# A run of fewer batches is over soon and its first epoch tells: compiling every phase twice
# would cost a large share of it.
PROBE_MIN_BATCHES = 1000


def worth_probing(planned_batches: int) -> bool:
    return planned_batches >= PROBE_MIN_BATCHES


@dataclass(frozen=True)
class PhaseTiming:
    setup: float  # seconds once: making the trainer, compiling its step
    per_batch: float
    per_epoch: float  # validation and the epoch's bookkeeping

    def seconds(self, epochs: int, steps_per_epoch: int) -> float:
        return self.setup + epochs * (steps_per_epoch * self.per_batch + self.per_epoch)


def estimate_run(session: Any) -> RunEstimate:
    """The probe over the session's phases (called before the first; never resumed runs)."""
    variables = list(session.model.variables)
    saved = [v.numpy() for v in variables]
    share = PROBE_SECONDS / max(1, len(session.phases))
    began = time.perf_counter()
    total = 0.0
    pretrained: list[str] = []
    try:
        for index, phase in enumerate(session.phases):
            made = time.perf_counter()
            with session.tf.device(session.device):
                trainer = session._make_trainer(index, phase, pretrained)
                timing = time_phase(trainer, share, time.perf_counter() - made)
            total += timing.seconds(phase.epochs, trainer.steps_per_epoch)
            if phase.pretrains:
                pretrained.append(phase.block)
    finally:
        for variable, value in zip(variables, saved, strict=True):
            variable.assign(value)
    probe = time.perf_counter() - began
    return RunEstimate(seconds=total, basis=f"estimated from a {max(1, round(probe))} s probe")


def time_phase(trainer: Any, budget: float, made: float = 0.0) -> PhaseTiming:
    """Run ``trainer`` for a few batches of its first epoch and time them."""
    steps = trainer.steps_per_epoch
    trainer.begin_epoch(0)
    started = time.perf_counter()
    done, _ = trainer.run(0, 0, 1)  # compiles
    first = time.perf_counter() - started
    step, count, per_batch = done, 1, first
    spent = 0.0
    while done and step < steps and spent < budget:
        count = min(count * 2, max(1, trainer.chunk), steps - step)
        started = time.perf_counter()
        done, _ = trainer.run(0, step, count)
        took = time.perf_counter() - started
        if done:
            per_batch = took / done
        spent += took
        step += done
    started = time.perf_counter()
    trainer.validation_metrics()
    per_epoch = time.perf_counter() - started
    trainer.reset_accumulators()
    return PhaseTiming(
        setup=made + max(0.0, first - per_batch), per_batch=per_batch, per_epoch=per_epoch
    )
