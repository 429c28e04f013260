"""A run folder that learns sound, made on the spot: a folder of tones (one subfolder per
class) as its data and a saved Keras model whose output is its input (an autoencoder that
has learned the identity), so a clip's reconstruction sounds at the clip's own pitch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

RATE = 8000
PITCHES = {"high": 660.0, "low": 220.0}
AUDIO = {
    "sample_rate": RATE,
    "kind": "dft",
    "n_fft": 256,
    "hop_length": 128,
    "frames_per_window": 8,
    "window_hop": 4,
    "max_seconds_per_file": 5.0,
}


def tone(hz: float, seconds: float = 1.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def sound_folder(root: Path, per_class: int = 2) -> Path:
    import soundfile

    for name, hz in PITCHES.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            soundfile.write(str(root / name / f"{name}{i}.wav"), tone(hz), RATE)
    return root


def identity_model(path: Path, frames: int, bins: int) -> Path:
    import keras

    size = frames * bins
    model = keras.Sequential(
        [
            keras.Input((frames, bins)),
            keras.layers.Flatten(),
            keras.layers.Dense(size, name="code"),
            keras.layers.Reshape((frames, bins)),
        ]
    )
    dense = model.get_layer("code")
    dense.set_weights([np.eye(size, dtype=np.float32), np.zeros(size, np.float32)])
    model.save(path)
    return path


def make_sound_run(tmp_path: Path, with_model: bool = True) -> Path:
    """RUN with project.json naming the tones' folder, and (unless told) model.keras."""
    folder = sound_folder(tmp_path / "tones")
    run = tmp_path / "run"
    run.mkdir()
    data = {
        "source": "audio-folder",
        "path": str(folder),
        "audio": dict(AUDIO),
        "split": {"validation": 0.0, "test": 0.5, "seed": 0},
    }
    (run / "project.json").write_text(json.dumps({"data": data}))
    if with_model:
        identity_model(run / "model.keras", AUDIO["frames_per_window"], AUDIO["n_fft"] // 2 + 1)
    return run


def peak_hz(audio: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio)), n=4 * len(audio)))
    freqs = np.fft.rfftfreq(4 * len(audio), 1 / rate)
    band = freqs > 60
    return float(freqs[band][np.argmax(spectrum[band])])
