"""How often a session does the work an epoch does not need: snapshots, checkpoints and the
weights' TensorBoard histograms.

Each costs tens of milliseconds (copies off the device, a PNG, a histogram of every weight,
an npz written and synced), which is nothing beside a minute-long epoch but a quarter of one
that lasts 0.2 s. So that work is paced by time as well as by epochs: a kind of work is done
at an epoch's end only while all of it done so far in the phase, with its measured cost, stays
under ``SHARE`` of the phase's time; the last epoch of a phase always does all of it. Long
epochs therefore see every snapshot and checkpoint their settings ask for, very short ones
fewer (a checkpoint still every few seconds, and a Stop still writes one at once).

Costs are measured as they happen: the training thread's wall time for what it does itself
(the copies, the views), the writer thread's CPU time for the files it writes (what it takes
from the trainer on a busy machine; waiting on the disk takes nothing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# The share of a phase's wall time its optional work may take; every epoch's validation,
# metrics and events, and the last epoch's snapshot and checkpoint come on top.
SHARE = 0.02
FIRST_GUESS = 0.05  # seconds a kind of work is taken to cost before it has been measured

SNAPSHOT, CHECKPOINT, HISTOGRAMS = "snapshot", "checkpoint", "histograms"


class Cadence:
    """The time budget of one phase's optional work, what each kind of it cost last, and the
    writer its files go through (``submit``, a BackgroundWriter's, timed by kind)."""

    def __init__(
        self,
        writer: Any,
        share: float | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.writer = writer  # a BackgroundWriter
        self.share = SHARE if share is None else share
        self.clock = clock
        self._lock = threading.Lock()
        self._costs: dict[tuple[str, str], float] = {}  # (kind, "main" / "writer") -> seconds
        self._start = clock()
        self._spent = 0.0
        self._active: str | None = None  # the kind the training thread is doing now

    def begin_phase(self) -> None:
        """A new phase: its own budget (the costs measured so far are kept as estimates)."""
        with self._lock:
            self._start = self.clock()
            self._spent = 0.0

    def cost(self, kind: str) -> float:
        """The seconds ``kind`` cost the last time, both threads together."""
        main = self._costs.get((kind, "main"))
        writer = self._costs.get((kind, "writer"), 0.0)
        return FIRST_GUESS if main is None else main + writer

    def spent(self) -> float:
        """Seconds of optional work so far in the phase."""
        return self._spent

    def due(self, kind: str, last: bool = False) -> bool:
        """Whether ``kind`` fits the phase's budget now (always on its ``last`` epoch)."""
        if last:
            return True
        with self._lock:
            budget = self.share * (self.clock() - self._start)
            return self._spent + self.cost(kind) <= budget

    def _add(self, kind: str, part: str, seconds: float) -> None:
        with self._lock:
            self._costs[(kind, part)] = self._costs.get((kind, part), 0.0) + seconds
            self._spent += seconds

    @contextmanager
    def timed(self, kind: str) -> Iterator[None]:
        """Do ``kind`` now: the training thread's part timed by the wall clock, the writer
        jobs it submits meanwhile by the writer thread's CPU."""
        with self._lock:
            self._costs[(kind, "main")] = 0.0
            self._costs[(kind, "writer")] = 0.0
        self._active = kind
        start = self.clock()
        try:
            yield
        finally:
            self._active = None
            self._add(kind, "main", self.clock() - start)

    def submit(self, write: Callable[..., Any], *args: Any) -> None:
        """``write(*args)`` on the writer thread, counted as the kind being done, if any."""
        kind = self._active
        if kind is not None:
            write = self._timed_write(kind, write)
        self.writer.submit(write, *args)

    def _timed_write(self, kind: str, write: Callable[..., Any]) -> Callable[..., Any]:
        def timed_write(*args: Any) -> Any:
            start = time.thread_time()
            try:
                return write(*args)
            finally:
                self._add(kind, "writer", time.thread_time() - start)

        return timed_write


# How long one call of a trainer's compiled loop aims to last. A call costs 1–2 ms of
# dispatch whatever it does (a one-batch call of a classifier's 3 ms batch took 4.7 ms), so
# at a quarter of a second that is under 1% of it, and progress still shows 4 times a second.
CHUNK_SECONDS = 0.25


class ChunkPace:
    """Batches per call of a trainer's compiled loop, sized from the pace of the last call.

    Starts at the trainer's own ``chunk``; 1 stays 1 (with no listener to flip the interrupt
    flag, nothing could cut a longer call short). A Stop or Pause still ends a call after the
    batch it is on: the loop reads the flag every batch."""

    def __init__(
        self,
        first: int,
        seconds: float | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.batches = max(1, int(first))
        self.compiled = self.batches > 1
        self.seconds = CHUNK_SECONDS if seconds is None else seconds
        self.clock = clock
        self._started = clock()

    def start(self) -> None:
        """A call begins now."""
        self._started = self.clock()

    def size(self, left: int) -> int:
        """The batches the next call runs, with ``left`` batches left in the epoch."""
        return max(1, min(self.batches, left))

    def took(self, done: int) -> float:
        """The call since ``start`` ran ``done`` batches: size the next; return its seconds."""
        seconds = self.clock() - self._started
        if self.compiled and done and seconds > 0:
            self.batches = max(1, round(self.seconds * done / seconds))
        return seconds
