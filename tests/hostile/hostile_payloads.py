"""Hostile and faulty files, generated: each builder writes one payload and returns its path.

The payloads that carry code write a marker file when they run, so the positive controls can
show that loading them the unsafe way would fire, and the cases that nothing fired.
"""

from __future__ import annotations

import base64
import io
import json
import marshal
import struct
import wave
import zipfile
from pathlib import Path

import numpy as np

MiB = 1024 * 1024


def deep_json(depth: int, inner: str = "0") -> str:
    return "[" * depth + inner + "]" * depth


def cuts(data: bytes, count: int) -> list[bytes]:
    """``count`` truncations of ``data`` spread over its length (never the whole)."""
    return [data[: max(0, len(data) * i // (count + 1))] for i in range(1, count + 1)]


def sparse_file(path: Path, size: int) -> Path:
    """A file of ``size`` bytes that takes no room on disk (a hole)."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


# ---- code that fires ------------------------------------------------------------------------


def marker_code(marker: Path):
    """A function whose body writes ``marker``: what a hostile model's Lambda would run."""
    namespace: dict = {}
    exec(  # noqa: S102 - the test's own payload, built here
        f"def payload(x=None):\n    open({str(marker)!r}, 'w').write('fired')\n    return x\n",
        namespace,
    )
    return namespace["payload"]


class PickleBomb:
    """An object whose unpickling writes the marker (``os`` is reached by name on load)."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('fired')",))


def lambda_layer(marker: Path, name: str = "evil") -> dict:
    """A Keras Lambda layer config whose function (marshalled bytecode, as Keras stores it)
    writes ``marker`` when deserialised and called."""
    code = marshal.dumps(marker_code(marker).__code__)
    return {
        "module": "keras.layers",
        "class_name": "Lambda",
        "config": {
            "name": name,
            "function": {
                "class_name": "__lambda__",
                "config": {
                    "code": base64.b64encode(code).decode("ascii"),
                    "defaults": None,
                    "closure": None,
                },
            },
        },
        "registered_name": None,
    }


def fire_lambda(layer: dict) -> None:
    """What an unsafe loader does with a Lambda: unmarshal its code and call it."""
    code = marshal.loads(base64.b64decode(layer["config"]["function"]["config"]["code"]))
    function = type(marker_code)(code, {"open": open})
    function(None)


# ---- .keras archives ------------------------------------------------------------------------


def dense(name: str = "d") -> dict:
    return {
        "module": "keras.layers",
        "class_name": "Dense",
        "config": {"name": name, "units": 2},
        "registered_name": None,
    }


def sequential(*layers: dict) -> dict:
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": "seq", "layers": list(layers)},
        "registered_name": None,
    }


def keras_archive(path: Path, config: str | bytes | None, weights: bool = True) -> Path:
    """A .keras zip with ``config`` as config.json (left out when None)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.0.0"}))
        if config is not None:
            archive.writestr("config.json", config)
        if weights:
            archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    return path


def inflating_archive(path: Path, unpacked: int) -> Path:
    """A small .keras whose config.json inflates to ``unpacked`` bytes of whitespace."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("config.json", "w", force_zip64=True) as entry:
            chunk = b" " * MiB
            for _ in range(unpacked // MiB):
                entry.write(chunk)
            entry.write(b"{}")
        archive.writestr("model.weights.h5", b"\0" * 16)
    return path


# ---- npz ------------------------------------------------------------------------------------


def pickled_npz(path: Path, marker: Path, key: str = "x") -> Path:
    arrays = {key: np.array([PickleBomb(marker)], dtype=object)}
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    return path


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


# ---- MIDI and WAV ---------------------------------------------------------------------------


def _var_len(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def midi_bytes(
    tempo_us: int = 500_000,
    notes: int = 4,
    gap_ticks: int = 96,
    division: int = 96,
    tracks_declared: int = 1,
) -> bytes:
    """A format-0 MIDI file: a tempo, then ``notes`` notes ``gap_ticks`` apart."""
    events = b"\x00\xff\x51\x03" + tempo_us.to_bytes(3, "big")
    for i in range(notes):
        pitch = 60 + i % 12
        events += b"\x00" + bytes([0x90, pitch, 80])
        events += _var_len(gap_ticks) + bytes([0x80, pitch, 0])
    events += b"\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, tracks_declared, division)
    return header + b"MTrk" + struct.pack(">I", len(events)) + events


def wav_bytes(seconds: float = 0.05, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\0\0" * int(seconds * rate))
    return buffer.getvalue()


def lying_wav_bytes() -> bytes:
    """A WAV header that claims 4 GiB of samples and holds none."""
    data = bytearray(wav_bytes(0.0))
    data[4:8] = struct.pack("<I", 0xFFFFFFF0)
    data[40:44] = struct.pack("<I", 0xFFFFFFC0)
    return bytes(data)
