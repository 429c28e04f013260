"""Shared test set-up: offscreen Qt, quiet TensorFlow, and private config and cache folders
so tests never touch the user's own."""

import os
import tempfile

_ROOT = tempfile.mkdtemp(prefix="layerwise-tests-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["KERAS_HOME"] = os.path.join(_ROOT, "keras")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_ROOT, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_ROOT, "data")
os.environ.setdefault("LAYERWISE_CACHE_DIR", os.path.join(_ROOT, "cache"))
# One thread of work keeps the suite's timing steady on a shared 2-core machine.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")

# The test extra's packages (pyproject.toml). One that is missing fails the run at once
# instead of letting its tests skip quietly.
TEST_DEPENDENCIES = {
    "pytestqt": "pytest-qt",
    "importlinter": "import-linter",
    "mypy": "mypy",
    "ruff": "ruff",
    "hypothesis": "hypothesis",
}


def pytest_configure(config):
    import importlib.util

    import pytest

    missing = [
        package
        for module, package in TEST_DEPENDENCIES.items()
        if not importlib.util.find_spec(module)
    ]
    if missing:
        raise pytest.UsageError(
            f"missing test dependencies: {', '.join(missing)}; install them with "
            "pip install -e '.[test]' (make test does)"
        )
