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
