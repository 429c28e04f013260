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
    dash.set_project(templates.load("dbn-digits"))
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
