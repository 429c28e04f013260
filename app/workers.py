"""Workers that run core sessions and slow calls off the GUI thread.

Rules that keep the window smooth and correct:

* Work runs on plain Python threads. What they produce goes into a deque that a QTimer in
  the GUI thread drains (:class:`_Mailbox`), and the signals (:attr:`TrainingWorker.event`,
  :attr:`CallWorker.result`...) are emitted from there, in the GUI thread, to slot methods.
  No Python object crosses threads through a queued signal: superqt's GeneratorWorker did
  that and the process segfaulted inside TensorFlow during a second training run.
* Batch events are coalesced on the worker side: at most one :class:`BatchGroup` every
  ``BATCH_INTERVAL_S``, however fast batches come; every other event passes as it is.
* A session that raises becomes a :class:`core.training.events.Failed` event with a one-line
  message, never a traceback in the window.
* One TensorFlow user at a time (:data:`TF_GATE`): generation waits for a running session.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from core.training.control import Control
from core.training.events import BatchMetrics, Failed, Finished, Stopped

BATCH_INTERVAL_S = 0.05
CHILD_NICE = int(os.environ.get("LAYERWISE_TRAINING_NICE", "5"))
SWITCH_INTERVAL_S = float(
    os.environ.get("LAYERWISE_SWITCH_INTERVAL", "0.0005")
)  # at most 20 batch groups a second reach the GUI


class TFGate:
    """One TensorFlow user at a time.

    Here TensorFlow crashed (segfault while tracing a tf.function) when a generation ran in
    one thread while a training session was alive in another, even with the session idle
    between two steps. So a training session holds the gate from start to end, and one-off
    work (generation, loading a model, probing devices) waits for it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @contextlib.contextmanager
    def exclusive(self):
        with self._lock:
            yield


TF_GATE = TFGate()


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


@dataclass(frozen=True)
class AfterRun:
    """What ``after(run_dir)`` returned (or the one-line error it raised), run on the
    training thread once the session finished."""

    value: object = None
    error: str | None = None


def _session(
    run_fn, project, run_dir, control, kwargs, done: threading.Event, after=None, gate=True
):
    try:
        with TF_GATE.exclusive() if gate else contextlib.nullcontext():
            fn = run_fn if run_fn is not None else default_run_training()
            # TensorFlow and Keras bring hundreds of thousands of long-lived objects; a full
            # garbage collection walking them all stalled the window for 100-300 ms whenever
            # it happened to run on the GUI thread. Freeze them out of the collector's way.
            gc.freeze()
            finished = False
            for event in coalesce_batches(fn(project, run_dir, control=control, **kwargs)):
                finished = finished or isinstance(event, Finished)
                yield event
            if after is not None and finished:
                try:
                    yield AfterRun(after(run_dir))
                except Exception as exc:
                    yield AfterRun(None, one_line(exc))
    except Exception as exc:  # the contract says Failed, but never let a bug kill the view
        yield Failed(message=one_line(exc))
    finally:
        done.set()


class _Mailbox(QObject):
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


class TrainingWorker(_Mailbox):
    """Runs ``run_training(project, run_dir, control=..., **kwargs)`` on a Python thread.

    Lives in the GUI thread and emits, in the GUI thread, what the session yields through
    :attr:`event` (events, and :class:`BatchGroup` for batches) and :attr:`done` once the
    generator has ended and everything it yielded was delivered.
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
        for event in _session(
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


_END = "__layerwise_session_end__"


def _child_main(address: str) -> None:
    """The training process (``python -m app.workers ADDRESS``): listen on ``address``, take
    (project, run dir, arguments) from the window, send every event back, obey commands.

    A plain interpreter started with -m, not multiprocessing's spawn, which would import
    the window's own main module again in the child."""
    from multiprocessing.connection import Listener

    from core.project import project_from_json

    authkey = bytes.fromhex(os.environ.pop("LAYERWISE_CHILD_KEY"))
    # A little lower priority than the window: when both want a core, the window's short
    # bursts of drawing go first, and training loses next to nothing.
    with contextlib.suppress(OSError, AttributeError):
        os.nice(CHILD_NICE)
    with Listener(address, family="AF_UNIX", authkey=authkey) as listener:
        conn = listener.accept()
    project_doc, project_path, run_dir, kwargs = conn.recv()
    control = Control()

    def listen():
        while True:
            try:
                command = conn.recv()
            except (EOFError, OSError):  # the window went away: stop, keep the checkpoint
                control.stop()
                return
            if command in ("pause", "resume", "stop"):
                getattr(control, command)()
            if command == "stop":
                return

    threading.Thread(target=listen, daemon=True).start()
    try:
        project = project_from_json(project_doc, project_path)
        done = threading.Event()
        for event in _session(None, project, run_dir, control, kwargs, done, gate=False):
            conn.send(event)
    except (EOFError, OSError):
        return
    except Exception as exc:
        conn.send(Failed(message=one_line(exc)))
    conn.send(_END)
    conn.close()


