"""Hands what plain Python threads produce to the GUI thread, without cross-thread signals."""

from __future__ import annotations

import threading
from collections import deque

from PySide6.QtCore import QObject, QTimer, Slot


class Mailbox(QObject):
    """Hands what a plain Python thread produces to the GUI thread without a cross-thread
    signal: the thread appends to a deque, a QTimer in the GUI thread drains it.

    superqt's workers emit each result as a Python object through a queued signal; with
    TensorFlow training in the pool thread that crashed the process here (segfaults inside
    TensorFlow, in a second run), while the same runs on plain threads did not. Draining at
    ``POLL_MS`` also bounds how often the GUI hears from a busy worker.
    """

    POLL_MS = 20

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._box: deque = deque()
        self._threads = 0
        self._lock = threading.Lock()
        self._timer = QTimer(self)
        self._timer.setInterval(self.POLL_MS)
        self._timer.timeout.connect(self._drain)

    def _spawn(self, target, *args) -> None:
        with self._lock:
            self._threads += 1
        thread = threading.Thread(target=self._run, args=(target, *args), daemon=True)
        thread.start()
        if not self._timer.isActive():
            self._timer.start()

    def _run(self, target, *args) -> None:
        try:
            target(*args)
        finally:
            with self._lock:
                self._threads -= 1

    def _post(self, item) -> None:  # any thread
        self._box.append(item)

    @Slot()
    def _drain(self) -> None:
        while self._box:
            self._deliver(self._box.popleft())
        with self._lock:
            idle = self._threads == 0
        if idle and not self._box:
            self._timer.stop()
            self._idle()

    def _deliver(self, item) -> None:
        raise NotImplementedError

    def _idle(self) -> None:
        pass
