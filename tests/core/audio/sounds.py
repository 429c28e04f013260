"""Small sound files made on the spot for the audio tests (tones, noise, broken files)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def tone(seconds: float, rate: int, pitch_hz: float = 440.0, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * pitch_hz * t)).astype(np.float32)


def write(path: Path, signal: np.ndarray, rate: int, **kwargs) -> Path:
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    soundfile.write(str(path), signal, rate, **kwargs)
    return path


def endless_header_wav(path: Path, rate: int = 8000, seconds: float = 1.0) -> Path:
    """A WAV whose header claims about 74 hours of 16-bit mono sound over one real second."""
    body = (tone(seconds, rate) * 32767).astype("<i2").tobytes()
    claimed = 0xFFFFFF00
    header = b"RIFF" + struct.pack("<I", claimed + 36) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", claimed)
    path.write_bytes(header + body)
    return path


def class_folder(root: Path, classes=("flute", "piano"), per_class: int = 4) -> Path:
    """Tones of a few seconds, a pitch per class, in one subfolder per class."""
    for k, name in enumerate(classes):
        for i in range(per_class):
            signal = tone(1.0 + 0.25 * i, 16000, 220.0 * (k + 1) + 10 * i)
            write(root / name / f"{name}{i}.wav", signal, 16000)
    return root
