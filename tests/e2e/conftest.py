"""Fixtures for end-to-end runs: a private Xvfb display and a private PulseAudio server with a
null sink (``layerwise_e2e``) whose monitor can be recorded.

Both are children of the test session, found by their own pids and stopped by them; neither
needs nor disturbs a desktop's display or sound server. Xvfb missing: the tests skip with the
reason. PulseAudio missing: the scenario runs with no audio device (and checks the message).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

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
        pytest.skip("Xvfb is not installed (Debian: xvfb); the end-to-end tests need a display")
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


@dataclass
class Pulse:
    server: str
    folder: str
    process: subprocess.Popen
    keepalive: subprocess.Popen | None = None

    def env(self) -> dict:
        return {**os.environ, "PULSE_SERVER": self.server}

    def pactl(self, *args) -> str:
        run = subprocess.run(
            ["pactl", *args], capture_output=True, text=True, timeout=10, env=self.env()
        )
        if run.returncode:
            raise RuntimeError(f"pactl {' '.join(args)}: {run.stderr.strip()}")
        return run.stdout


@pytest.fixture(scope="session")
def pulse():
    """A private PulseAudio (foreground, -n, its own socket) with a null sink set as default.

    As root PulseAudio refuses ``-D`` without ``--system``; in the foreground with
    ``--daemonize=no`` it only warns, which is what works here."""
    if not shutil.which("pulseaudio") or not shutil.which("pactl"):
        yield None
        return
    folder = tempfile.mkdtemp(prefix="lw-e2e-pulse-")
    server = f"unix:{folder}/native"
    log = open(Path(folder) / "log", "w")  # noqa: SIM115  closed below
    process = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "-n",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--use-pid-file=no",
            "--log-target=stderr",
            "-L",
            f"module-native-protocol-unix auth-anonymous=1 socket={folder}/native",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    p = Pulse(server, folder, process)
    deadline = time.monotonic() + 15
    while True:
        try:
            p.pactl("info")
            break
        except RuntimeError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"PulseAudio did not start: {(Path(folder) / 'log').read_text()}")
            time.sleep(0.1)
    p.pactl("load-module", "module-null-sink", f"sink_name={SINK}", "rate=44100")
    p.pactl("set-default-sink", SINK)
    if shutil.which("parec"):  # keeps the idle null sink in small blocks, like a sound card
        p.keepalive = subprocess.Popen(
            ["parec", f"--device={SINK}.monitor", "--latency-msec=10"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=p.env(),
        )
    yield p
    if p.keepalive is not None:
        p.keepalive.terminate()
        p.keepalive.wait(5)
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def e2e_out(request) -> Path:
    """test-output/e2e/<test name> at the repository root (git ignores test-output/)."""
    out = ROOT / "test-output" / "e2e" / request.node.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    return out
