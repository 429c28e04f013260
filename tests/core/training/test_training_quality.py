"""Quality targets on the real templates: long runs, behind ``-m slow``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.project import project_from_json
from core.training.events import Failed, Finished
from core.training.session import run_training

TEMPLATES = Path(__file__).resolve().parents[3] / "resources" / "templates"


def _train(name, tmp_path, **overrides):
    project = project_from_json(json.loads((TEMPLATES / f"{name}.json").read_text()))
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        getattr(project, section)[field] = value
    for event in run_training(project, tmp_path / name, snapshot_every=0):
        assert not isinstance(event, Failed), event.message
        if isinstance(event, Finished):
            return event.summary
    raise AssertionError("no Finished event")


@pytest.mark.slow
def test_dbn_digits_reaches_97_percent(tmp_path):
    summary = _train("dbn-digits", tmp_path)
    assert summary["evaluation"]["accuracy"] >= 0.97


@pytest.mark.slow
def test_dbn_digits_reaches_98_percent_on_average_over_five_seeds(tmp_path):
    # the test images are the same for every seed (the split has its own seed)
    accuracies = [
        _train("dbn-digits", tmp_path / str(seed), training__seed=seed)["evaluation"]["accuracy"]
        for seed in range(5)
    ]
    assert sum(accuracies) / 5 >= 0.98, accuracies


@pytest.mark.slow
def test_deephear_reconstructs_held_out_chorales(tmp_path):
    summary = _train("deephear", tmp_path, data__limit=60)
    evaluation = summary["evaluation"]
    # Measured (limit 60 chorales, template epochs, 2 CPU cores, ~1 min): 29.96 wrong cells of
    # 768 per held-out one-bar window, with 61.2 notes per window (the all-silent guess). With
    # two-bar windows (32 × 48) the 16-unit code held far less: 92.9 wrong of 122.5 notes.
    assert evaluation["wrong_notes_per_window"] < 0.6 * evaluation["notes_per_window"]


@pytest.mark.slow
def test_lstm_pianoroll_predicts_jsb_chorales_better_than_the_published_lstm(tmp_path):
    from core.evaluate import evaluate_run

    _train("lstm-pianoroll", tmp_path)
    result = evaluate_run(tmp_path / "lstm-pianoroll", pieces=0)
    # Measured (template as shipped, 2 CPU cores shared, ~14 min): 5.85 nats per step on the
    # test pieces with the joint output over each step's keys (8.26 with independent keys),
    # frame accuracy 0.29; per-key frequencies 11.09; Bai et al. (2018): LSTM 8.45, TCN 8.10;
    # Boulanger-Lewandowski et al. (2012): RNN-NADE 5.56.
    assert result["unit"] == "piece" and result["dataset"] == "jsb-chorales"
    assert result["nll_per_step"] <= 8.0
    assert result["baselines"]["per_key"]["nll_per_step"] == pytest.approx(11.09, abs=0.01)
