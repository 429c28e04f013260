"""A private PulseAudio server with a null sink for the benchmarks that play (no pytest).

The same set-up as the audio tests' (``tests/app/audio/pulse_helpers.py``): a foreground
server on a socket in its own folder, a null sink as the default output, and a low-latency
reader on its monitor so the sink works in small blocks as a sound card does (idle, a null
sink takes audio in 2-second blocks).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time

RATE = 44100


@contextlib.contextmanager
def null_sink(name: str = "layerwise_bench"):
    """PULSE_SERVER points at a fresh server while the block runs; yields False (and
    changes nothing) when PulseAudio or parec is not installed."""
    if not (shutil.which("pulseaudio") and shutil.which("pactl") and shutil.which("parec")):
        yield False
        return
    folder = tempfile.mkdtemp(prefix="lw-bench-")
    server = f"unix:{folder}/native"
    env = {**os.environ, "PULSE_SERVER": server}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    daemon = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "-n",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--use-pid-file=no",
            "-L",
            f"module-native-protocol-unix auth-anonymous=1 socket={folder}/native",
            "-L",
            f"module-null-sink sink_name={name} rate={RATE}",
        ],
        **quiet,
    )
    reader = None
    before = os.environ.get("PULSE_SERVER")
    try:
        for _ in range(150):
            if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        subprocess.run(["pactl", "set-default-sink", name], env=env, capture_output=True)
        reader = subprocess.Popen(
            ["parec", f"--device={name}.monitor", "--latency-msec=10"], env=env, **quiet
        )
        time.sleep(0.2)
        os.environ["PULSE_SERVER"] = server
        yield True
    finally:
        if before is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = before
        for process in (reader, daemon):
            if process is not None:
                process.terminate()
                process.wait(5)
        shutil.rmtree(folder, ignore_errors=True)
