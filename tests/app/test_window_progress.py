"""Honest progress in the window: what each step says, clocks that stop, the ETA after Stop,
the estimate before a run, and one pretraining switch shared by the dashboard and project."""

from __future__ import annotations

import functools

import pytest
from fake_training import fake_run_training
from PySide6.QtCore import QObject, Slot

from app.panels.dashboard.widget import TrainingDashboard


class LineRecorder(QObject):
    """The status line after every event (connected after the dashboard's own slot)."""

    def __init__(self, dashboard):
        super().__init__()
        self.dashboard = dashboard
        self.lines: list[str] = []

    @Slot(object)
    def record(self, _event):
        line = self.dashboard.model.phase_line()
        if line and (not self.lines or self.lines[-1] != line):
            self.lines.append(line)


def factory(**fake):
    def make(parent):
        dashboard = TrainingDashboard(parent)
        dashboard.run_function = functools.partial(fake_run_training, **fake)
        return dashboard

    return make


@pytest.fixture
def window(make_window, monkeypatch, tmp_path):
    monkeypatch.setattr(TrainingDashboard, "probe_devices_on_show", False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    def make(**fake):
        w = make_window(panels={"dashboard": factory(**fake)}, show=True)
        return w

    made = []
    yield lambda **fake: made.append(make(**fake)) or made[-1]
    for w in made:
        w.dashboard.stop_and_wait(10)


def test_every_step_says_what_it_does_with_a_count(window, qtbot):
    w = window(epochs=2, steps=4, step_s=0.02)
    dashboard = w.dashboard
    recorder = LineRecorder(dashboard)
    with qtbot.waitSignal(dashboard.runFinished, timeout=20000):
        w.start_training()
        dashboard._worker.event.connect(recorder.record)
    lines = recorder.lines
    for wanted in (
        "Converting 3 of 3 chorales…",
        "Phase 1/3: pretrain rbm1 · epoch 1/2",
        "Phase 3/3: fine-tune · epoch 2/2",
        "Evaluating and saving the model…",
    ):
        assert any(line.startswith(wanted) for line in lines), (wanted, lines)
    assert any("· batch " in line for line in lines), lines
    assert "Finished" in dashboard.status_label.text()


def test_clocks_stop_when_the_run_ends_and_the_eta_clears_after_stop(window, qtbot):
    w = window(epochs=200, steps=10, step_s=0.003)
    dashboard = w.dashboard
    w.start_training()
    qtbot.waitUntil(lambda: dashboard.model.last_epoch is not None, timeout=10000)
    dashboard.flush()
    assert "ETA –" not in dashboard.time_label.text()
    w.stop_training()
    qtbot.waitUntil(lambda: not dashboard.is_running, timeout=10000)
    dashboard.flush()
    shown = dashboard.time_label.text()
    assert shown.endswith("ETA –"), shown
    qtbot.wait(1200)
    dashboard.flush()
    assert dashboard.time_label.text() == shown


def test_the_estimate_is_shown_before_a_run_from_the_last_one(window, qtbot):
    w = window(epochs=1, steps=2)
    dashboard = w.dashboard
    assert "duration said when the run starts" in dashboard.status_label.text()
    # The fake run writes no wall time; an earlier real run of this project does.
    with qtbot.waitSignal(dashboard.runFinished, timeout=20000) as finished:
        w.start_training()
    import json
    from pathlib import Path

    run = Path(finished.args[0])
    summary = {"pretraining": True, "epochs_scale": 1.0, "wall_seconds": 1500.0}
    (run / "summary.json").write_text(json.dumps({"version": 1, **summary}))
    (run / "project.json").write_text(json.dumps(w.doc.project.to_json()))
    dashboard.set_project(w.doc.project)
    assert "a run takes about 25 min" in dashboard.status_label.text()


def test_the_pretraining_switch_is_the_project_setting(window, qtbot):
    w = window()
    check = w.dashboard.pretraining_check
    enabled = w.doc.project.training.get("pretraining", {}).get("enabled", True)
    assert check.isChecked() == enabled
    check.click()
    assert w.doc.project.training["pretraining"]["enabled"] is (not enabled)
    assert "pretraining" in w.act_undo.text()
    w.doc.undo_stack.undo()
    assert w.doc.project.training["pretraining"]["enabled"] is enabled
    assert check.isChecked() == enabled
    w.set_pretraining(False)  # the inspector's edit goes the same way
    assert not check.isChecked()
