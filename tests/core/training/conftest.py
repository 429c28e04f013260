"""Fixtures for the training tests."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from training_helpers import roll_dataset  # noqa: E402


@pytest.fixture(scope="session")
def digits():
    from core.data import load_dataset

    return load_dataset(
        {"source": "digits", "limit": 400, "split": {"validation": 0.1, "test": 0.2, "seed": 0}}
    )


@pytest.fixture(scope="session")
def rolls():
    return roll_dataset()