class ProcessTrainingWorker(TrainingWorker):
    """The same as :class:`TrainingWorker`, with the session in a child process.

    The session's Python code then never competes with the window for the GIL, so the event
    loop stays on time. Events come back pickled over a local socket (a reader thread posts
    them to the mailbox); pause, resume and stop go the other way. The child imports
    TensorFlow itself (seconds, once per run).
    """

    CONNECT_TIMEOUT_S = 60.0

    def __init__(self, project, run_dir: str, **kwargs):
        super().__init__(project, run_dir, **kwargs)
        self._process = None
        self._conn = None
        self._send_lock = threading.Lock()

    def start(self) -> None:
        import secrets
        import subprocess
        import tempfile

        folder = tempfile.mkdtemp(prefix="lw-train-")
        self._address = os.path.join(folder, "socket")
        self._authkey = secrets.token_bytes(16)
        env = dict(os.environ, LAYERWISE_CHILD_KEY=self._authkey.hex())
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.workers", self._address], env=env, cwd=root
        )
        self._spawn(self._read)

    def _connect(self):
        from multiprocessing.connection import Client

        deadline = time.monotonic() + self.CONNECT_TIMEOUT_S
        while True:
            try:
                return Client(self._address, family="AF_UNIX", authkey=self._authkey)
            except (FileNotFoundError, ConnectionRefusedError):
                if self._process.poll() is not None or time.monotonic() > deadline:
                    return None
                time.sleep(0.02)

    def _read(self) -> None:
        try:
            conn = self._connect()
            if conn is None:
                code = self._process.poll()
                self._post(Failed(message=f"the training process did not start (exit {code})"))
                return
            doc = self.project.to_json()
            path = getattr(self.project, "path", None)
            with self._send_lock:
                conn.send((doc, path, self.run_dir, self.kwargs))
                self._conn = conn
                # A command given before the child was connected.
                if self.control.stop_requested:
                    conn.send("stop")
                elif self.control.paused:
                    conn.send("pause")
            while True:
                try:
                    event = conn.recv()
                except Exception as exc:
                    if not isinstance(exc, EOFError | OSError):
                        self._post(Failed(message=f"lost the training process: {one_line(exc)}"))
                        self._process.kill()
                        return
                    code = self._process.wait()
                    if self.final is None and not any(
                        isinstance(e, Finished | Stopped | Failed) for e in list(self._box)
                    ):
                        self._post(Failed(message=f"the training process ended (exit {code})"))
                    return
                if isinstance(event, str) and event == _END:
                    return
                self._post(event)
        finally:
            try:
                self._process.wait(10)
            except Exception:
                self._process.kill()
            self._done.set()

    def _send(self, command: str) -> None:
        getattr(self.control, command)()
        with self._send_lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):
                    self._conn.send(command)

    def pause(self) -> None:
        self._send("pause")

    def resume(self) -> None:
        self._send("resume")

    def stop(self) -> None:
        self._send("stop")


class CallWorker(_Mailbox):
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


def probe_devices() -> list[str]:
    """["CPU", "GPU:0", ...]: the GPUs TensorFlow sees (imports TensorFlow: run on a worker)."""
    from core.keras_env import gpus

    try:
        with TF_GATE.exclusive():
            found = gpus()
    except Exception:
        found = []
    return ["CPU"] + [f"GPU:{i}" for i in range(len(found))]


if __name__ == "__main__":
    # Run from the imported module, not from __main__: what the child pickles must name
    # app.workers.BatchGroup, which the window can unpickle.
    from app.workers import _child_main as child_main

    child_main(sys.argv[1])
