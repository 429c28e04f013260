"""The CLI's contract: commands, output, exit codes 0 / 1 / 2, no tracebacks for bad input."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def layerwise(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "core", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def test_version_and_templates():
    assert layerwise("--version").stdout.startswith("layerwise ")
    out = layerwise("templates")
    assert out.returncode == 0
    names = [line.split("\t")[0] for line in out.stdout.splitlines()]
    assert names[:6] == [
        "deephear",
        "dbn-digits",
        "sda",
        "conv-classifier",
        "melody-vae",
        "lstm-pianoroll",
    ]


def test_new_validate_info(tmp_path):
    path = tmp_path / "dbn.json"
    assert layerwise("new", "--template", "dbn-digits", path).returncode == 0
    again = layerwise("new", "--template", "dbn-digits", path)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert layerwise("validate", path).returncode == 0
    info = layerwise("info", path, "--json")
    assert info.returncode == 0
    data = json.loads(info.stdout)
    assert data["total_params"] == 85322
    blocks = ["input", "flatten", "rbm1", "drop1", "rbm2", "drop2", "classes"]
    assert [b["id"] for b in data["blocks"]] == blocks
    assert data["blocks"][2] == {
        "id": "rbm1",
        "type": "RBM",
        "output_shape": [256],
        "params": 16704,
        "pretrain": "rbm",
    }
    text = layerwise("info", path)
    assert "total parameters: 85,322" in text.stdout


def test_validate_reports_one_line_per_problem_naming_the_block(tmp_path):
    path = tmp_path / "p.json"
    layerwise("new", "--template", "sda", path)
    doc = json.loads(path.read_text())
    doc["network"]["blocks"][2]["params"]["units"] = "many"
    doc["network"]["blocks"][3]["type"] = "Quantum"
    path.write_text(json.dumps(doc))
    before = path.read_bytes()
    out = layerwise("validate", path)
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "block dae1: parameter 'units' must be a whole number" in lines[0]
    assert "block dae2: unknown block type 'Quantum'" in lines[1]
    assert "Traceback" not in out.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", ['{"format": "layerwise-project", "vers', "", "\x00\x01"])
def test_bad_files_exit_1_with_one_line(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    for command in ("validate", "info"):
        out = layerwise(command, path)
        assert out.returncode == 1
        assert len(out.stderr.strip().splitlines()) == 1
        assert "Traceback" not in out.stderr


def test_usage_errors_exit_2():
    assert layerwise("validate").returncode == 2
    assert layerwise("new", "x.json").returncode == 2
    assert layerwise("frobnicate").returncode == 2


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["songs/dbn.json"],
        ["piece.mid"],
        ["net.keras"],
        ["."],
        ["play", "piece.mid"],
        ["self-test"],
    ],
)
def test_the_window_and_play_need_the_app_entry_point(argv):
    """`python -m core` is headless: asked for the window or `play`, it names the commands
    that need `layerwise` in one line and exits 2."""
    out = layerwise(*argv)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "`play`" in lines[0] and "run `layerwise`" in lines[0]
    assert "Traceback" not in out.stderr


def test_headless_help_lists_no_app_command():
    out = layerwise("--help")
    assert out.returncode == 0
    assert "    validate" in out.stdout and "    play" not in out.stdout
