"""Run folders made here: a template built with core.build, fitted a few batches on random
data, saved the way a training run saves (model.keras, project.json, summary.json,
metrics.jsonl, snapshots)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]


def random_input(model, batch=4, seed=0, free_length=6):
    rng = np.random.default_rng(seed)
    shape = [free_length if d is None else d for d in model.inputs[0].shape[1:]]
    return rng.random((batch, *shape), dtype=np.float32)


def make_run(folder: Path, template: str, fit: bool = True) -> Path:
    from core import project as project_io
    from core import templates
    from core.build import build

    project = templates.load(template)
    built = build(project)
    model = built.model
    x = random_input(model, batch=16)
    if fit:
        y = model(x, training=False)
        y = np.asarray(y)
        model.compile(optimizer="adam", loss="mse")
        model.fit(
            x,
            np.random.default_rng(1).random(y.shape, dtype=np.float32),
            batch_size=8,
            epochs=1,
            verbose=0,
        )
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.keras")
    project_io.save(project, folder / "project.json")
    summary = {
        "phases": [
            {
                "name": "pretrain rbm1",
                "kind": "pretrain",
                "block": "rbm1",
                "method": "rbm",
                "epochs": 3,
                "final": {"reconstruction_error": 0.05},
            },
            {
                "name": "fine-tune",
                "kind": "finetune",
                "block": None,
                "method": "classifier",
                "epochs": 3,
                "final": {"loss": 0.25, "accuracy": 0.9},
            },
        ],
        "evaluation": {"loss": 0.3, "accuracy": 0.9},
        "objective": "classifier",
        "output_block": built.output_block,
        "code_block": None,
        "sample_shape": list(model.inputs[0].shape[1:]),
        "data": {"source": "digits", "train": 16},
        "samples_per_second": 1234.5,
        "device": "cpu",
    }
    (folder / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    lines = []
    for phase, block in (("pretrain rbm1", "rbm1"), ("fine-tune", None)):
        for epoch in range(3):
            lines.append(
                json.dumps(
                    {
                        "phase": phase,
                        "kind": "pretrain" if block else "finetune",
                        "block": block,
                        "epoch": epoch,
                        "step": 2,
                        "loss": 1.0 / (epoch + 1),
                        "val_loss": 1.2 / (epoch + 1),
                        "time": float(epoch),
                    }
                )
            )
    (folder / "metrics.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    snaps = folder / "snapshots"
    snaps.mkdir()
    first = next(layer for layer in model.layers if layer.get_weights())
    kernel = first.get_weights()[0]
    np.savez(
        snaps / "pretrain-rbm1-epoch2.npz",
        filters=kernel.T,  # one filter a row, as a run stores them
        inputs=x[:4],
        reconstructions=x[:4] * 0.5,
    )
    return folder


@pytest.fixture(scope="session")
def dbn_run(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("runs") / "dbn", "dbn-digits")


def _run_python(code: str, cwd=None, timeout=240) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter where ``core`` cannot be imported."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd or "/",
        env=env,
        timeout=timeout,
    )


@pytest.fixture
def run_python():
    """run_python(code, cwd=None): run code in a fresh interpreter."""
    return _run_python


@pytest.fixture(name="make_run")
def make_run_fixture():
    """make_run(folder, template, fit=True) -> a run folder."""
    return make_run


@pytest.fixture(name="random_input")
def random_input_fixture():
    """random_input(model, batch=4, seed=0) -> a float32 batch for the model's input."""
    return random_input
