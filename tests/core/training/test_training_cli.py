"""`layerwise train` in a subprocess: exit codes and the run folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from training_helpers import dbn_project

from core import project as project_io

ROOT = Path(__file__).resolve().parents[3]


def _train(*args, cwd=ROOT):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-m", "core", "train", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=env)


def test_cli_trains_a_tiny_project_and_fails_clearly(tmp_path):
    project = dbn_project(epochs=1, finetune_epochs=1)
    project.data["limit"] = 200
    path = project_io.save(project, tmp_path / "p.json")
    out = tmp_path / "run"
    done = _train(path, "--out", out)
    assert done.returncode == 0, done.stderr
    assert "phase 1/3: pretrain rbm1" in done.stdout and "finished" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pretraining"] is True

    resumed = _train(path, "--out", tmp_path / "other", "--resume")
    assert resumed.returncode == 1
    assert "no checkpoint" in resumed.stderr and "Traceback" not in resumed.stderr
    assert len(resumed.stderr.strip().splitlines()) == 1

    plain = _train(path, "--out", tmp_path / "plain", "--no-pretraining")
    assert plain.returncode == 0, plain.stderr
    # two logical CPUs: fine-tuning under MirroredStrategy matches the single-device run
    mirrored = _train(path, "--out", tmp_path / "m", "--no-pretraining", "--strategy",
                      "mirrored", "--cpu-replicas", "2")
    assert mirrored.returncode == 0, mirrored.stderr
    one = json.loads((tmp_path / "plain" / "summary.json").read_text())
    two = json.loads((tmp_path / "m" / "summary.json").read_text())
    assert (two["strategy"], two["replicas"]) == ("mirrored", 2)
    assert (one["strategy"], one["replicas"]) == ("default", 1)
    assert abs(one["evaluation"]["loss"] - two["evaluation"]["loss"]) < 1e-4

    missing = _train(tmp_path / "nope.json", "--out", tmp_path / "x")
    assert missing.returncode == 1 and "no such file" in missing.stderr
