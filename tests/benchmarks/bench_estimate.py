"""How close a first run's duration estimate comes to the run: the built-in templates with short
settings, each trained in its own process (TensorFlow as fresh as a user's run).

    .venv/bin/python tests/benchmarks/bench_estimate.py [--templates dbn-digits sda ...]
        [--shared] [--probe]

Each run gets the estimate a short first run gets (its cost at this machine's speed; with
``--probe`` a long run is timed by the probe as usual) and is timed from that estimate to its
end, as the window's countdown is. Without ``--shared`` every template has an empty runs
folder of its own ("estimated from this machine's speed"); with it they share one, so each
is corrected by the ones before it ("estimated from earlier runs on this machine"). One line
per run, then a JSON summary: actual over estimate per template, and the worst factor either
way. Wall clock: the machine's load average is printed beside each run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# template: (epochs scale, piece limit or None)
SHORT = {
    "dbn-digits": (0.1, None),
    "sda": (0.1, None),
    "conv-classifier": (0.1, None),
    "melody-vae": (0.1, None),
    "deephear": (0.1, 30),
    "dbn-generative": (0.1, 30),
    "lstm-pianoroll": (0.05, None),
    "rnn-rbm": (0.02, None),
}


def one_run(template: str, runs: Path, probe: bool) -> dict:
    """Train ``template`` briefly into ``runs``; the estimate and the time it took."""
    from core import templates
    from core.training import forecast
    from core.training.session import run_training

    if not probe:
        forecast.worth_probing = lambda batches: False  # the cost estimate, whatever the size
    scale, limit = SHORT[template]
    project = templates.load(template)
    if limit is not None:
        project.data["limit"] = limit
    estimate = said_at = None
    basis = ""
    events = run_training(project, runs / template, epochs_scale=scale, probe=True, stages=True)
    for event in events:
        name = type(event).__name__
        if name == "RunEstimate":
            estimate, basis, said_at = event.seconds, event.basis, time.perf_counter()
        elif name == "Failed":
            raise SystemExit(f"{template}: {event.message}")
    actual = time.perf_counter() - said_at if said_at is not None else None
    return {"template": template, "estimate": estimate, "actual": actual, "basis": basis}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--templates", nargs="+", default=list(SHORT), choices=list(SHORT))
    parser.add_argument("--shared", action="store_true", help="one runs folder for them all")
    parser.add_argument("--probe", action="store_true", help="let long runs be probed")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child process's template
    parser.add_argument("--runs", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print("RESULT " + json.dumps(one_run(args.one, Path(args.runs), args.probe)))
        return
    base = Path(tempfile.mkdtemp(prefix="layerwise-estimate-"))
    ratios = {}
    for template in args.templates:
        home = base / ("shared" if args.shared else template)
        env = dict(os.environ, XDG_DATA_HOME=str(home), TF_CPP_MIN_LOG_LEVEL="3")
        env["PYTHONPATH"] = str(ROOT)
        command = [sys.executable, __file__, "--one", template, "--runs", str(home / "runs")]
        done = subprocess.run(
            command + (["--probe"] if args.probe else []), capture_output=True, text=True, env=env
        )
        lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
        if done.returncode or not lines:
            print(f"{template}: failed {done.stderr.strip()[-300:]}")
            continue
        result = json.loads(lines[-1][7:])
        ratio = result["actual"] / result["estimate"]
        ratios[template] = round(ratio, 2)
        load = os.getloadavg()[0]
        print(
            f"{template:16s} estimate {result['estimate']:7.1f} s  actual {result['actual']:7.1f} s"
            f"  actual/estimate {ratio:4.2f}  ({result['basis']}; load {load:.1f})",
            flush=True,
        )
    worst = max((max(r, 1 / r) for r in ratios.values()), default=math.nan)
    print(json.dumps({"actual_over_estimate": ratios, "worst_factor": round(worst, 2)}))


if __name__ == "__main__":
    main()
