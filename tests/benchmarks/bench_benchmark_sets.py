"""A template trained on a polyphonic benchmark set and evaluated as the papers do.

    python tests/benchmarks/bench_benchmark_sets.py [--template lstm-pianoroll]
        [--sets jsb-chorales nottingham musedata piano-midi] [--epochs-scale F] [--limit N]

Each set comes in its own representation (88 keys from A0, its own time step), so the
template's Input block and the layers that give back one value per key are widened to 88
keys. Trains, runs `layerwise evaluate`'s figures on the test split, and prints a JSON line
per set: the figures next to the per-key Bernoulli baseline and the published ones
(negative log-likelihood in nats per step on the test split). A benchmark, not a test.
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

# Test-split NLL per step (nats): Boulanger-Lewandowski et al. 2012 (RNN-RBM, RNN-NADE) and Bai,
# Kolter and Koltun 2018 (LSTM, TCN).
PUBLISHED = {
    "jsb-chorales": {"rnn-rbm": 7.27, "rnn-nade": 5.56, "lstm": 8.45, "tcn": 8.10},
    "nottingham": {"rnn-rbm": 2.39, "lstm": 3.29, "tcn": 3.07},
    "musedata": {"rnn-rbm": 6.01},
    "piano-midi": {"rnn-rbm": 7.09},
}
KEYS = 88


def project_for(template: str, source: str, limit: int | None):
    from core import templates
    from core.project import project_from_json

    doc = json.loads(templates.template_dir().joinpath(f"{template}.json").read_text())
    keys = doc["data"].get("representation", {}).get("pitch_count", 48)
    doc["data"].update({"source": source, "limit": limit})
    for block in doc["network"]["blocks"]:
        params = block["params"]
        if block["type"] == "Input" and params["shape"][-1] == keys:
            params["shape"][-1] = KEYS
        elif params.get("units") == keys:
            params["units"] = KEYS
        elif params.get("keys") == keys:
            params["keys"] = KEYS
    return project_from_json(doc)


def measure(template: str, source: str, limit: int | None, scale: float) -> dict:
    from core.evaluate import evaluate_run
    from core.training.session import run_training

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as run:
        project = project_for(template, source, limit)
        for event in run_training(project, run, epochs_scale=scale, snapshot_every=0):
            if type(event).__name__ == "Failed":
                raise RuntimeError(event.message)
        trained = time.perf_counter() - started
        result = evaluate_run(run, pieces=8)
    return {
        "benchmark": "polyphonic",
        "template": template,
        "set": source,
        "limit": limit,
        "epochs_scale": scale,
        **{k: result.get(k) for k in ("nll_per_step", "frame_accuracy", "wrong_notes_per_window")},
        "baselines": result.get("baselines"),
        "published_nll_per_step": PUBLISHED.get(source, {}),
        "generation_overlap": {
            method: report.get("mean_overlap")
            for method, report in result.get("generation", {}).items()
            if isinstance(report, dict)
        },
        "train_seconds": round(trained, 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--template", default="lstm-pianoroll")
    parser.add_argument("--sets", nargs="+", default=list(PUBLISHED), choices=list(PUBLISHED))
    parser.add_argument("--limit", type=int, default=None, help="pieces per split (all: every one)")
    parser.add_argument("--epochs-scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    for source in args.sets:
        line = measure(args.template, source, args.limit, args.epochs_scale)
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
