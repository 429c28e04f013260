"""A next-step model that ends in AutoregressiveKeys trains on its exact joint likelihood: on
steps whose keys always sound in pairs it gets well below what any model of independent keys
can reach, and `layerwise evaluate` reports that joint figure."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.evaluate import evaluate_run
from core.training.session import run_training
from core.validate import validate
from tests.core.training.training_helpers import block, chain

KEYS, STEPS = 4, 12


@pytest.fixture
def paired_keys_npz(tmp_path):
    """Each step sounds keys 0 and 2 or keys 1 and 3, by a fair coin: one bit of chance a
    step (ln 2 nats), while every key alone is a fair coin (4 ln 2 for independent keys)."""
    rng = np.random.default_rng(0)
    coins = rng.random((800, STEPS)) < 0.5
    x = np.zeros((800, STEPS, KEYS), np.float32)
    x[..., 0] = x[..., 2] = coins
    x[..., 1] = x[..., 3] = ~coins
    path = tmp_path / "pairs.npz"
    np.savez(path, x=x)
    return path


def _project(npz, output):
    return chain(
        [
            block("input", "Input", shape=[None, KEYS]),
            block("lstm", "LSTM", units=8, return_sequences=True),
            output,
        ],
        {
            "seed": 0,
            "finetune": {
                "objective": "sequence",
                "epochs": 3,
                "batch_size": 8,
                "learning_rate": 0.05,
            },
        },
        data={"source": "arrays", "path": str(npz), "split": {"validation": 0.1, "test": 0.2}},
    )


def _nll(project, folder):
    events = list(run_training(project, folder, snapshot_every=0))
    assert type(events[-1]).__name__ == "Finished", getattr(events[-1], "message", "")
    return evaluate_run(folder, pieces=0)


def test_the_joint_output_learns_what_independent_keys_cannot(tmp_path, paired_keys_npz):
    joint = _project(paired_keys_npz, block("keys", "AutoregressiveKeys", keys=KEYS))
    assert validate(joint).ok
    result = _nll(joint, tmp_path / "joint")
    independent = _nll(
        _project(
            paired_keys_npz,
            block("keys", "TimeDistributedDense", units=KEYS, activation="sigmoid"),
        ),
        tmp_path / "independent",
    )
    floor = KEYS * math.log(2)  # the best any model of independent fair keys can do
    assert independent["nll_per_step"] > 0.95 * floor
    assert result["nll_per_step"] < 0.5 * floor
    assert result["unit"] == "window" and 0 <= result["frame_accuracy"] <= 1


def test_the_joint_output_must_end_a_next_step_model(paired_keys_npz):
    wrong_objective = _project(paired_keys_npz, block("keys", "AutoregressiveKeys", keys=KEYS))
    wrong_objective.training["finetune"]["objective"] = "autoencoder"
    assert any("sequence objective" in p.message for p in validate(wrong_objective).problems)
    inside = chain(
        [
            block("input", "Input", shape=[None, KEYS]),
            block("keys", "AutoregressiveKeys", keys=KEYS),
            block("lstm", "LSTM", units=8, return_sequences=True),
        ],
        {"seed": 0, "finetune": {"objective": "sequence"}},
    )
    problems = validate(inside).problems
    assert any(p.block == "keys" and "output" in p.message for p in problems)


def test_a_joint_output_of_the_wrong_width_fails_in_one_line(tmp_path, paired_keys_npz):
    project = _project(paired_keys_npz, block("keys", "AutoregressiveKeys", keys=KEYS + 1))
    events = list(run_training(project, tmp_path / "run", snapshot_every=0))
    assert type(events[-1]).__name__ == "Failed"
    assert "has 5 keys but the data's steps have 4" in events[-1].message
