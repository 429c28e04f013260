"""Many runs in one process keep no memory: each run's traced graphs (and the data and weights
they captured) go when it ends."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
import weakref
from pathlib import Path

from training_helpers import block, chain, roll_dataset

from core.training import graph_release
from core.training.events import Finished, PhaseStarted
from core.training.session import run_training

ROOT = Path(__file__).resolve().parents[3]
RUNS = 8
WARM_UP = 2  # the first runs trace the process's shared functions once
BOUND_MIB_PER_RUN = 3.0  # the runs below kept about 10 MiB each before the graphs were released


def piano_roll_autoencoder(units: int = 512):
    """An autoencoder over 16×48 piano-roll windows: one pretrained block, then fine-tuning."""
    settings = {"epochs": 1, "batch_size": 32, "learning_rate": 0.001}
    return chain(
        [
            block("input", "Input", shape=[16, 48]),
            block("flatten", "Flatten"),
            block("enc1", "Autoencoder", units=units),
        ],
        {
            "seed": 0,
            "pretraining": {"enabled": True, "blocks": {"enc1": dict(settings)}},
            "finetune": {"objective": "autoencoder", **settings},
        },
    )


def _func_graphs() -> list:
    from tensorflow.python.framework.func_graph import FuncGraph

    gc.collect()
    # A dead weak proxy raises on any look at its class: test its own type first.
    return [
        o
        for o in gc.get_objects()
        if not isinstance(o, weakref.ProxyTypes) and isinstance(o, FuncGraph)
    ]


def test_a_finished_run_leaves_no_graph_behind(tmp_path):
    data = roll_dataset(n=96, steps=16, pitches=48)
    project = piano_roll_autoencoder(units=32)
    assert isinstance(list(run_training(project, tmp_path / "warm", dataset=data))[-1], Finished)
    before = graph_release.custom_gradient_names()
    known = {id(g) for g in _func_graphs()}
    registered_while_training: set[str] = set()
    traced = []
    for event in run_training(project, tmp_path / "run", dataset=data, snapshot_every=0):
        if isinstance(event, (PhaseStarted, Finished)):
            registered_while_training |= graph_release.custom_gradient_names() - before
        if isinstance(event, Finished):
            traced = [weakref.ref(g) for g in _func_graphs() if id(g) not in known]
    # positive control: the optimizer's steps did register what would have kept the graphs
    assert registered_while_training
    assert traced
    assert graph_release.custom_gradient_names() == before
    gc.collect()
    assert [ref for ref in traced if ref() is not None] == []


def test_released_graphs_keeps_what_was_registered_before():
    registry = graph_release._registry()
    assert registry is not None  # TensorFlow is loaded by the tests above
    registry["CustomGradient-older"] = {"type": None}
    try:
        with graph_release.released_graphs():
            registry["CustomGradient-during"] = {"type": None}
        assert "CustomGradient-older" in registry
        assert "CustomGradient-during" not in registry
    finally:
        registry.pop("CustomGradient-older", None)


CHILD = """
import json, sys
from pathlib import Path
sys.path.insert(0, {helpers!r})
from training_helpers import roll_dataset
from test_training_memory import piano_roll_autoencoder
from core.training.session import run_training

def rss_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

data = roll_dataset(n=200, steps=16, pitches=48)
project = piano_roll_autoencoder()
for i in range({runs}):
    for event in run_training(project, Path({tmp!r}) / str(i), dataset=data, snapshot_every=0):
        pass
    print(json.dumps(rss_mib()), flush=True)
"""


def _slope(values: list[float]) -> float:
    """Least-squares growth per step of ``values``."""
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    spread = sum((x - mean_x) ** 2 for x in range(n))
    return sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread


def test_eight_runs_in_one_process_keep_their_memory_flat(tmp_path):
    helpers = str(Path(__file__).parent)
    script = textwrap.dedent(CHILD).format(helpers=helpers, runs=RUNS, tmp=str(tmp_path))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rss = [json.loads(line) for line in done.stdout.split()]
    assert len(rss) == RUNS
    growth = _slope(rss[WARM_UP:])
    assert growth < BOUND_MIB_PER_RUN, f"{growth:.1f} MiB a run: {rss}"
