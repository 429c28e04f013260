"""`layerwise train` in a subprocess: exit codes and the run folder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from training_helpers import dbn_project

from core import project as project_io

ROOT = Path(__file__).resolve().parents[3]


def _train(*args, cwd=ROOT, **env_changes):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **env_changes)
    return subprocess.run(
        [sys.executable, "-m", "core", "train", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_cli_trains_a_tiny_project_and_fails_clearly(tmp_path):
    project = dbn_project(epochs=1, finetune_epochs=1)
    project.data["limit"] = 200
    path = project_io.save(project, tmp_path / "p.json")
    out = tmp_path / "run"
    done = _train(path, "--out", out, "--no-pretraining", XDG_DATA_HOME=str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    assert "phase 1/1: fine-tune" in done.stdout and "finished" in done.stdout
    # no earlier run: the first run's size at this machine's speed, before its first phase
    said = "(estimated from this machine's speed)\nphase 1/1"
    assert re.search(r"estimated duration: about \d+ s " + re.escape(said), done.stdout)
    one = json.loads((out / "summary.json").read_text())
    assert one["pretraining"] is False

    resumed = _train(path, "--out", tmp_path / "other", "--resume")
    assert resumed.returncode == 1
    assert "no checkpoint" in resumed.stderr and "Traceback" not in resumed.stderr
    assert len(resumed.stderr.strip().splitlines()) == 1

    # two logical CPUs: fine-tuning under MirroredStrategy matches the single-device run
    mirrored = _train(
        path,
        "--out",
        tmp_path / "m",
        "--no-pretraining",
        "--strategy",
        "mirrored",
        "--cpu-replicas",
        "2",
    )
    assert mirrored.returncode == 0, mirrored.stderr
    two = json.loads((tmp_path / "m" / "summary.json").read_text())
    assert (two["strategy"], two["replicas"]) == ("mirrored", 2)
    assert (one["strategy"], one["replicas"]) == ("default", 1)
    assert abs(one["evaluation"]["loss"] - two["evaluation"]["loss"]) < 1e-4

    missing = _train(tmp_path / "nope.json", "--out", tmp_path / "x")
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_ctrl_c_stops_with_a_checkpoint_and_resume_finishes(tmp_path):
    import signal
    import time

    project = dbn_project(epochs=40, finetune_epochs=2)
    project.data["limit"] = 300
    path = project_io.save(project, tmp_path / "p.json")
    out = tmp_path / "run"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.Popen(
        [sys.executable, "-m", "core", "train", str(path), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.time() + 120
    for line in proc.stdout:
        if "epoch 2/40" in line or time.time() > deadline:
            break
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "stopped in phase 1" in rest and "--resume" in rest
    assert (out / "checkpoints" / "state.json").exists()
    assert not (out / "model.keras").exists()
    resumed = _train(path, "--out", out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "model.keras").exists()
    lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    seen = [(line["phase_index"], line["epoch"]) for line in lines]
    expected = [(0, e) for e in range(40)] + [(1, e) for e in range(40)] + [(2, 0), (2, 1)]
    assert seen == expected
