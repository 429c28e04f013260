"""Fixtures for end-to-end runs: a private Xvfb display and a private PulseAudio server with a
null sink (``layerwise_e2e``) whose monitor can be recorded.

Both are children of the test session, found by their own pids and stopped by them; neither
needs nor disturbs a desktop's display or sound server. Xvfb or PulseAudio missing fails the
tests with the package to install (`make test` installs both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app" / "audio"))
from pulse_helpers import start_pulse, stop_pulse  # noqa: E402

SINK = "layerwise_e2e"
ROOT = Path(__file__).resolve().parents[2]


def _free_display() -> int:
    for n in range(99, 400):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            return n
    raise RuntimeError("no free X display number")


@pytest.fixture(scope="session")
def xvfb():
    """DISPLAY of a fresh Xvfb server (1600×1000, 24-bit)."""
    if not shutil.which("Xvfb"):
        pytest.fail(
            "Xvfb is not installed (Debian: xvfb); the end-to-end tests need a display and "
            "`make test` installs it"
        )
    n = _free_display()
    log = tempfile.TemporaryFile()  # noqa: SIM115  closed after the server stops
    process = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp", "-noreset"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while not os.path.exists(f"/tmp/.X11-unix/X{n}"):
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            text = log.read().decode(errors="replace")[-400:]
            process.kill()
            pytest.fail(f"Xvfb :{n} did not start: {text}")
        time.sleep(0.05)
    yield f":{n}"
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def pulse():
    """A private PulseAudio with a null sink set as default (the audio tests' helper). Missing
    PulseAudio fails the test: `make test` installs it."""
    server = start_pulse(SINK)
    yield server
    stop_pulse(server)


@pytest.fixture
def e2e_out(request) -> Path:
    """test-output/e2e/<test name> at the repository root (git ignores test-output/)."""
    out = ROOT / "test-output" / "e2e" / request.node.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return out
