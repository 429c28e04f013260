"""The DBN as a generative model: samples of the up-down fine-tuned stack against samples of
the greedily trained stack, by the statistics ``layerwise evaluate`` reports under
``generation`` (Yang and Lerch 2020 overlaps with held-out pieces).

    python tests/benchmarks/bench_dbn_generative.py [--source bach-chorales] [--limit N]
        [--epochs-scale F] [--pieces 32] [--out RUN]

Trains the dbn-generative template (greedy CD pretraining of three RBMs, then wake-sleep
fine-tuning), evaluates the run as ``layerwise evaluate RUN --pieces N`` does and prints one
JSON line: the reconstruction figures, and per sampler (``dbn-memory`` after fine-tuning,
``dbn-memory (before fine-tuning)``) the mean overlap and each statistic's mean against the
corpus's. A benchmark, not a test: minutes on 2 cores at full scale.
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

SAMPLERS = ("dbn-memory", "dbn-memory (before fine-tuning)")


def project_for(source: str, limit: int | None, finetune: dict | None = None):
    from core import templates
    from core.catalog.data import sample_shape
    from core.project import project_from_json

    doc = json.loads(templates.template_dir().joinpath("dbn-generative.json").read_text())
    doc["data"]["source"] = source
    doc["data"]["limit"] = limit
    doc["training"]["finetune"].update(finetune or {})
    if source != "bach-chorales":  # a benchmark set keeps its own 88 keys and time step
        rep = doc["data"]["representation"]
        rep.update(window_steps=16, hop_steps=4, transpose=[0, 0])
        shape = sample_shape(doc["data"])
        next(b for b in doc["network"]["blocks"] if b["id"] == "input")["params"]["shape"] = shape
    return project_from_json(doc)


def sampler_figures(report: dict) -> dict:
    if "error" in report:
        return {"error": report["error"]}
    stats = report["statistics"]
    return {
        "mean_overlap": report["mean_overlap"],
        "overlap": {name: s["overlap"] for name, s in stats.items()},
        "generated": {name: s["generated"] for name, s in stats.items() if _scalar(s)},
        "corpus": {name: s["corpus"] for name, s in stats.items() if _scalar(s)},
    }


def _scalar(stat: dict) -> bool:
    return isinstance(stat["generated"], float)


def greedy_wrong_notes(run: str, split: str = "test") -> float:
    """Wrong notes per held-out window of the greedy stack's reconstruction from the top."""
    import numpy as np

    from core.data import load_dataset
    from core.evaluate.splits import held_out
    from core.music.generation import GenerationModel
    from core.runs import PRETRAINED, RunFolder

    greedy = GenerationModel(run, model_file=PRETRAINED)
    dataset = load_dataset(RunFolder(run).read_project_json()["data"])
    x = np.asarray(held_out(dataset, split)[0], np.float32)
    rebuilt = np.concatenate([greedy.reconstruct(x[i : i + 1024]) for i in range(0, len(x), 1024)])
    wrong = np.abs((rebuilt.reshape(x.shape) > 0.5) - x).reshape(len(x), -1).sum(-1)
    return float(wrong.mean())


def measure(
    source: str,
    limit: int | None,
    scale: float,
    pieces: int,
    out: str | None,
    finetune: dict | None = None,
) -> dict:
    from core.evaluate import evaluate_run
    from core.training.session import run_training

    project = project_for(source, limit, finetune)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        run = out or scratch
        for event in run_training(project, run, epochs_scale=scale, snapshot_every=0):
            if type(event).__name__ == "Failed":
                raise RuntimeError(event.message)
        trained = time.perf_counter() - started
        result = evaluate_run(run, pieces=pieces)
        before = greedy_wrong_notes(run)
    generation = result.get("generation", {})
    return {
        "benchmark": "dbn-generative",
        "source": source,
        "limit": limit,
        "epochs_scale": scale,
        "pieces": pieces,
        "finetune": project.finetune_settings(),
        "wrong_notes_per_window": result.get("wrong_notes_per_window"),
        "wrong_notes_per_window_before_fine_tuning": {"test": before},
        "notes_per_window": result.get("notes_per_window"),
        "baselines": result.get("baselines"),
        "samplers": {name: sampler_figures(generation.get(name, {})) for name in SAMPLERS},
        "train_seconds": round(trained, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default="bach-chorales", help="bach-chorales or jsb-chorales")
    parser.add_argument("--limit", type=int, default=None, help="pieces of the source to use")
    parser.add_argument("--epochs-scale", type=float, default=1.0)
    parser.add_argument("--pieces", type=int, default=32, help="pieces generated per sampler")
    parser.add_argument("--out", default=None, help="keep the run in this folder")
    parser.add_argument("--finetune-epochs", type=int, default=None)
    parser.add_argument("--finetune-lr", type=float, default=None)
    args = parser.parse_args(argv)
    finetune = {
        k: v
        for k, v in (("epochs", args.finetune_epochs), ("learning_rate", args.finetune_lr))
        if v is not None
    }
    figures = measure(args.source, args.limit, args.epochs_scale, args.pieces, args.out, finetune)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
