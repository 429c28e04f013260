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

    mirrored = _train(path, "--out", tmp_path / "m", "--strategy", "mirrored")
    assert mirrored.returncode == 1 and "not available yet" in mirrored.stderr

    missing = _train(tmp_path / "nope.json", "--out", tmp_path / "x")
    assert missing.returncode == 1 and "no such file" in missing.stderr
