"""What every phase trainer offers the session, and the helpers they share.

A phase trainer runs one phase (pretraining one block, or fine-tuning) a chunk of batches at a
time: ``run(epoch, start, count)`` does at most ``count`` batches from batch ``start`` of the
epoch and returns how many it did (fewer when interrupted) and their metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np


def batch_plan(n: int, batch_size: int) -> tuple[int, int]:
    """(batch size, batches per epoch): full batches only (the last partial one is dropped,
    reshuffled every epoch); a set smaller than a batch is one batch."""
    if n <= batch_size:
        return max(n, 1), 1
    return batch_size, n // batch_size


def permutation(n: int, seed: int, epoch: int) -> np.ndarray:
    """The epoch's order: a function of (seed, epoch) only, so a resumed run sees the same."""
    return np.random.default_rng([int(seed) & 0x7FFFFFFF, int(epoch)]).permutation(n)


@dataclass(frozen=True)
class PhaseData:
    """What a phase trainer is given: its arrays (labels when fine-tuning a classifier), its
    settings, its seeds and the session's interrupt flag."""

    x_train: np.ndarray
    x_val: np.ndarray
    settings: Mapping[str, Any]
    seed: int  # the trainer's own random numbers
    interrupt: Any  # a tf.Variable(bool): True cuts a compiled chunk short after its batch
    shuffle_seed: int  # the epochs' order (see ``permutation``)
    y_train: np.ndarray | None = None
    y_val: np.ndarray | None = None
    copies: int = 1  # rows per training sample (i, i + n, …): a label fraction keeps them together


class PhaseTrainer:
    """The constructor every trainer shares (arrays as float32, the batch plan, the epoch's
    order as a variable a compiled step reads) and the accumulated epoch metrics."""

    method = "?"
    # The compiled loop a trainer makes (compile_chunk), or its compiled single step
    # (run_per_batch), set by the trainers that use them.
    _chunk: Any
    _step: Any

    def __init__(self, data: PhaseData) -> None:
        import tensorflow as tf

        self.tf = tf
        self.settings = data.settings
        self.interrupt = data.interrupt
        self.shuffle_seed = data.shuffle_seed
        self.x_train = np.ascontiguousarray(data.x_train, dtype=np.float32)
        self.x_val = np.ascontiguousarray(data.x_val, dtype=np.float32)
        self.n = len(self.x_train)
        self.batch_size, self.steps_per_epoch = batch_plan(self.n, int(data.settings["batch_size"]))
        # batches per run() call: the session checks its control between calls
        self.chunk = max(1, self.steps_per_epoch // 10)
        self.order = tf.Variable(
            tf.zeros([self.steps_per_epoch * self.batch_size], tf.int32), trainable=False
        )
        self.reset_accumulators()

    def begin_epoch(self, epoch: int) -> None:
        order = permutation(self.n, self.shuffle_seed, epoch)[
            : self.steps_per_epoch * self.batch_size
        ]
        self.order.assign(order.astype(np.int32))

    def reset_accumulators(self) -> None:
        self._sums: dict = {}
        self._count = 0

    def carried(self, name: str | None) -> float:
        """The epoch's running sum of a metric's per-batch values so far (0 for None)."""
        return self._sums.get(name, 0.0) if name is not None else 0.0

    def add_totals(self, totals: dict, steps: int) -> dict:
        """Record a call of ``steps`` batches by each metric's running sum after it: its
        per-batch values added one batch after another in float64, carried from call to call
        (``carried``). An epoch's figures are then the same however its batches were cut into
        calls, which the session sizes by time. Returns the call's own means."""
        means = {k: (float(v) - self.carried(k)) / steps for k, v in totals.items()}
        self._sums.update({k: float(v) for k, v in totals.items()})
        self._count += steps
        return means

    def accumulators(self) -> dict:
        return {"sums": dict(self._sums), "count": self._count}

    def restore_accumulators(self, saved: dict) -> None:
        self._sums = dict(saved.get("sums", {}))
        self._count = int(saved.get("count", 0))

    def train_metrics(self) -> dict:
        if not self._count:
            return {}
        return {k: v / self._count for k, v in self._sums.items()}

    # to override
    def run(self, epoch: int, start: int, count: int):
        raise NotImplementedError

    # ---- running a chunk of gradient steps -------------------------------------------------

    def compile_chunk(self, step) -> Any:
        """One ``tf.function`` running ``step(batch_index) -> (loss, metric)`` for up to
        ``count`` batches from ``start`` in a ``tf.while_loop`` that also reads the interrupt
        flag: one call and one host sync a chunk instead of a dispatch and a sync a batch (the
        per-batch loop was slower than Keras ``fit``). Returns (batches done, loss sum,
        metric sum): float64 running sums, from the ``loss0`` and ``metric0`` given."""
        tf = self.tf

        def chunk(start, count, loss0, metric0):
            def cond(i, loss_sum, metric_sum):
                return tf.logical_and(i < count, tf.logical_not(self.interrupt))

            def body(i, loss_sum, metric_sum):
                loss, metric = step(start + i)
                loss_sum += tf.cast(loss, tf.float64)
                return i + 1, loss_sum, metric_sum + tf.cast(metric, tf.float64)

            return tf.while_loop(
                cond, body, (tf.constant(0), loss0, metric0), parallel_iterations=1
            )

        # the loop is written with tf.while_loop already: AutoGraph would only add its
        # conversion (a third of a second the first time in a process)
        return tf.function(chunk, autograph=False)

    def run_chunk(self, start: int, count: int, names: tuple[str, str | None]) -> tuple[int, dict]:
        """The compiled chunk (``self._chunk``) called: (done, the call's means by name; a
        None name is left out)."""
        tf = self.tf
        done, loss_sum, metric_sum = self._chunk(
            tf.constant(start, tf.int32),
            tf.constant(count, tf.int32),
            *(tf.constant(self.carried(name), tf.float64) for name in names),
        )
        return self._record(int(done), names, (float(loss_sum), float(metric_sum)))

    def run_per_batch(self, start: int, count: int, names: tuple[str, str | None]):
        """One compiled step (``self._step``) a batch, the flag read between batches: the
        distributed trainers' loop (collectives inside a while loop are fragile). Returns
        as ``run_chunk``."""
        done, sums = 0, [self.carried(name) for name in names]
        for i in range(count):
            if i and bool(self.interrupt.numpy()):
                break
            values = self._step(self.tf.constant(start + i, self.tf.int32))
            sums = [total + float(value) for total, value in zip(sums, values, strict=True)]
            done += 1
        return self._record(done, names, sums)

    def _record(self, done: int, names: tuple[str, str | None], sums) -> tuple[int, dict]:
        if not done:
            return 0, {}
        totals = {name: total for name, total in zip(names, sums, strict=True) if name}
        return done, self.add_totals(totals, done)

    def validation_metrics(self) -> dict:
        return {}

    def state_variables(self) -> list:
        return []
