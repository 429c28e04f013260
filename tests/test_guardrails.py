"""The guardrails run with the tests: layering (import-linter), lint and format (ruff), and
the promise that reading a project never loads TensorFlow."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name):
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name)


def _run(*args):
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_import_contracts_hold():
    out = _run(_tool("lint-imports"))
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_lint_and_format():
    lint = _run(_tool("ruff"), "check", ".")
    assert lint.returncode == 0, lint.stdout
    fmt = _run(_tool("ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


def test_reading_and_validating_a_project_does_not_load_tensorflow():
    code = (
        "import sys, core, core.templates, core.validate, core.catalog, core.cli\n"
        "core.validate.validate(core.templates.load('deephear'))\n"
        "core.cli.build_parser()\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'PySide6') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
