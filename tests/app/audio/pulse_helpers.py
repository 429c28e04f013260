"""A private PulseAudio server with a null sink, so playback can be recorded and checked.

The server runs in the foreground as a child of the test session (started with -n: only
the modules named here), on a socket in its own folder, so it neither needs nor disturbs a
desktop's sound server. Root may run it in user mode; PulseAudio only warns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

SINK = "layerwise_test"
RATE = 44100


@dataclass
class PulseServer:
    server: str
    folder: str
    process: subprocess.Popen
    keepalive: subprocess.Popen | None = None

    def pactl(self, *args) -> str:
        run = subprocess.run(
            ["pactl", *args], capture_output=True, text=True, timeout=10, env=self.env()
        )
        if run.returncode:
            raise RuntimeError(f"pactl {' '.join(args)}: {run.stderr.strip()}")
        return run.stdout

    def env(self) -> dict:
        return {**os.environ, "PULSE_SERVER": self.server}


def start_pulse(*sinks: str) -> PulseServer:
    if not shutil.which("pulseaudio") or not shutil.which("pactl"):
        pytest.fail(
            "PulseAudio is not installed (Debian: pulseaudio, pulseaudio-utils); `make test` "
            "installs it"
        )
    folder = tempfile.mkdtemp(prefix="lw-pulse-")  # short: socket paths are limited to 108
    server = f"unix:{folder}/native"
    command = [
        "pulseaudio",
        "--daemonize=no",
        "-n",
        "--exit-idle-time=-1",
        "--disallow-exit",
        "--use-pid-file=no",
        "--log-target=stderr",
        "-L",
        f"module-native-protocol-unix auth-anonymous=1 socket={folder}/native",
    ]
    for sink in sinks:
        command += ["-L", f"module-null-sink sink_name={sink} rate={RATE}"]
    log = open(Path(folder) / "log", "w")  # noqa: SIM115  closed with the server
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    pulse = PulseServer(server, folder, process)
    deadline = time.monotonic() + 15
    while True:
        try:
            pulse.pactl("info")
            break
        except RuntimeError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_pulse(pulse)
                text = (Path(folder) / "log").read_text()[-500:]
                pytest.fail(f"PulseAudio did not start: {text}")
            time.sleep(0.1)
    if sinks:
        pulse.pactl("set-default-sink", sinks[0])
        if shutil.which("parec"):
            # An idle null sink renders in 2-second blocks, so a new stream waits up to 2 s
            # before its first sample is taken. A low-latency reader on the monitor keeps the
            # sink in small blocks, as a real sound card would be.
            pulse.keepalive = subprocess.Popen(
                ["parec", f"--device={sinks[0]}.monitor", "--latency-msec=10"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=pulse.env(),
            )
            time.sleep(0.2)
    return pulse


def stop_pulse(pulse: PulseServer) -> None:
    if pulse.keepalive is not None and pulse.keepalive.poll() is None:
        pulse.keepalive.terminate()
        pulse.keepalive.wait(5)
    if pulse.process.poll() is None:
        pulse.process.terminate()
        try:
            pulse.process.wait(5)
        except subprocess.TimeoutExpired:
            pulse.process.kill()
    shutil.rmtree(pulse.folder, ignore_errors=True)


def use_server(server: str | None) -> None:
    """Point this process's audio at a server and make PortAudio list devices afresh."""
    if server is None:
        os.environ.pop("PULSE_SERVER", None)
    else:
        os.environ["PULSE_SERVER"] = server
    if "sounddevice" in sys.modules:
        from app.audio import refresh_devices

        refresh_devices()


class Recorder:
    """Records the null sink's monitor with parec while a block runs."""

    def __init__(self, pulse: PulseServer):
        if not shutil.which("parec"):
            pytest.fail(
                "parec is not installed (Debian: pulseaudio-utils); `make test` installs it"
            )
        self.pulse = pulse
        self.path = Path(pulse.folder) / "recording.raw"

    def __enter__(self):
        self.file = open(self.path, "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                "parec",
                f"--device={SINK}.monitor",
                "--format=float32le",
                f"--rate={RATE}",
                "--channels=1",
                "--latency-msec=20",
            ],
            stdout=self.file,
            env=self.pulse.env(),
        )
        time.sleep(0.3)  # let the recording stream connect before anything plays
        return self

    def __exit__(self, *exc):
        time.sleep(0.3)
        self.process.terminate()
        self.process.wait(5)
        self.file.close()
        self.audio = np.fromfile(self.path, dtype="<f4")

    def sounding(self, threshold: float = 0.02) -> np.ndarray:
        loud = np.flatnonzero(np.abs(self.audio) > threshold)
        return self.audio[loud[0] : loud[-1] + 1] if loud.size else self.audio[:0]
