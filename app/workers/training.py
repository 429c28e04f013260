"""A training session on a Python thread of the window's process, delivered to the GUI thread."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.workers.mailbox import Mailbox
from app.workers.session import session_events
from core.training.control import Control
from core.training.events import Failed, Finished, Stopped

SWITCH_INTERVAL_S = float(
    os.environ.get("LAYERWISE_SWITCH_INTERVAL", "0.0005")
)  # at most 20 batch groups a second reach the GUI


class TrainingWorker(Mailbox):
    """Runs ``run_training(project, run_dir, control=..., **kwargs)`` on a Python thread.

    Lives in the GUI thread and emits, in the GUI thread, what the session yields through
    :attr:`event` (events, and :class:`~app.workers.session.BatchGroup` for batches) and
    :attr:`done` once the generator has ended and everything it yielded was delivered.
    """

    event = Signal(object)
    done = Signal()

    def __init__(
        self,
        project,
        run_dir: str,
        *,
        run_fn: Callable | None = None,
        control: Control | None = None,
        parent: QObject | None = None,
        after: Callable | None = None,
        **kwargs,
    ):
        super().__init__(parent)
        self.project = project
        self.run_dir = str(run_dir)
        self.control = control or Control()
        self.kwargs = kwargs
        self.run_fn = run_fn
        self.after = after  # after(run_dir) on the training thread once it finished
        self.final = None  # Finished, Stopped or Failed once seen
        self._done = threading.Event()
        self._done_sent = False

    # Control, from the GUI thread.
    def start(self) -> None:
        # The session's Python code holds the GIL between TensorFlow calls; by default a
        # waiting thread gets it after 5 ms, and every Qt call the GUI makes can wait again.
        # A shorter switch interval keeps the event loop's waits short (see the benchmark).
        if sys.getswitchinterval() > SWITCH_INTERVAL_S:
            sys.setswitchinterval(SWITCH_INTERVAL_S)
        self._spawn(self._work)

    def _work(self) -> None:
        for event in session_events(
            self.run_fn,
            self.project,
            self.run_dir,
            self.control,
            self.kwargs,
            self._done,
            self.after,
        ):
            self._post(event)

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def stop(self) -> None:
        self.control.stop()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the session's generator has returned (True) or the time is up."""
        return self._done.wait(timeout_s)

    @property
    def finished_running(self) -> bool:
        return self._done.is_set()

    # GUI thread.
    def _deliver(self, event) -> None:
        if isinstance(event, Finished | Stopped | Failed):
            self.final = event
        self.event.emit(event)

    def _idle(self) -> None:
        if not self._done_sent:
            self._done_sent = True
            self.done.emit()
