"""The lstm-pianoroll and dbn-digits templates as shipped: what their figures rest on, and a
short run of each on a little data with the figures `layerwise evaluate` gives (the full runs
and their targets are in test_training_quality.py, behind ``-m slow``)."""

from __future__ import annotations

import numpy as np

from core import templates
from core.evaluate import evaluate_run
from core.music.generation import load
from core.training.events import Finished
from core.training.session import run_training


def _short_run(project, folder, scale):
    events = list(run_training(project, folder, epochs_scale=scale, snapshot_every=0))
    assert isinstance(events[-1], Finished), events[-1]
    return events[-1].summary


def test_the_lstm_template_is_measured_on_jsb_chorales_in_its_own_representation():
    project = templates.load("lstm-pianoroll")
    assert project.data["source"] == "jsb-chorales"
    assert project.network.blocks[0].params["shape"] == [None, 88]
    assert project.data["representation"]["transpose"] == [-5, 6]
    finetune = project.finetune_settings()
    assert finetune["objective"] == "sequence"
    assert finetune["clip_norm"] > 0 and finetune["early_stopping"] > 0
    assert [b.type for b in project.network.blocks].count("Dropout") == 2
    # the notes of a step come out jointly, key by key from the lowest
    assert project.network.blocks[-1].type == "AutoregressiveKeys"
    assert project.network.blocks[-1].params["keys"] == 88


def test_a_short_lstm_run_starts_at_the_key_frequencies_and_reports_nll(tmp_path):
    project = templates.load("lstm-pianoroll")
    project.data["limit"] = 3
    _short_run(project, tmp_path / "run", 0.04)  # one epoch, a few batches
    result = evaluate_run(tmp_path / "run", pieces=0)
    assert result["unit"] == "piece" and result["predicted_frames"] > 100
    # a coin per key costs 61 nats a step; an output that starts at the training keys'
    # frequencies is near the per-key baseline after a few batches
    assert result["nll_per_step"] < 1.5 * result["baselines"]["per_key"]["nll_per_step"]
    # the saved model loads and generates by drawing each step's keys from the joint output
    gm = load(tmp_path / "run")
    assert gm.methods == ["next-step"]
    roll = gm.generate(method="next-step", bars=2, seed=3).roll
    assert roll.shape == (8, 88) and set(np.unique(roll)) <= {0.0, 1.0}
    assert gm.last_info["output"] == "joint"
    again = gm.generate(method="next-step", bars=2, seed=3).roll
    np.testing.assert_array_equal(roll, again)


def test_a_short_dbn_digits_run_compares_pretraining_on_a_tenth_of_the_labels(tmp_path):
    project = templates.load("dbn-digits")
    assert project.data["shifted_copies"]
    project.data["limit"] = 300
    summary = _short_run(project, tmp_path / "run", 0.05)
    assert summary["counts"]["train"] == 5 * 216  # each training image and its 4 copies
    result = evaluate_run(tmp_path / "run", pieces=0)
    comparison = result["label_fraction_comparison"]
    assert comparison["fraction"] == 0.1 and result["samples"] == 60
    assert 0 <= comparison["random"] <= 1 and 0 <= comparison["pretrained"] <= 1
