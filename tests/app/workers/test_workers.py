"""Workers: batches coalesced, answers delivered in the GUI thread, errors as one line."""

from __future__ import annotations

import inspect
import threading
import time

from fake_training import fake_run_training
from PySide6.QtCore import QObject, Slot

from app.workers.calls import CallWorker
from app.workers.gate import TF_GATE
from app.workers.session import BatchGroup, coalesce_batches
from app.workers.training import TrainingWorker
from core.training.events import BatchMetrics, EpochMetrics, Failed, Finished

# Knobs only the fake session has: how long, how many steps, where it fails.
FAKE_ONLY = {"steps", "epochs", "step_s", "fail_at", "sample_kind"}


def _batches(n, pause=0.0):
    for i in range(n):
        if pause:
            time.sleep(pause)
        yield BatchMetrics(0, "b", 0, i, {"loss": 1.0})


def test_batches_are_coalesced_and_order_is_kept():
    events = [*_batches(100), EpochMetrics(0, "b", 0, {"loss": 1.0}, 1.0, 10.0), *_batches(3)]
    out = list(coalesce_batches(events, interval=10.0))
    assert [type(e) for e in out] == [BatchGroup, EpochMetrics, BatchGroup]
    assert len(out[0].events) == 100 and out[0].last.step == 99
    assert len(out[2].events) == 3
    # With a short interval, a slow stream is sent in several groups, none lost.
    out = list(coalesce_batches(_batches(10, pause=0.01), interval=0.025))
    assert 2 <= len(out) <= 10
    assert sum(len(g.events) for g in out) == 10


class Sink(QObject):
    def __init__(self):
        super().__init__()
        self.items = []
        self.threads = set()

    @Slot(object)
    def on_event(self, event):
        self.items.append(event)
        self.threads.add(threading.current_thread())

    @Slot(object, object)
    def on_result(self, tag, value):
        self.items.append((tag, value))
        self.threads.add(threading.current_thread())

    @Slot(object, str)
    def on_failed(self, tag, message):
        self.items.append((tag, message))


def test_training_worker_delivers_in_the_gui_thread(qtbot, tmp_path):
    seen_threads = []

    def session(project, run_dir, *, control, **kw):
        seen_threads.append(threading.current_thread())
        yield from _batches(50)
        yield Finished(run_dir, {"ok": True})

    worker = TrainingWorker(None, tmp_path, run_fn=session, after=lambda d: "piece")
    sink = Sink()
    worker.event.connect(sink.on_event)
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    assert seen_threads[0] is not threading.main_thread()
    assert sink.threads == {threading.main_thread()}
    assert isinstance(worker.final, Finished)
    assert sum(len(e.events) for e in sink.items if isinstance(e, BatchGroup)) == 50
    assert sink.items[-1].value == "piece"  # after() ran on the training thread
    assert worker.wait(0) and not TF_GATE.busy


def test_a_raising_session_is_a_failed_event(qtbot, tmp_path):
    def session(project, run_dir, **kw):
        raise RuntimeError("out of memory\nTraceback (most recent call last): ...")
        yield

    worker = TrainingWorker(None, tmp_path, run_fn=session)
    sink = Sink()
    worker.event.connect(sink.on_event)
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    assert isinstance(sink.items[-1], Failed)
    assert sink.items[-1].message == "RuntimeError: out of memory"


def test_call_worker_answers_in_the_gui_thread(qtbot):
    calls = CallWorker()
    sink = Sink()
    calls.result.connect(sink.on_result)
    calls.failed.connect(sink.on_failed)
    with qtbot.waitSignal(calls.result, timeout=5000):
        calls.call("sum", sum, [1, 2, 3])
    assert sink.items == [("sum", 6)] and sink.threads == {threading.main_thread()}
    with qtbot.waitSignal(calls.failed, timeout=5000):
        calls.call("bad", int, "x")
    assert sink.items[-1][0] == "bad" and "ValueError" in sink.items[-1][1]
    qtbot.waitUntil(lambda: not calls.busy, timeout=2000)


def test_the_fake_session_takes_the_real_session_s_arguments():
    from core.training.session import run_training

    real = inspect.signature(run_training).parameters
    fake = inspect.signature(fake_run_training).parameters
    assert list(real)[:2] == list(fake)[:2] == ["project", "run_dir"]
    named = {n for n, p in fake.items() if p.kind is p.KEYWORD_ONLY} - FAKE_ONLY
    assert named <= set(real), named - set(real)
    assert all(real[n].kind is real[n].KEYWORD_ONLY for n in named)
