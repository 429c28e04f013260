"""DeepHear measured honestly: wrong notes per window beside PCA with the same code size.

    python tests/benchmarks/bench_deephear.py [--shapes one-bar four-bar] [--limit N]
        [--epochs-scale F] [--source bach-chorales]

Trains the deephear template on its one-bar window (16 steps × 48 keys) and on the shape
DeepHear was published with (4 bars × 88 keys = 64 × 88, 5,632 cells), evaluates each run as
`layerwise evaluate` does and prints a JSON line per shape: wrong notes per window on the
training and held-out windows, the PCA / all-silent / per-key baselines on the same windows,
and the autoencoder's held-out wrong notes as a multiple of PCA's (the goal: at most 0.6).
A benchmark, not a test: tens of minutes on 2 cores at full scale.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SHAPES = {
    "one-bar": {},  # the template as shipped
    "four-bar": {
        "representation": {
            "window_steps": 64,
            "hop_steps": 16,
            "lowest_pitch": 21,
            "pitch_count": 88,
        },
        "input_shape": [64, 88],
    },
}


def project_for(shape: str, source: str, limit: int | None):
    from core import templates

    doc = json.loads(templates.template_dir().joinpath("deephear.json").read_text())
    extra = SHAPES[shape]
    doc["data"]["source"] = source
    doc["data"]["limit"] = limit
    doc["data"]["representation"].update(extra.get("representation", {}))
    if "input_shape" in extra:
        next(b for b in doc["network"]["blocks"] if b["id"] == "input")["params"]["shape"] = extra[
            "input_shape"
        ]
    from core.project import project_from_json

    return project_from_json(doc)


def measure(shape: str, source: str, limit: int | None, scale: float) -> dict:
    from core.evaluate import evaluate_run
    from core.training.session import run_training

    project = project_for(shape, source, limit)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as run:
        for event in run_training(project, run, epochs_scale=scale, snapshot_every=0):
            if type(event).__name__ == "Failed":
                raise RuntimeError(event.message)
        trained = time.perf_counter() - started
        result = evaluate_run(run, pieces=0)
    wrong, pca = result["wrong_notes_per_window"], result["baselines"]["pca"]
    return {
        "benchmark": "deephear",
        "shape": shape,
        "source": source,
        "limit": limit,
        "epochs_scale": scale,
        "window_cells": result["window_cells"],
        "code_size": result["code_size"],
        "notes_per_window": result["notes_per_window"],
        "wrong_notes_per_window": wrong,
        "baselines": result["baselines"],
        "test_vs_pca": wrong["test"] / pca["test"] if pca["test"] else None,
        "train_seconds": round(trained, 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    parser.add_argument("--source", default="bach-chorales")
    parser.add_argument("--limit", type=int, default=None, help="pieces to use (all: every one)")
    parser.add_argument("--epochs-scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    for shape in args.shapes:
        print(json.dumps(measure(shape, args.source, args.limit, args.epochs_scale)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
