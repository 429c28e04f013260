"""The dbn-audio template trained on the built-in gm-instruments set, evaluated as Hamel et
al.'s tables are: accuracy over one-second clips, per instrument family and per file, beside
the same softmax classifier on MFCCs and an SVM on MFCCs.

    python tests/benchmarks/bench_audio.py [--seeds 1] [--epochs-scale 1.0] [--out DIR]

The first run renders the set (FluidSynth, a few seconds to a minute) and caches it. For
each seed (the split's and the training's) it trains through ``run_training`` and runs
``layerwise evaluate``; the last line printed is one JSON object: per seed and averaged,
``accuracy``, ``per_class``, ``file_accuracy``, ``baselines.mfcc`` and ``baselines.svm``.

For reference: Hamel, Wood and Eck (2009), solo instruments: DBN 0.88 against SVM / MLP on
MFCCs 0.84; Hamel and Eck (2010), GTZAN genres: 0.843 against 0.790 for MFCCs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

LITERATURE = {
    "hamel-2009-solo-instruments": {"dbn": 0.88, "svm_mfcc": 0.84, "mlp_mfcc": 0.84},
    "hamel-eck-2010-gtzan": {"dbn": 0.843, "mfcc": 0.790},
}


def train_and_evaluate(seed: int, epochs_scale: float, out: Path) -> dict:
    from core import templates
    from core.evaluate import evaluate_run
    from core.training.session import run_training

    project = templates.load("dbn-audio")
    project.training["seed"] = seed
    project.data["split"]["seed"] = seed
    phases = [*project.training["pretraining"]["blocks"].values(), project.training["finetune"]]
    for settings in phases:
        settings["epochs"] = max(1, round(settings["epochs"] * epochs_scale))
    run = out / f"seed{seed}"
    started = time.perf_counter()
    events = list(run_training(project, run))
    if type(events[-1]).__name__ != "Finished":
        raise SystemExit(f"training failed: {events[-1]}")
    trained = time.perf_counter() - started
    result = evaluate_run(run, pieces=0)
    return {
        "seed": seed,
        "train_seconds": round(trained, 1),
        "accuracy": result["accuracy"],
        "per_class": result["per_class"],
        "file_accuracy": result["file_accuracy"],
        "baselines": {
            name: {"accuracy": row["accuracy"], "per_class": row["per_class"]}
            for name, row in result["baselines"].items()
            if name in ("mfcc", "svm")
        },
        "test_clips": result["samples"],
    }


def mean_table(runs: list[dict]) -> dict:
    def mean(values):
        values = [v for v in values if v is not None]
        return round(statistics.fmean(values), 4) if values else None

    classes = list(runs[0]["per_class"])
    table = {
        "accuracy": mean(r["accuracy"] for r in runs),
        "per_class": {c: mean(r["per_class"][c] for r in runs) for c in classes},
        "file_accuracy": mean(r["file_accuracy"] for r in runs),
        "baselines": {},
    }
    for name in ("mfcc", "svm"):
        rows = [r["baselines"][name] for r in runs]
        table["baselines"][name] = {
            "accuracy": mean(row["accuracy"] for row in rows),
            "per_class": {c: mean(row["per_class"][c] for row in rows) for c in classes},
        }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 (split and training)")
    parser.add_argument("--epochs-scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=None, help="keep the runs here")
    args = parser.parse_args()
    from core import templates
    from core.data import load_dataset

    started = time.perf_counter()
    dataset = load_dataset(templates.load("dbn-audio").data)
    prepared = time.perf_counter() - started
    print(f"gm-instruments: {dataset} ({prepared:.1f} s to prepare)", file=sys.stderr)
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        runs = []
        for seed in range(args.seeds):
            runs.append(train_and_evaluate(seed, args.epochs_scale, out))
            print(json.dumps(runs[-1]), file=sys.stderr)
    report = {
        "benchmark": "dbn-audio on gm-instruments",
        "files": dataset.metadata["file_counts"],
        "clips": dataset.metadata["sample_counts"],
        "dataset_seconds": round(prepared, 1),
        "seeds": args.seeds,
        **mean_table(runs),
        "runs": runs,
        "literature": LITERATURE,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
