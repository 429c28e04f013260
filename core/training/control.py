"""The control object a training session obeys: pause, resume, stop.

Shared between the thread that runs the session and the one that steers it (the GUI or the
CLI's Ctrl-C handler). The session checks it at least once per batch.
"""

from __future__ import annotations

import threading


class Control:
    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._stop = threading.Event()
        self._listeners: list = []

    def add_listener(self, callback) -> None:
        """``callback()`` runs (in the caller's thread) whenever pause or stop is asked for, so
        a session can interrupt work that runs many batches per call (e.g. a compiled epoch)."""
        self._listeners.append(callback)

    def remove_listener(self, callback) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _notify(self) -> None:
        for callback in list(self._listeners):
            callback()

    def pause(self) -> None:
        self._running.clear()
        self._notify()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()  # a paused session must wake up to stop
        self._notify()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """Block while paused; returns True when the session should go on."""
        self._running.wait(timeout)
        return not self._stop.is_set()


class InterruptFlag:
    """The in-graph flag a compiled chunk of batches reads after each batch, kept in step with
    a Control: raised at once from the steering thread when pause or stop is asked for, and
    set from the control's state before each chunk."""

    def __init__(self, control: Control, variable) -> None:
        self.control = control
        self.variable = variable  # a tf.Variable(bool)
        self._lock = threading.Lock()

    def raise_now(self) -> None:
        """The control's listener."""
        with self._lock:
            self.variable.assign(True)

    def arm(self) -> bool:
        """Set the flag from the control's state; True when paused or stopping."""
        with self._lock:
            flag = bool(self.control.paused or self.control.stop_requested)
            self.variable.assign(flag)
        return flag
