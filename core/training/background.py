"""Writing a run's files off the training thread: checkpoints, snapshot files and TensorBoard
summaries are handed over as arrays already copied, and one thread writes them in order while
the next batches train (a checkpoint's fsync and a histogram cost 20–100 ms an epoch on a
loaded machine; the compiled batches hold no Python lock, so they run meanwhile).

The first failed write is kept and raised in the training thread at the next ``submit`` or
``drain``; the jobs after it are skipped, so nothing written later can name a file that is
missing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any


class BackgroundWriter:
    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]] | None] = queue.Queue()
        self._error: BaseException | None = None
        self._failed = False
        self._thread = threading.Thread(target=self._work, name="layerwise-writer", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if not self._failed:
                    write, args = job
                    write(*args)
            except BaseException as exc:  # noqa: BLE001 - handed to the training thread
                self._failed, self._error = True, exc
            finally:
                self._jobs.task_done()

    def submit(self, write: Callable[..., Any], *args: Any) -> None:
        """Run ``write(*args)`` on the writer thread, after the jobs before it."""
        self.raise_failure()
        self._jobs.put((write, args))

    def drain(self) -> None:
        """Wait until every job submitted so far has run; raise the first failure."""
        self._jobs.join()
        self.raise_failure()

    def raise_failure(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise error

    def close(self) -> None:
        """Finish the jobs and end the thread; a failure is dropped (the run has ended)."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join()
        self._error = None
