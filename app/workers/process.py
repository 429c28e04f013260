"""The window's side of the training child process (:mod:`app.workers.child`)."""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time

from app.workers.child import END
from app.workers.session import one_line, os_reason
from app.workers.training import TrainingWorker
from core.training.events import Failed, Finished, Stopped

# The folder that holds the app and core packages: the child imports them from there.
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
        # Starting a process waits until the child has begun running Python, tens of
        # milliseconds on a busy machine: the reader thread does it, never the event loop.
        self._spawn(self._read)

    def _launch(self) -> None:
        folder = tempfile.mkdtemp(prefix="lw-train-")
        self._address = os.path.join(folder, "socket")
        self._authkey = secrets.token_bytes(16)
        env = dict(os.environ, LAYERWISE_CHILD_KEY=self._authkey.hex())
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.workers", self._address], env=env, cwd=ROOT
        )

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
            try:
                self._launch()
            except OSError as exc:
                self._post(Failed(message=f"the training process did not start ({os_reason(exc)})"))
                return
            conn = self._connect()
            if conn is None:
                code = self._process.poll()
                self._post(Failed(message=f"the training process did not start (exit {code})"))
                return
            self._hand_over(conn)
            self._receive(conn)
        finally:
            if self._process is not None:
                try:
                    self._process.wait(10)
                except Exception:
                    self._process.kill()
            self._done.set()

    def _hand_over(self, conn) -> None:
        """Send the run to the child, then any command given before it was connected."""
        doc = self.project.to_json()
        path = getattr(self.project, "path", None)
        with self._send_lock:
            conn.send((doc, path, self.run_dir, self.kwargs))
            self._conn = conn
            if self.control.stop_requested:
                conn.send("stop")
            elif self.control.paused:
                conn.send("pause")

    def _receive(self, conn) -> None:
        """Post every event the child sends until its end marker or its end."""
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
            if isinstance(event, str) and event == END:
                return
            self._post(event)

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
