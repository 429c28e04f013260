"""Start-up benchmark: how long from launching ``python -m app`` until the main window is
shown (offscreen). Runs it 5 times; prints each run, the median and the max, and a last line
of JSON: {"window_shown_s_median": ..., "window_shown_s_max": ...}.

The app measures from its own process start (/proc) to the first turn of the event loop
after the window is shown, prints ``window_shown_s=...`` and exits (LAYERWISE_EXIT_AFTER_SHOW).

    .venv/bin/python tests/benchmarks/bench_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def one_run(env: dict) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    wall = time.perf_counter() - started
    for line in proc.stdout.splitlines():
        if line.startswith("window_shown_s="):
            if "warning:" in proc.stdout:
                print(proc.stdout.strip(), file=sys.stderr)
            return float(line.split("=", 1)[1]), wall
    raise RuntimeError(
        f"the app did not report showing its window (exit {proc.returncode}):\n"
        f"{proc.stdout}\n{proc.stderr}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="layerwise-bench-")
    env = dict(os.environ)
    env.update(
        QT_QPA_PLATFORM="offscreen",
        LAYERWISE_EXIT_AFTER_SHOW="1",
        XDG_CONFIG_HOME=os.path.join(scratch, "config"),
        XDG_DATA_HOME=os.path.join(scratch, "data"),
        KERAS_HOME=os.path.join(scratch, "keras"),
    )
    shown = []
    for i in range(args.runs):
        value, wall = one_run(env)
        shown.append(value)
        print(f"run {i + 1}: window shown after {value:.3f} s (process wall time {wall:.3f} s)")
    median, worst = statistics.median(shown), max(shown)
    print(f"median {median:.3f} s, max {worst:.3f} s")
    print(
        json.dumps(
            {"window_shown_s_median": round(median, 3), "window_shown_s_max": round(worst, 3)}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
