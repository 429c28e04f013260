"""The training child process (no Qt) and its window-side client, speaking their protocol:
the run handed over, every event back in order, commands obeyed, the end marker."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from multiprocessing.connection import Client
from pathlib import Path

import pytest
from fake_training import fake_run_training

from app.workers import child, session
from app.workers.session import BatchGroup
from core import templates
from core.training.events import Failed, Finished, PhaseStarted, Stopped

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def fake_child(monkeypatch):
    """The child's session is the fake one, and it keeps this process's priority."""
    monkeypatch.setattr(session, "default_run_training", lambda: fake_run_training)
    monkeypatch.setattr(child, "CHILD_NICE", 0)


def _serve(address: str, key: bytes) -> threading.Thread:
    """child.main on a thread of this process, as the window's child would run it."""
    os.environ["LAYERWISE_CHILD_KEY"] = key.hex()  # main() takes it out again
    thread = threading.Thread(target=child.main, args=(address,), daemon=True)
    thread.start()
    return thread


def _connect(address: str, key: bytes):
    for _ in range(500):
        try:
            return Client(address, family="AF_UNIX", authkey=key)
        except (FileNotFoundError, ConnectionRefusedError):
            threading.Event().wait(0.01)
    raise AssertionError("the child never listened")


def _receive_all(conn) -> list:
    received = []
    while True:
        item = conn.recv()
        if item == child.END:
            return received
        received.append(item)


def test_the_child_sends_every_event_then_the_end_marker(fake_child, tmp_path):
    address, key = str(tmp_path / "socket"), secrets.token_bytes(16)
    thread = _serve(address, key)
    with _connect(address, key) as conn:
        project = templates.load("dbn-digits")
        conn.send((project.to_json(), None, str(tmp_path / "run"), {"epochs": 2}))
        received = _receive_all(conn)
    thread.join(5)
    assert not thread.is_alive() and "LAYERWISE_CHILD_KEY" not in os.environ
    assert isinstance(received[0], PhaseStarted)
    assert isinstance(received[-1], Finished)
    batches = sum(len(e.events) for e in received if isinstance(e, BatchGroup))
    assert batches == 3 * 2 * 5  # three phases, two epochs, five steps: none lost


def test_the_child_obeys_stop_and_reports_a_bad_project(fake_child, tmp_path):
    address, key = str(tmp_path / "socket"), secrets.token_bytes(16)
    _serve(address, key)
    with _connect(address, key) as conn:
        doc = templates.load("dbn-digits").to_json()
        conn.send((doc, None, str(tmp_path / "run"), {"step_s": 0.05, "epochs": 50}))
        conn.send("pause")
        conn.send("stop")
        assert isinstance(_receive_all(conn)[-1], Stopped)
    address = str(tmp_path / "socket2")
    _serve(address, key)
    with _connect(address, key) as conn:
        conn.send(({"format": "something-else"}, None, str(tmp_path / "run2"), {}))
        (failed,) = _receive_all(conn)
    assert isinstance(failed, Failed) and "not a Layerwise project" in failed.message


class _ThreadProcess:
    """Stands in for the child's Popen: child.main runs on a thread of this process."""

    def __init__(self, args, env, cwd):
        assert args[1:3] == ["-m", "app.workers"] and Path(cwd) == ROOT
        os.environ["LAYERWISE_CHILD_KEY"] = env["LAYERWISE_CHILD_KEY"]
        self.thread = threading.Thread(target=child.main, args=(args[3],), daemon=True)
        self.thread.start()

    def poll(self):
        return None if self.thread.is_alive() else 0

    def wait(self, timeout=None):
        self.thread.join(timeout)
        return 0

    def kill(self):
        pass


def test_the_process_worker_delivers_the_child_s_events(fake_child, qtbot, tmp_path, monkeypatch):
    from app.workers import process
    from app.workers.process import ProcessTrainingWorker

    monkeypatch.setattr(process.subprocess, "Popen", _ThreadProcess)
    worker = ProcessTrainingWorker(templates.load("dbn-digits"), tmp_path / "run", epochs=2)
    events = []
    worker.event.connect(events.append)
    with qtbot.waitSignal(worker.done, timeout=10_000):
        worker.start()
    assert isinstance(worker.final, Finished) and events[-1] is worker.final
    assert worker.wait(0)
    assert sum(len(e.events) for e in events if isinstance(e, BatchGroup)) == 30


def test_the_child_process_imports_no_qt():
    code = (
        "import sys, app.workers, app.workers.__main__, app.workers.child\n"
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph', 'superqt', 'sounddevice')])\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_child_yields_the_cores_to_the_window():
    code = (
        "import os; from app.workers import child; before = os.nice(0); "
        "child.yield_to_the_window(); "
        "print(os.nice(0) - before, os.sched_getscheduler(0) == os.SCHED_BATCH)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.split() == [str(child.CHILD_NICE), "True"]
