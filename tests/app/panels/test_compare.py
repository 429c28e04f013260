"""Comparing runs: shared curves, the metrics table, filters side by side, A/B listening."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import faithful_to
from run_folders import write_run

from app.audio import AudioPlayer
from app.panels import compare_listen
from app.panels.compare import ComparePanel, metric_columns
from app.panels.dashboard.from_disk import NotARunError
from core.music.pianoroll import PianoRoll


@faithful_to(AudioPlayer)
class RecordingPlayer:
    def __init__(self):
        self.played = []
        self.state = "stopped"

    def play(self, audio, sample_rate, loop=None):
        self.played.append((len(audio), sample_rate))
        self.state = "playing"

    def stop(self):
        self.state = "stopped"


@pytest.fixture
def panel(qtbot):
    p = ComparePanel()
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    yield p
    p.stop()


def test_curves_share_one_plot_and_the_table_has_every_metric(panel, tmp_path):
    a = write_run(tmp_path, "a")
    b = write_run(tmp_path, "b", state="stopped", scale=2.0)
    panel.set_runs([str(a.path), str(b.path)])
    assert sorted(panel.curve_items) == ["0:0:loss", "0:0:val_loss", "0:1:loss", "0:1:val_loss"] + [
        "1:0:loss",
        "1:0:val_loss",
    ]
    xs, ys = panel.curve_items["1:0:loss"].getData()
    assert list(xs) == [1, 2, 3] and ys[0] == pytest.approx(2.0)
    assert metric_columns(panel.runs)[:2] == ["loss", "val_loss"]  # both runs have them
    assert panel.table.rowCount() == 2
    assert panel.table.item(1, 1).text() == "stopped"
    assert len(panel.filter_images) == 2


def test_a_folder_that_is_not_a_run_changes_nothing(panel, tmp_path):
    a, b = write_run(tmp_path, "a"), write_run(tmp_path, "b")
    panel.set_runs([str(a.path), str(b.path)])
    (tmp_path / "notes").mkdir()
    with pytest.raises(NotARunError):
        panel.set_runs([str(a.path), str(tmp_path / "notes")])
    assert [r.info.name for r in panel.runs] == ["a", "b"] and panel.table.rowCount() == 2


def test_a_b_listening_makes_one_piece_per_run_with_the_same_method_and_seed(
    panel, qtbot, tmp_path, monkeypatch
):
    asked = []

    def piece(run_dir, method, seed):
        asked.append((run_dir.rsplit("/", 1)[-1], method, seed))
        return PianoRoll(np.random.default_rng(seed).random((32, 48)) > 0.8)

    monkeypatch.setattr(compare_listen, "generate_piece", piece)
    monkeypatch.setattr(compare_listen, "render_piece", lambda roll: (np.zeros(4410), "fake"))
    music = [write_run(tmp_path, n, template="deephear") for n in ("m1", "m2")]
    digits = write_run(tmp_path, "d")
    panel.set_runs([str(r.path) for r in (*music, digits)])
    listening = panel.listening
    assert sorted(listening.views) == sorted(str(r.path) for r in music)  # no roll for digits
    assert "1 run(s) learned images" in listening.message.text()
    listening.method_combo.setCurrentText("decode")
    listening.seed_spin.setValue(7)
    listening.generate_button.click()
    qtbot.waitUntil(lambda: len(listening.rolls) == 2, timeout=5000)
    assert sorted(asked) == [("m1", "decode", 7), ("m2", "decode", 7)]
    assert all(view.roll is not None for view in listening.views.values())
    listening.player = RecordingPlayer()
    button = listening.play_buttons[str(music[1].path)]
    assert button.isEnabled() and button.text().startswith("Play B")
    button.click()
    qtbot.waitUntil(lambda: bool(listening.player.played), timeout=5000)
    assert listening.player.played == [(4410, compare_listen.SAMPLE_RATE)]
    assert "Playing (fake)" in listening.message.text()


def test_a_phase_of_one_epoch_is_a_marked_point(panel, tmp_path):
    a, b = write_run(tmp_path, "a", epochs=1), write_run(tmp_path, "b", epochs=1)
    panel.set_runs([str(a.path), str(b.path)])
    item = panel.curve_items["0:0:loss"]
    assert len(item.getData()[0]) == 1 and item.opts["symbol"] == "o"
