"""`layerwise self-test`: a tiny project trained, generated and played in the real window,
heard through the PulseAudio null sink."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pretty_midi
import pytest
from pulse_helpers import RATE

pytestmark = pytest.mark.audio

ROOT = Path(__file__).resolve().parents[3]
STEPS = ("window", "train", "generate", "play", "export")


def strongest_pitch_class(audio: np.ndarray) -> int:
    """The pitch class (0 = C) holding most of the spectrum's energy between 100 and 2000 Hz."""
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio)))) ** 2
    freqs = np.fft.rfftfreq(len(audio), 1 / RATE)
    band = (freqs > 100) & (freqs < 2000)
    classes = np.round(69 + 12 * np.log2(freqs[band] / 440.0)).astype(int) % 12
    return int(np.argmax(np.bincount(classes, weights=spectrum[band], minlength=12)))


def test_self_test_trains_generates_and_plays_in_the_window(pulse, recorder, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "PULSE_SERVER": pulse.server,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
    }
    out = tmp_path / "check"
    with recorder:
        run = subprocess.run(
            [sys.executable, "-m", "app", "self-test", "--out", str(out)],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    # Libraries may print their own lines (pyfluidsynth names the library it found).
    lines = [line for line in run.stdout.splitlines() if line.split(":")[0] in STEPS]
    assert [line.split(":")[0] for line in lines] == list(STEPS)
    assert run.stdout.splitlines()[-1].startswith("self-test passed")
    assert "trained" in lines[1] and "notes over" in lines[2]
    run_dir = Path(lines[1].split("run ", 1)[1].split(",", 1)[0])
    assert (run_dir / "model.keras").is_file()
    piece = pretty_midi.PrettyMIDI(str(out / "piece.mid"))
    pitch_classes = {note.pitch % 12 for i in piece.instruments for note in i.notes}
    assert pitch_classes
    heard = recorder.sounding(threshold=0.01)
    assert len(heard) > 0.2 * RATE, "the null sink recorded silence"
    assert strongest_pitch_class(heard) in pitch_classes
    assert (out / "piece.wav").stat().st_size > 10_000


def test_a_self_test_that_cannot_train_names_the_step_and_exits_1(tmp_path):
    """The output folder is a file: the project cannot be written, and the message says so
    in one line, without a traceback."""
    blocker = tmp_path / "taken"
    blocker.write_text("")
    run = subprocess.run(
        [sys.executable, "-m", "app", "self-test", "--no-sound", "--out", str(blocker / "x")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("self-test failed:")
