"""The dashboard keeps the window's event loop moving: a start hands its slow parts to a
thread and to later turns, and the views never re-lay out while a run goes on."""

from __future__ import annotations

import functools
import sys

import pytest
from fake_training import fake_run_training
from layout_requests import LayoutRequests
from PySide6.QtCore import QTimer

from app.panels.dashboard import TrainingDashboard
from core import templates


@pytest.fixture
def dashboard(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    TrainingDashboard.probe_devices_on_show = False
    d = TrainingDashboard()
    qtbot.addWidget(d)
    d.resize(1000, 620)
    d.show()
    qtbot.waitExposed(d)
    yield d
    d.stop_and_wait(10)


def test_a_start_that_cannot_make_its_folder_says_why(dashboard, qtbot, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    started = []
    dashboard.runStarted.connect(started.append)
    assert dashboard.start(templates.load("dbn-digits")) is None
    text = dashboard.error_label.text()
    assert dashboard.error_label.isVisible()
    assert "no folder for the run" in text and "Not a directory" in text
    assert "Errno" not in text and "Traceback" not in text
    assert not dashboard.is_running and dashboard.start_button.isEnabled()
    qtbot.wait(50)
    assert started == []


def test_those_who_follow_the_run_hear_of_it_after_start_returns(dashboard, qtbot):
    dashboard.run_function = functools.partial(fake_run_training, epochs=1, steps=2)
    started = []
    dashboard.runStarted.connect(started.append)
    with qtbot.waitSignal(dashboard.runStarted, timeout=5000) as heard:
        run_dir = dashboard.start(templates.load("dbn-digits"))
        assert run_dir and started == []  # not inside start(): a later turn of the loop
    assert heard.args == [run_dir]
    qtbot.waitUntil(lambda: not dashboard.is_running, timeout=10000)


def test_the_training_process_is_started_off_the_event_loop(dashboard, qtbot, monkeypatch):
    """Starting the child waits for it to run; a failure to start it comes back in words."""
    monkeypatch.setattr(sys, "executable", "/no/such/python")
    with qtbot.waitSignal(dashboard.runFailed, timeout=10000) as failed:
        assert dashboard.start(templates.load("dbn-digits"))  # start() itself did not fail
    message = failed.args[0]
    assert message == (
        "the training process did not start (No such file or directory: /no/such/python)"
    )
    assert "did not start" in dashboard.error_label.text()
    qtbot.waitUntil(lambda: not dashboard.is_running, timeout=5000)
    assert dashboard.start_button.isEnabled()


def test_a_running_phase_never_lays_out_the_dashboard_again(dashboard, qtbot):
    """New text in the status line and the filters' caption, many times a second, asks for
    no new layout: one re-lays out the whole dashboard, and when a column moves by a pixel
    every plot is repainted and its axes drawn again, all in one turn of the event loop."""
    dashboard.run_function = functools.partial(fake_run_training, epochs=400, steps=6, step_s=0.004)
    dashboard.start(templates.load("dbn-digits"))
    qtbot.waitUntil(
        lambda: (
            dashboard.filters_caption.text().startswith("rbm1, epoch")
            and dashboard.model.last_epoch is not None
            and dashboard.model.last_epoch.epoch >= 3
        ),
        timeout=20000,
    )
    requests = LayoutRequests(dashboard)
    seen: dict[str, set] = {"status": set(), "caption": set()}
    timer = QTimer()
    timer.timeout.connect(lambda: seen["status"].add(dashboard.status_label.text()))
    timer.timeout.connect(lambda: seen["caption"].add(dashboard.filters_caption.text()))
    timer.start(10)
    # Phase 1 goes on: new batches, epochs and snapshots, no new phase or block.
    qtbot.waitUntil(lambda: min(len(lines) for lines in seen.values()) >= 3, timeout=20000)
    timer.stop()
    asked = requests.count  # before Stop, which rightly changes the controls
    assert dashboard.phase_combo.count() == 2 and dashboard.block_combo.count() == 1
    assert dashboard.stop_and_wait(10)
    assert asked == 0
