"""Tiny projects and data sets for the training tests: real Keras, seconds per run."""

from __future__ import annotations

import numpy as np

from core.data.dataset import Dataset
from core.project import project_from_json


def chain(blocks, training, data=None):
    """A project whose blocks are wired one after the other."""
    wires = [{"from": a["id"], "to": b["id"]} for a, b in zip(blocks, blocks[1:], strict=False)]
    return project_from_json(
        {
            "format": "layerwise-project",
            "version": 2,
            "name": "test",
            "network": {"blocks": blocks, "wires": wires},
            "data": data
            or {
                "source": "digits",
                "limit": 400,
                "split": {"validation": 0.1, "test": 0.2, "seed": 0},
            },
            "training": training,
        }
    )


def block(id, type, **params):
    return {"id": id, "type": type, "params": params}


def dbn_project(epochs=2, finetune_epochs=2, rbm=None, finetune=None, input_shape=(8, 8)):
    rbm = {"epochs": epochs, "batch_size": 20, "learning_rate": 0.1, **(rbm or {})}
    return chain(
        [
            block("input", "Input", shape=list(input_shape)),
            block("flatten", "Flatten"),
            block("rbm1", "RBM", units=24),
            block("rbm2", "RBM", units=12),
            block("classes", "Dense", units=10, activation="softmax"),
        ],
        {
            "seed": 0,
            "pretraining": {"enabled": True, "blocks": {"rbm1": dict(rbm), "rbm2": dict(rbm)}},
            "finetune": {
                "objective": "classifier",
                "epochs": finetune_epochs,
                "batch_size": 20,
                "learning_rate": 0.01,
                **(finetune or {}),
            },
        },
    )


def ae_project(objective="autoencoder", tied=True, epochs=2, **ae):
    return chain(
        [
            block("input", "Input", shape=[8, 8]),
            block("flatten", "Flatten"),
            block("enc1", "Autoencoder", units=24, tied=tied, **ae),
            block("code", "Autoencoder", units=8, tied=tied),
        ],
        {
            "seed": 0,
            "pretraining": {
                "enabled": True,
                "blocks": {
                    "enc1": {"epochs": epochs, "batch_size": 20, "learning_rate": 0.01},
                    "code": {"epochs": epochs, "batch_size": 20, "learning_rate": 0.01},
                },
            },
            "finetune": {
                "objective": objective,
                "epochs": 2,
                "batch_size": 20,
                "learning_rate": 0.005,
            },
        },
    )


def roll_dataset(n=240, steps=8, pitches=12, seed=0) -> Dataset:
    """Binary piano-roll-like windows: a few held notes per window."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, steps, pitches), np.float32)
    for i in range(n):
        for _ in range(2):
            p = rng.integers(0, pitches)
            start = rng.integers(0, steps - 2)
            x[i, start : start + rng.integers(2, steps - start + 1), p] = 1.0
    a, b = int(n * 0.8), int(n * 0.9)
    return Dataset(
        name="rolls",
        kind="pianoroll",
        x_train=x[:a],
        x_val=x[a:b],
        x_test=x[b:],
        y_train=None,
        y_val=None,
        y_test=None,
        sample_shape=(steps, pitches),
        metadata={
            "source": "test",
            "steps_per_quarter": 4,
            "lowest_pitch": 48,
            "pitch_count": pitches,
        },
    )


def run_all(events):
    """Every event of a session, as a list."""
    return list(events)


def kinds(events):
    return [type(e).__name__ for e in events]
