"""Workers that run core sessions off the GUI thread (superqt GeneratorWorker / FunctionWorker).

Rules that keep the window smooth and correct:

* Every worker signal is connected to a slot *method* of a QObject living in the GUI thread
  (a lambda would run in the worker thread).
* Batch events are coalesced on the worker side: at most one :class:`BatchGroup` every
  ``BATCH_INTERVAL_S`` crosses threads, however fast batches come. Every other event crosses
  as it is.
* A session that raises is turned into a :class:`core.training.events.Failed` event with a
  one-line message, never a traceback in the window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot
from superqt.utils import FunctionWorker, GeneratorWorker

from core.training.control import Control
from core.training.events import BatchMetrics, Failed, Finished, Stopped

BATCH_INTERVAL_S = 0.05  # at most 20 batch groups a second reach the GUI


def ensure_pool(threads: int = 8) -> None:
    """superqt starts workers on the global pool, which defaults to one thread per core: on a
    2-core machine training plus a device probe would leave rendering queued behind them."""
    pool = QThreadPool.globalInstance()
    if pool.maxThreadCount() < threads:
        pool.setMaxThreadCount(threads)


@dataclass(frozen=True)
class BatchGroup:
    """Batch events coalesced on the worker thread; ``events`` in order, at least one."""

    events: tuple

    @property
    def last(self) -> BatchMetrics:
        return self.events[-1]


def coalesce_batches(events: Iterable, interval: float = BATCH_INTERVAL_S) -> Iterator:
    """Pass every event through, but gather BatchMetrics into BatchGroups sent at most once
    per ``interval`` seconds (and before any other event, so order is kept)."""
    pending: list = []
    last = time.monotonic()
    for event in events:
        if isinstance(event, BatchMetrics):
            pending.append(event)
            now = time.monotonic()
            if now - last >= interval:
                yield BatchGroup(tuple(pending))
                pending = []
                last = now
            continue
        if pending:
            yield BatchGroup(tuple(pending))
            pending = []
            last = time.monotonic()
        yield event
    if pending:
        yield BatchGroup(tuple(pending))


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    text = text[0] if text else ""
    name = type(exc).__name__
    if not text:
        return name
    from core.errors import LayerwiseError

    return text if isinstance(exc, LayerwiseError) else f"{name}: {text}"


def default_run_training():
    """core.training.session.run_training, imported on the worker (it loads TensorFlow)."""
    from core.training.session import run_training

    return run_training


def _session(run_fn, project, run_dir, control, kwargs, done: threading.Event):
    try:
        fn = run_fn if run_fn is not None else default_run_training()
        yield from coalesce_batches(fn(project, run_dir, control=control, **kwargs))
    except Exception as exc:  # the contract says Failed, but never let a bug kill the view
        yield Failed(message=one_line(exc))
    finally:
        done.set()


class TrainingWorker(QObject):
    """Runs ``run_training(project, run_dir, control=..., **kwargs)`` on the thread pool.

    Lives in the GUI thread; re-emits what the session yields through :attr:`event` (events,
    and :class:`BatchGroup` for batches) and :attr:`done` once the generator has ended.
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
        **kwargs,
    ):
        super().__init__(parent)
        self.project = project
        self.run_dir = str(run_dir)
        self.control = control or Control()
        self.kwargs = kwargs
        self.run_fn = run_fn
        self.final = None  # Finished, Stopped or Failed once seen
        self._done = threading.Event()
        self._worker: GeneratorWorker | None = None

    # Control, from the GUI thread.
    def start(self) -> None:
        ensure_pool()
        self._worker = GeneratorWorker(
            _session,
            self.run_fn,
            self.project,
            self.run_dir,
            self.control,
            self.kwargs,
            self._done,
        )
        self._worker.yielded.connect(self._on_yielded)
        self._worker.finished.connect(self._on_finished)
        self._worker.start()

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

    # Slots: run in the GUI thread.
    @Slot(object)
    def _on_yielded(self, event) -> None:
        if isinstance(event, Finished | Stopped | Failed):
            self.final = event
        self.event.emit(event)

    @Slot()
    def _on_finished(self) -> None:
        self.done.emit()


class CallWorker(QObject):
    """Runs ``fn(*args, **kwargs)`` on the pool; emits :attr:`result` or :attr:`failed`
    (a one-line message) in the GUI thread. ``tag`` comes back with the answer so a view
    can drop answers to questions it no longer asks."""

    result = Signal(object, object)  # tag, value
    failed = Signal(object, str)  # tag, message

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._busy = 0

    @property
    def busy(self) -> bool:
        return self._busy > 0

    def call(self, tag, fn: Callable, *args, **kwargs) -> None:
        ensure_pool()
        worker = FunctionWorker(_call, tag, fn, args, kwargs)
        worker.returned.connect(self._on_returned)
        worker.finished.connect(self._on_done)
        self._busy += 1
        worker.start()

    @Slot(object)
    def _on_returned(self, answer) -> None:
        ok, tag, value = answer
        if ok:
            self.result.emit(tag, value)
        else:
            self.failed.emit(tag, value)

    @Slot()
    def _on_done(self) -> None:
        self._busy = max(0, self._busy - 1)


def _call(tag, fn, args, kwargs):
    try:
        return True, tag, fn(*args, **kwargs)
    except Exception as exc:
        return False, tag, one_line(exc)


def probe_devices() -> list[str]:
    """["CPU", "GPU:0", ...]: the GPUs TensorFlow sees (imports TensorFlow: run on a worker)."""
    from core.keras_env import gpus

    try:
        found = gpus()
    except Exception:
        found = []
    return ["CPU"] + [f"GPU:{i}" for i in range(len(found))]
