"""The scripted tour of the modes under Xvfb (tests/e2e/tour.py): a screenshot of each mode at
1400×880 and at 1920×1080 in test-output/tour/, and the main views' sizes in each."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
TOUR = Path(__file__).with_name("tour.py")
SCREEN = "2000x1200x24"  # room for a 1920×1080 window
SHOTS = ("1-empty-project", "2-building", "3-training", "4-listening", "5-comparing")


@pytest.fixture(scope="module")
def big_display():
    """A private Xvfb screen large enough for both sizes of the tour."""
    if not shutil.which("Xvfb"):
        pytest.fail("Xvfb is not installed (Debian: xvfb); `make test` installs it")
    n = next(
        n
        for n in range(400, 700)
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock")
    )
    log = tempfile.TemporaryFile()  # noqa: SIM115  closed after the server stops
    server = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", SCREEN, "-nolisten", "tcp", "-noreset"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 15
    while not os.path.exists(f"/tmp/.X11-unix/X{n}"):
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"Xvfb :{n} did not start")
        time.sleep(0.05)
    yield f":{n}"
    server.terminate()
    try:
        server.wait(5)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def test_a_tour_of_the_modes_at_two_sizes(big_display):
    out = ROOT / "test-output" / "tour"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(
        DISPLAY=big_display,
        QT_QPA_PLATFORM="xcb",
        XDG_DATA_HOME=str(out / "data"),
        XDG_CONFIG_HOME=str(out / "config"),
        XDG_RUNTIME_DIR=str(out / "runtime"),
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        PYTHONFAULTHANDLER="1",
    )
    (out / "runtime").mkdir(mode=0o700)
    run = subprocess.run(
        [sys.executable, str(TOUR), str(out)], env=env, capture_output=True, text=True, timeout=1500
    )
    (out / "tour.log").write_text(f"exit {run.returncode}\n{run.stdout}\n---\n{run.stderr}")
    report = json.loads((out / "report.json").read_text())
    assert not report["errors"], "\n".join(report["errors"])
    assert report["platform"] == "xcb" and report["mode_when_training"] == "train"
    from PIL import Image

    for size in ("1400x880", "1920x1080"):
        for name in SHOTS:
            shot = report["shots"][f"{size}/{name}"]
            assert shot["window"] == [int(v) for v in size.split("x")], (size, name)
            with Image.open(shot["path"]) as im:
                assert list(im.size) == shot["window"]
                colours = im.convert("RGB").resize((64, 64)).getcolors(64 * 64)
                assert colours is None or len(colours) > 8, f"{size}/{name} looks blank"
        training = report["shots"][f"{size}/3-training"]
        assert training["mode"] == "train"
        width, height = training["window"]
        area = 0
        for view, (w, h) in training["views"].items():
            assert w >= 400 and h >= 280, (size, view, w, h)
            area += w * h
        assert len(training["views"]) == 3 and area >= 0.5 * width * height
        assert "Phase" in training["status"] and "ETA" in training["time"]
        assert report["shots"][f"{size}/4-listening"]["mode"] == "listen"
        assert report["shots"][f"{size}/5-comparing"]["mode"] == "compare"
    assert "elapsed" in report["time_after_finish"]
