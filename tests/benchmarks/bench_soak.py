"""Soak benchmark: train, generate, render and export in a loop, memory sampled throughout.

Each round trains the DeepHear template for a fraction of its epochs on random piano-roll
pieces (a piece file made here, so nothing is downloaded), generates 8 bars from the run,
renders them with the built-in synthesiser and exports the model as .keras and Python, then
removes the round's files. The process's resident memory is read after every round and by a
sampler every few seconds. Rounds after the first two (warm-up: TensorFlow, the graph
caches) are fitted with a line; its slope is the growth. The last line is JSON:
{"rounds": ..., "minutes": ..., "rss_start_mib": ..., "rss_end_mib": ..., "peak_mib": ...,
 "growth_mib": ..., "growth_mib_per_round": ..., "growth_mib_per_hour": ...}.

    nice .venv/bin/python tests/benchmarks/bench_soak.py [--minutes 60] [--epochs-scale 0.05]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def rss_mib() -> float:
    """Resident memory of this process now (Linux)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Sampler(threading.Thread):
    """Reads the resident memory every ``every`` seconds; keeps the peak."""

    def __init__(self, every: float) -> None:
        super().__init__(daemon=True)
        self.every, self.peak, self.samples = every, 0.0, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.peak = max(self.peak, rss_mib())
            self.samples += 1


def make_project(folder: Path):
    """DeepHear over a piece file of random chorale-like pieces."""
    import numpy as np

    from core import templates
    from core.data.pieces import save_pieces

    project = templates.load("deephear")
    rep = dict(project.data["representation"])
    rng = np.random.default_rng(0)
    rolls = [(rng.random((128, rep["pitch_count"])) < 0.08).astype(np.float32) for _ in range(6)]
    path = folder / "pieces.npz"
    save_pieces(path, rolls, [f"piece {i}" for i in range(6)], rep, [])
    project.data.update(source="npz", path=str(path))
    return project


def one_round(project, folder: Path, index: int, epochs_scale: float) -> dict:
    from core.export import export_model
    from core.music.generation import generate
    from core.music.render import BUILTIN, render
    from core.training.events import Failed
    from core.training.session import run_training

    run = folder / f"run{index}"
    times = {}
    start = time.perf_counter()
    for event in run_training(project, run, epochs_scale=epochs_scale, snapshot_every=0):
        if isinstance(event, Failed):
            raise SystemExit(f"training failed: {event.message}")
    times["train_s"] = time.perf_counter() - start
    start = time.perf_counter()
    roll = generate(run, bars=8, seed=index)
    times["generate_s"] = time.perf_counter() - start
    start = time.perf_counter()
    render(roll, 22050, renderer=BUILTIN)
    times["render_s"] = time.perf_counter() - start
    start = time.perf_counter()
    for fmt, name in (("keras", "model.keras"), ("python", "model.py")):
        export_model(run, fmt, folder / f"{index}-{name}")
    times["export_s"] = time.perf_counter() - start
    shutil.rmtree(run)
    for path in folder.glob(f"{index}-*"):
        path.unlink()
    return times


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points; NaN for fewer than two distinct x."""
    if len(points) < 2:
        return float("nan")
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return float("nan")
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def growth(rounds: list[dict], warm_up: int = 2) -> float:
    """MiB per hour: the slope of resident memory over time after the warm-up rounds."""
    return slope([(r["t"], r["rss_mib"]) for r in rounds[warm_up:]]) * 3600


def per_round(rounds: list[dict], warm_up: int = 2) -> float:
    """MiB per round: the slope of resident memory over the rounds after the warm-up."""
    return slope([(r["round"], r["rss_mib"]) for r in rounds[warm_up:]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="how long to loop")
    parser.add_argument("--epochs-scale", type=float, default=0.05, help="of the template's")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds")
    args = parser.parse_args()

    sampler = Sampler(args.sample_every)
    sampler.start()
    began = time.perf_counter()
    rounds: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="layerwise-soak-") as tmp:
        folder = Path(tmp)
        project = make_project(folder)
        while time.perf_counter() - began < args.minutes * 60 or len(rounds) < 3:
            times = one_round(project, folder, len(rounds), args.epochs_scale)
            record = {"round": len(rounds), "t": time.perf_counter() - began, "rss_mib": rss_mib()}
            record.update({k: round(v, 2) for k, v in times.items()})
            rounds.append(record)
            print(json.dumps(record), flush=True)
    sampler.stopped.set()
    warm = rounds[min(2, len(rounds) - 1)]
    result = {
        "rounds": len(rounds),
        "minutes": round((time.perf_counter() - began) / 60, 1),
        "rss_start_mib": round(warm["rss_mib"], 1),
        "rss_end_mib": round(rounds[-1]["rss_mib"], 1),
        "peak_mib": round(max(sampler.peak, *(r["rss_mib"] for r in rounds)), 1),
        "growth_mib": round(rounds[-1]["rss_mib"] - warm["rss_mib"], 1),
        "growth_mib_per_round": round(per_round(rounds), 2),
        "growth_mib_per_hour": round(growth(rounds), 1),
        "samples": sampler.samples,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
