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
def test_deephear_reconstructs_held_out_chorales(tmp_path):
    summary = _train("deephear", tmp_path, data__limit=60)
    evaluation = summary["evaluation"]
    # Measured (limit 60 chorales, template epochs, 2 CPU cores, ~2.5 min): 92.9 wrong cells of
    # 1,536 per held-out window, with 122.5 notes per window (all-silent guess); without
    # pretraining 94.0. The sigmoid-everywhere template it replaced got 102.3. The 16-unit code
    # cannot hold a 32-step chorale window exactly; a 16-step window does better (about 30 of
    # 61 notes) but the app's example project keeps 32 × 48.
    assert evaluation["wrong_notes_per_window"] < 0.8 * evaluation["notes_per_window"]
