"""One-off slow calls (generation, loading a model, probing devices) off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal

from app.workers.mailbox import Mailbox
from app.workers.session import one_line


class CallWorker(Mailbox):
    """Runs ``fn(*args, **kwargs)`` on a Python thread; emits :attr:`result` or
    :attr:`failed` (a one-line message) in the GUI thread. ``tag`` comes back with the
    answer so a view can drop answers to questions it no longer asks."""

    result = Signal(object, object)  # tag, value
    failed = Signal(object, str)  # tag, message

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._threads > 0 or bool(self._box)

    def call(self, tag, fn: Callable, *args, **kwargs) -> None:
        self._spawn(self._work, tag, fn, args, kwargs)

    def _work(self, tag, fn, args, kwargs) -> None:
        self._post(_call(tag, fn, args, kwargs))

    def _deliver(self, answer) -> None:
        ok, tag, value = answer
        if ok:
            self.result.emit(tag, value)
        else:
            self.failed.emit(tag, value)


def _call(tag, fn, args, kwargs):
    try:
        return True, tag, fn(*args, **kwargs)
    except Exception as exc:
        return False, tag, one_line(exc)
