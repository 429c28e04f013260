"""Pretraining against no pretraining on the dbn-digits template (or another project).

    python tests/benchmarks/bench_pretraining.py [--seeds 5] [--fractions 1.0 0.1]
        [--project resources/templates/dbn-digits.json] [--set training.finetune.epochs=30 ...]

Trains the same network with and without greedy pretraining, for the same fine-tuning
epochs, for each seed and label fraction, and prints a table of held-out accuracy (mean ± sd
over seeds); the last line is JSON. A benchmark, not a test: minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _set(doc: dict, dotted: str, value) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        doc = doc.setdefault(key, {})
    doc[keys[-1]] = value


def train_once(project, pretraining: bool, dataset, scale: float) -> dict:
    from core.training.session import run_training

    with tempfile.TemporaryDirectory() as run:
        for event in run_training(
            project,
            run,
            pretraining=pretraining,
            dataset=dataset,
            epochs_scale=scale,
            snapshot_every=0,
        ):
            name = type(event).__name__
            if name == "Failed":
                raise RuntimeError(event.message)
            if name == "Finished":
                return event.summary
    raise RuntimeError("the session ended without Finished")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", default=str(ROOT / "resources/templates/dbn-digits.json"))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--fractions", type=float, nargs="+", default=[1.0, 0.1])
    parser.add_argument("--epochs-scale", type=float, default=1.0)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=JSON",
        help="override a project field, e.g. training.finetune.epochs=20",
    )
    parser.add_argument("--only", choices=("both", "pretrained", "random"), default="both")
    args = parser.parse_args(argv)

    from core.data import load_dataset
    from core.project import project_from_json

    doc = json.loads(Path(args.project).read_text())
    for item in args.set:
        key, _, value = item.partition("=")
        _set(doc, key, json.loads(value))
    dataset = load_dataset(project_from_json(doc).data)
    modes = {"both": (True, False), "pretrained": (True,), "random": (False,)}[args.only]
    results = {}
    t0 = time.time()
    for fraction in args.fractions:
        for pretraining in modes:
            accs = []
            for seed in range(args.seeds):
                d = json.loads(json.dumps(doc))
                d["training"]["seed"] = seed
                d["training"]["finetune"]["label_fraction"] = fraction
                summary = train_once(project_from_json(d), pretraining, dataset, args.epochs_scale)
                accs.append(summary["evaluation"]["accuracy"])
            key = f"{'pretrained' if pretraining else 'random'}@{fraction:g}"
            results[key] = {
                "mean": statistics.mean(accs),
                "sd": statistics.pstdev(accs),
                "runs": accs,
            }
            print(
                f"{key:>18}: {results[key]['mean']:.4f} ± {results[key]['sd']:.4f}  "
                f"({', '.join(f'{a:.3f}' for a in accs)})  [{time.time() - t0:.0f}s]",
                flush=True,
            )
    print(
        json.dumps(
            {
                "project": args.project,
                "overrides": args.set,
                "seeds": args.seeds,
                "results": {k: round(v["mean"], 4) for k, v in results.items()},
                "runs": {k: [round(a, 4) for a in v["runs"]] for k, v in results.items()},
                "target": {"pretrained@1": 0.98},
                "seconds": round(time.time() - t0),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
