"""Twin runs: the same project trained with and without pretraining, side by side."""

from __future__ import annotations

import functools

import numpy as np
from fake_training import fake_run_training

from app.panels import twin as twin_mod  # noqa: E402
from app.panels.dashboard import TrainingDashboard  # noqa: E402
from core import templates  # noqa: E402
from core.music.pianoroll import PianoRoll  # noqa: E402


def test_twin_run_from_the_dashboard(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(
        twin_mod,
        "_generate_piece",
        lambda run_dir: PianoRoll(np.random.default_rng(0).random((64, 48)) > 0.9),
    )
    TrainingDashboard.probe_devices_on_show = False
    dash = TrainingDashboard()
    qtbot.addWidget(dash)
    inner = functools.partial(fake_run_training, epochs=3, steps=4)
    dash.set_project(templates.load("deephear"))  # music: each twin's piece is shown
    seen = []

    def record(project, run_dir, **kw):
        seen.append(kw["pretraining"])
        return inner(project, run_dir, **kw)

    dash.run_function = record
    dash.twin_button.click()
    twin = dash._twin
    qtbot.addWidget(twin)
    with qtbot.waitSignal(twin.twinFinished, timeout=20000) as done:
        pass
    assert seen == [True, False]
    with_dir, without_dir = done.args
    assert with_dir != without_dir and "twin-with" in with_dir and "twin-without" in without_dir
    qtbot.waitUntil(
        lambda: all(s.sample.roll is not None for s in twin.sides.values()), timeout=5000
    )
    for side in twin.sides.values():
        xs, ys = side.items["loss"].getData()
        assert list(xs) == [1, 2, 3]
        assert side.filters_image.image is not None
        assert "finished" in side.status.text()
    assert not twin.is_running
    assert dash.stop_and_wait(1)
    twin.close()


def _slow_twin(qtbot, monkeypatch, tmp_path, template="dbn-digits", step_s=0.002):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(
        twin_mod,
        "_generate_piece",
        lambda run_dir: PianoRoll(np.random.default_rng(0).random((64, 48)) > 0.9),
    )
    TrainingDashboard.probe_devices_on_show = False
    dash = TrainingDashboard()
    qtbot.addWidget(dash)
    project = templates.load(template)
    dash.set_project(project)
    seen = []

    def record(project, run_dir, **kw):
        seen.append((project, kw))
        return fake_run_training(
            project, run_dir, **{**kw, "epochs": 2, "steps": 3, "step_s": step_s}
        )

    dash.run_function = record
    return dash, project, seen


def test_the_twins_train_a_copy_of_the_network_on_the_chosen_device(qtbot, monkeypatch, tmp_path):
    dash, project, seen = _slow_twin(qtbot, monkeypatch, tmp_path, step_s=0.05)
    before = project.to_json()["network"]
    dash.device_combo.addItem("CPU")
    dash.device_combo.setCurrentText("CPU")
    dash.twin_button.click()
    twin = dash._twin
    qtbot.addWidget(twin)
    project.network.blocks.pop()  # the user edits the canvas while the twins train
    with qtbot.waitSignal(twin.twinFinished, timeout=30000):
        pass
    assert len(seen) == 2
    for trained, kw in seen:
        assert trained is not project and trained.to_json()["network"] == before
        assert kw["device"] == "cpu"
    assert dash.stop_and_wait(1)
    twin.close()


def test_a_running_twin_makes_the_dashboard_busy_and_stops_with_it(qtbot, monkeypatch, tmp_path):
    dash, project, _ = _slow_twin(qtbot, monkeypatch, tmp_path, step_s=0.2)
    changes = []
    dash.runningChanged.connect(changes.append)
    dash.twin_button.click()
    twin = dash._twin
    qtbot.addWidget(twin)
    assert dash.busy and not dash.is_running and changes == [True]
    assert dash.start(project) is None  # F5 while the twins train
    assert dash.stop_and_wait(10)  # closing the window stops the twins
    qtbot.waitUntil(lambda: not twin.is_running, timeout=10000)
    qtbot.waitUntil(lambda: changes == [True, False], timeout=5000)
    twin.close()


def test_the_twin_view_closes_from_inside_and_stops_its_run(qtbot, monkeypatch, tmp_path):
    dash, _, _ = _slow_twin(qtbot, monkeypatch, tmp_path, step_s=0.2)
    dash.twin_button.click()
    twin = dash._twin
    qtbot.addWidget(twin)
    assert twin.isVisible() and twin.is_running
    twin.close_button.click()
    assert not twin.isVisible() and not twin.is_running
    assert not dash.busy


def test_only_panes_that_fit_the_data_are_shown(qtbot, monkeypatch, tmp_path):
    dash, _, _ = _slow_twin(qtbot, monkeypatch, tmp_path)
    dash.twin_button.click()
    twin = dash._twin
    qtbot.addWidget(twin)
    with qtbot.waitSignal(twin.twinFinished, timeout=30000):
        pass
    assert not twin.music
    for side in twin.sides.values():
        assert not side.sample.isVisible() and side.sample.roll is None
    assert twin.compare_button.isEnabled()
    with qtbot.waitSignal(dash.compareRequested) as asked:
        twin.compare_button.click()
    assert [p.rsplit("-", 1)[-1] for p in asked.args[0]] == ["with", "without"]
    twin.close()
    music, _, _ = _slow_twin(qtbot, monkeypatch, tmp_path, template="deephear")
    music.twin_button.click()
    qtbot.addWidget(music._twin)
    assert music._twin.music and music._twin.sides["with"].sample.isVisible()
    music._twin.close()
