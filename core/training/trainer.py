"""What every phase trainer offers the session, and the helpers they share.

A phase trainer runs one phase (pretraining one block, or fine-tuning) a chunk of batches at a
time: ``run(epoch, start, count)`` does at most ``count`` batches from batch ``start`` of the
epoch and returns how many it did (fewer when interrupted) and their metrics.
"""

from __future__ import annotations

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


class PhaseTrainer:
    method = "?"
    steps_per_epoch = 1
    batch_size = 1
    chunk = None  # batches per run() call; None lets the session choose

    def reset_accumulators(self) -> None:
        self._sums: dict = {}
        self._count = 0

    def accumulate(self, metrics: dict, steps: int) -> None:
        for key, value in metrics.items():
            self._sums[key] = self._sums.get(key, 0.0) + float(value) * steps
        self._count += steps

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
    def begin_epoch(self, epoch: int) -> None:
        pass

    def run(self, epoch: int, start: int, count: int):
        raise NotImplementedError

    def validation_metrics(self) -> dict:
        return {}

    def state_variables(self) -> list:
        return []

    def snapshot(self, examples: np.ndarray | None) -> dict:
        return {}
