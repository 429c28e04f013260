"""A real window under Xvfb: train DeepHear (small) with the live views, generate, play into a
PulseAudio null sink, export, twin run, and screenshots of each screen.

The scenario runs in its own process (tests/e2e/scenario.py) on the xcb platform; this side
starts the display and the sound server and checks what it reports and wrote. Screenshots
are kept in test-output/e2e/<test name>/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

SCENARIO = Path(__file__).with_name("scenario.py")


def _run_scenario(out: Path, display: str, pulse, extra_env=None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("QT_QPA_PLATFORM", "PULSE_SERVER", "WAYLAND_DISPLAY")
    }
    env.update(
        DISPLAY=display,
        QT_QPA_PLATFORM="xcb",
        XDG_DATA_HOME=str(out / "data"),
        XDG_CONFIG_HOME=str(out / "config"),
        XDG_RUNTIME_DIR=str(out / "runtime"),
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        PYTHONFAULTHANDLER="1",
    )
    (out / "runtime").mkdir(mode=0o700, exist_ok=True)
    if pulse is not None:
        env["PULSE_SERVER"] = pulse.server
    env.update(extra_env or {})
    run = subprocess.run(
        [sys.executable, str(SCENARIO), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    (out / "scenario.log").write_text(
        f"exit status {run.returncode}\n{run.stdout}\n--- stderr ---\n{run.stderr}"
    )
    report_file = out / "report.json"
    assert report_file.exists(), f"the scenario wrote no report:\n{run.stderr[-3000:]}"
    report = json.loads(report_file.read_text())
    assert not report["errors"], "\n".join(report["errors"])
    return report


def test_train_generate_play_export_in_a_real_window(xvfb, pulse, e2e_out):
    report = _run_scenario(e2e_out, xvfb, pulse)
    assert report["platform"] == "xcb"
    # Training ran with the live views and finished; the blocks ended trained.
    assert report["run_dir"] and os.path.isfile(os.path.join(report["run_dir"], "model.keras"))
    assert set(report["block_states"].values()) == {"trained"}
    assert report["curve_points"] and all(n >= 1 for n in report["curve_points"].values())
    assert "Phase" in report["mid_training_status"]
    assert "ETA" in report["mid_training_time"]
    assert report["snapshots_listed_during_training"] >= 1
    # A piece was generated and played.
    assert report["piece_notes"] > 0
    assert report["renderer"] in ("fluidsynth", "built-in synthesiser")
    assert report["playhead_quarters"] > 0.5
    assert report["audio_message"] == ""
    assert report["recorded_seconds"] > 1.0
    assert report["recorded_rms"] > 0.005, "the null sink recorded silence"
    # Exports and screenshots are real files.
    for path in report["exports"]:
        assert os.path.getsize(path) > 100, path
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(report["exports"][0])
    assert sum(len(i.notes) for i in pm.instruments) > 0
    from PIL import Image

    for key in ("editor", "dashboard_training", "dashboard_finished", "audition", "twin"):
        path = report["screenshots"][key]
        with Image.open(path) as im:
            assert im.width > 600 and im.height > 300, (key, im.size)
            colours = im.convert("RGB").resize((64, 64)).getcolors(64 * 64)
            assert colours is None or len(colours) > 8, f"{key} looks blank"
    assert report["twin_runs"] is not None
    assert report["closed"]
    # Started again: the run is listed, shown from disk, and compared with the twins.
    assert report["run_dir"] in report["runs_listed"]
    assert report["reopened_run"] == report["run_dir"]
    assert report["reopened_curves"] >= 1 and report["reopened_filters"]
    assert report["compared_runs"] == 3
    # File › Export Model… wrote an ONNX model of the run that runs and gives the decoder's
    # output shape; File › Import Keras Model… put the run's model back, with its weights.
    assert report["export_sources"][0].startswith("the trained run")
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(report["onnx"], providers=["CPUExecutionProvider"])
    feed = session.get_inputs()[0]
    shape = (2, *(int(size) for size in feed.shape[1:]))
    outputs = session.run(None, {feed.name: np.zeros(shape, np.float32)})
    assert outputs[0].shape == shape
    assert report["imported_blocks"] >= 3
    model_file = os.path.realpath(os.path.join(report["run_dir"], "model.keras"))
    assert report["imported_weights"]["path"] == model_file
    assert report["import_message"].startswith("Imported model.keras")
    for key in ("runs", "compare"):
        with Image.open(report["screenshots"][key]) as im:
            assert im.width > 600 and im.height > 300, (key, im.size)
