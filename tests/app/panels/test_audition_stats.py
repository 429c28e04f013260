"""Audition's statistics of the piece on screen, against the corpus of its run."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from app.panels import audition as audition_mod
from app.panels.audition import AuditionPanel
from core.evaluate.corpus import SHOWN
from core.music.pianoroll import PianoRoll

DATA = {
    "source": "bach-chorales",
    "limit": 6,
    "representation": {
        "steps_per_quarter": 4,
        "lowest_pitch": 36,
        "pitch_count": 48,
        "window_steps": 16,
        "hop_steps": 16,
        "transpose": [0, 0],
    },
    "split": {"validation": 0.2, "test": 0.3, "seed": 0},
}


def chord_roll(bars=2):
    roll = np.zeros((16 * bars, 48), np.float32)
    for bar in range(bars):
        roll[bar * 16 : bar * 16 + 12, [12, 16, 19, 24]] = 1  # a C major chord, held
    return PianoRoll(roll, steps_per_quarter=4, lowest_pitch=36)


def finished_run(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "project.json").write_text(json.dumps({"data": DATA}))
    summary = {"objective": "wake-sleep", "data": {**DATA["representation"], "kind": "pianoroll"}}
    (run / "summary.json").write_text(json.dumps(summary))
    (run / "model.keras").write_bytes(b"")
    return run


@pytest.fixture
def panel(qtbot):
    p = AuditionPanel()
    qtbot.addWidget(p)
    p.resize(1100, 760)
    p.show()
    yield p
    p.stop()


def test_a_piece_without_a_run_gets_its_own_figures(panel, qtbot):
    panel.set_roll(chord_roll(), "chord")
    qtbot.waitUntil(lambda: panel.statistics.report is not None, timeout=90000)
    report = panel.statistics.report
    assert report["corpus"] is None and report["mean_overlap"] is None
    figures = report["statistics"]
    assert figures["polyphony"]["piece"] == pytest.approx(4.0)
    assert figures["empty_beat_rate"]["piece"] == pytest.approx(0.25)  # the fourth beat rests
    assert figures["pitch_range"]["piece"] == 12
    table = panel.statistics.table
    assert table.item(2, 0).text() == "4" and table.item(2, 1).text() == "–"
    assert "No corpus" in panel.statistics.note.text()


def test_a_generated_piece_is_measured_against_its_runs_corpus(panel, qtbot, tmp_path, monkeypatch):
    run = finished_run(tmp_path)
    info = {"methods": ["dbn-memory"], "why_not": "", "tempo": 90, "program": 0}
    monkeypatch.setattr(audition_mod, "_load_model_info", lambda d: {**info, "code_size": None})
    monkeypatch.setattr(audition_mod, "_generate", lambda d, request: chord_roll())
    panel.set_run(str(run))
    qtbot.waitUntil(lambda: panel.method_combo.currentText() == "dbn-memory", timeout=5000)
    with qtbot.waitSignal(panel.pieceChanged, timeout=30000):
        panel.generate_button.click()
    qtbot.waitUntil(
        lambda: (panel.statistics.report or {}).get("corpus") is not None, timeout=120000
    )
    report = panel.statistics.report
    assert report["corpus"] == "bach-chorales, test split"
    assert report["part_quarters"] == 4  # one-bar windows: the piece is measured bar by bar
    assert report["statistics"]["polyphony"]["piece"] == pytest.approx(4.0)
    assert report["statistics"]["empty_beat_rate"]["piece"] == pytest.approx(0.25)
    assert 0 <= report["mean_overlap"] <= 1
    for row, (name, label) in enumerate(SHOWN):
        figures = report["statistics"][name]
        assert figures["corpus"] is not None and 0 <= figures["overlap"] <= 1, name
        assert panel.statistics.table.verticalHeaderItem(row).text() == label
        assert panel.statistics.table.item(row, 2).text() not in ("", "–")
    assert "mean overlap" in panel.statistics.note.text()
    shots = os.environ.get("LAYERWISE_SCREENSHOTS")
    if shots:
        panel.grab().save(os.path.join(shots, "audition-statistics.png"))


def test_the_clamp_control_serves_dbn_memory_only(panel, qtbot, tmp_path, monkeypatch):
    from core.catalog.generation import option

    run = finished_run(tmp_path)
    info = {"methods": ["dbn-memory", "decode"], "why_not": "", "code_size": None}
    asked = []
    monkeypatch.setattr(audition_mod, "_load_model_info", lambda d: info)
    monkeypatch.setattr(audition_mod, "_generate", lambda d, r: asked.append(r) or chord_roll())
    panel.set_run(str(run))
    qtbot.waitUntil(lambda: panel.method_combo.count() == 2, timeout=5000)
    clamp = panel.controls.spins["clamp"]
    assert clamp.toolTip() == option("clamp").help and clamp.isEnabled()
    panel.set_roll(chord_roll(), "chord")
    panel.start_combo.setCurrentIndex(1)
    clamp.setValue(6)
    with qtbot.waitSignal(panel.pieceChanged, timeout=30000):
        panel.generate_button.click()
    assert asked[-1].clamp == 6 and asked[-1].start is not None
    assert "clamp steps 6" in panel.pieces[-1][0]
    panel.method_combo.setCurrentText("decode")
    assert not clamp.isEnabled()
