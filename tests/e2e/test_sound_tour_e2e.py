"""The tour of a sound project under Xvfb (tests/e2e/sound_tour.py): the Sound settings, the
audio folder import naming its unusable files, a dbn-audio run on rendered instrument sounds,
and Audition with a clip and its reconstruction; screenshots in test-output/e2e/."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

TOUR = Path(__file__).with_name("sound_tour.py")
SHOTS = ("1-sound-settings", "2-import-dialog", "3-listening")


def test_a_sound_project_is_set_imported_trained_and_heard(xvfb, e2e_out):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(
        DISPLAY=xvfb,
        QT_QPA_PLATFORM="xcb",
        XDG_DATA_HOME=str(e2e_out / "data"),
        XDG_CONFIG_HOME=str(e2e_out / "config"),
        XDG_RUNTIME_DIR=str(e2e_out / "runtime"),
        LAYERWISE_CACHE_DIR=str(e2e_out / "cache"),
        LAYERWISE_SOUND_TOUR_CLIPS="4",
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        PYTHONFAULTHANDLER="1",
    )
    (e2e_out / "runtime").mkdir(mode=0o700)
    run = subprocess.run(
        [sys.executable, str(TOUR), str(e2e_out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    (e2e_out / "tour.log").write_text(f"exit {run.returncode}\n{run.stdout}\n---\n{run.stderr}")
    report = json.loads((e2e_out / "report.json").read_text())
    assert not report["errors"], "\n".join(report["errors"])
    assert report["platform"] == "xcb"
    from PIL import Image

    for name in SHOTS:
        with Image.open(report["shots"][name]) as im:
            colours = im.convert("RGB").resize((64, 64)).getcolors(64 * 64)
            assert colours is None or len(colours) > 8, f"{name} looks blank"
    imported = report["import"]
    assert imported["classes"] == {"bass": 4, "flute": 4, "organ": 4, "piano": 4}
    reasons = dict(imported["not_used"])
    assert set(reasons) == {"flute/empty.flac", "piano/damaged.wav"}
    assert reasons["flute/empty.flac"].startswith("empty file")
    clip = report["clip"]
    assert clip["how"] == "up and down through rbm1, rbm2"
    assert clip["frames"][1] == 64 and clip["frames"][0] >= 32
    assert 30 < clip["input_peak_hz"] < 8000 and 30 < clip["reconstruction_peak_hz"] < 8000
    assert clip["frame_error"] < 2 * clip["frame_spread"]  # the model gives something back
