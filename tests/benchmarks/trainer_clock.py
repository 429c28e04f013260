"""Timing a session against its bare trainer.

``timing``: the wall time a session spends inside its trainer's batch calls, so that a
benchmark can split a phase's time, in the same run, into the trainer's and the session's own
(events, validation, snapshots, checkpoints, the control): a figure that a shared machine's
noise between separate runs does not swamp. ``settle``: a pause before each timed run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


def settle(seconds: float = 2.0) -> None:
    """Let the last run's worker threads go idle before the next is timed: OpenBLAS's and
    TensorFlow's spin for a while after their work, and a run started at once shares the
    cores with them (bench_rbm's session, timed just after scikit-learn, lost 20% to the bare
    trainer timed after it; with this pause, 2%)."""
    time.sleep(seconds)


class BatchClock:
    """Seconds spent in ``run`` calls of the trainer class while ``timing`` it."""

    def __init__(self) -> None:
        self.seconds = 0.0


@contextmanager
def timing(trainer_class) -> Iterator[BatchClock]:
    clock = BatchClock()
    original = trainer_class.run

    def run(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            clock.seconds += time.perf_counter() - start

    trainer_class.run = run
    try:
        yield clock
    finally:
        trainer_class.run = original


def own_share(phase_seconds: float, batch_seconds: float) -> float:
    """The session's own time in a phase over its trainer's: (phase - batches) / batches."""
    return (phase_seconds - batch_seconds) / batch_seconds
