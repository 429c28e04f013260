import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the runs helper beside the tests

import runs  # noqa: E402


@pytest.fixture(scope="session")
def run_root(tmp_path_factory):
    return tmp_path_factory.mktemp("generation-runs")


@pytest.fixture(scope="session")
def ae_run(run_root):
    return runs.autoencoder_run(run_root / "ae", bare_encoder=run_root / "encoder.keras")


@pytest.fixture(scope="session")
def bare_encoder(ae_run, run_root):
    return run_root / "encoder.keras"


@pytest.fixture(scope="session")
def dbn_run(run_root):
    return runs.dbn_run(run_root / "dbn")


@pytest.fixture(scope="session")
def digits_run(run_root):
    return runs.dbn_run(run_root / "digits", data=runs.DIGITS_DATA, shape=(8, 8))


@pytest.fixture(scope="session")
def vae_run(run_root):
    return runs.vae_run(run_root / "vae")


@pytest.fixture(scope="session")
def lstm_run(run_root):
    return runs.lstm_run(run_root / "lstm")
