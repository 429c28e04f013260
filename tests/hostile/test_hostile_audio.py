"""Hostile audio files and settings: every file is read with bounds or refused with a reason
of one line, a folder of them names each, and no setting asks for unbounded work."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hostile_payloads import cuts, lying_wav_bytes, sparse_file, wav_bytes

from core.audio.reader import AudioFileError, read_audio
from core.audio.representation import SpectralFrames
from core.catalog.data import data_problems
from core.data.load import load_dataset
from core.errors import DataError

RATE = 16000


def _sound(signal, rate: int, fmt: str = "WAV", subtype: str | None = None) -> bytes:
    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, signal, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def _tone(seconds: float = 0.5, rate: int = RATE) -> np.ndarray:
    return (0.3 * np.sin(2 * np.pi * 330 * np.arange(int(seconds * rate)) / rate)).astype("f4")


def _with_rate(data: bytes, rate: int) -> bytes:
    """A WAV whose header states another sample rate (and byte rate)."""
    out = bytearray(data)
    out[24:28] = struct.pack("<I", rate)
    out[28:32] = struct.pack("<I", (rate * 2) & 0xFFFFFFFF)
    return bytes(out)


def _endless(seconds: float = 0.5) -> bytes:
    """A WAV header claiming about 74 hours over half a second of sound."""
    good = bytearray(_sound(_tone(seconds), RATE, subtype="PCM_16"))
    good[4:8] = struct.pack("<I", 0xFFFFFF24)
    good[40:44] = struct.pack("<I", 0xFFFFFF00)
    return bytes(good)


GOOD_WAV = _sound(_tone(), RATE, subtype="PCM_16")
GOOD_FLAC = _sound(_tone(), RATE, "FLAC")
NAN = _tone().copy()
NAN[100] = np.nan
INF = _tone().copy()
INF[-1] = np.inf

# (name, suffix, bytes, the reason's words, or None when the file must read with bounds)
PAYLOADS: list[tuple[str, str, bytes, str | None]] = [
    ("empty", ".wav", b"", "empty file"),
    ("wav-cut-in-its-header", ".wav", GOOD_WAV[:20], "cannot be decoded"),
    ("wav-cut-in-its-samples", ".wav", GOOD_WAV[: len(GOOD_WAV) // 2], None),
    *((f"truncated-flac-{i}", ".flac", c, None) for i, c in enumerate(cuts(GOOD_FLAC, 4)[1:3])),
    ("riff-garbage", ".wav", b"RIFF" + np.random.default_rng(0).bytes(300), "cannot be decoded"),
    ("ogg-garbage", ".ogg", b"OggS" + np.random.default_rng(1).bytes(300), "cannot be decoded"),
    ("mp3-garbage", ".mp3", b"ID3\x04" + np.random.default_rng(2).bytes(300), "cannot be decoded"),
    ("text", ".wav", b"hello, not sound", "cannot be decoded"),
    ("lying-header-no-samples", ".wav", lying_wav_bytes(), "no samples"),
    ("silent", ".wav", wav_bytes(0.5, RATE), "silent"),
    ("nan", ".wav", _sound(NAN, RATE, subtype="FLOAT"), "NaN or infinite"),
    ("inf", ".wav", _sound(INF, RATE, subtype="FLOAT"), "NaN or infinite"),
    ("rate-1-hz", ".wav", _with_rate(GOOD_WAV, 1), "sample rate"),
    ("rate-4-ghz", ".wav", _with_rate(GOOD_WAV, 0xFFFFFFF0), None),
    ("endless-header", ".wav", _endless(), None),
    ("odd-rate-7919", ".wav", _sound(_tone(0.5, 7919), 7919), None),
    ("float-clipping", ".wav", _sound(_tone() * 40, RATE, subtype="FLOAT"), None),
    (
        "stereo-96k-24bit",
        ".flac",
        _sound(np.stack([_tone(0.5, 96000)] * 2, 1), 96000, "FLAC", "PCM_24"),
        None,
    ),
]


@pytest.mark.parametrize(
    ("suffix", "payload", "reason"),
    [p[1:] for p in PAYLOADS],
    ids=[p[0] for p in PAYLOADS],
)
def test_a_hostile_audio_file_is_read_with_bounds_or_refused_in_one_line(
    tmp_path, suffix, payload, reason
):
    path = tmp_path / f"hostile{suffix}"
    path.write_bytes(payload)
    started = time.monotonic()
    try:
        signal = read_audio(path, RATE, 2.0)
    except AudioFileError as exc:
        assert "\n" not in exc.reason and len(exc.reason) < 200
        if reason is not None:
            assert reason in exc.reason
    else:
        assert reason is None, f"read a file that should be refused ({reason})"
        assert signal.dtype == np.float32 and len(signal) <= 2.0 * RATE + 64
        assert np.all(np.isfinite(signal))
    assert time.monotonic() - started < 30


def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path):
    path = sparse_file(tmp_path / "huge.wav", 2 * 1024**3)
    started = time.monotonic()
    with pytest.raises(AudioFileError, match="cannot be decoded"):
        read_audio(path, RATE, 30.0)
    assert time.monotonic() - started < 10


def test_a_folder_of_hostile_files_names_each_beside_the_good_ones(tmp_path):
    folder = tmp_path / "set"
    for name, suffix, payload, reason in PAYLOADS:
        target = folder / ("a" if reason else "b") / f"{name}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(payload)
    (folder / "b" / "good.wav").write_bytes(GOOD_WAV)
    data = {
        "source": "audio-folder",
        "path": str(folder),
        "audio": {"frames_per_window": 4, "window_hop": 2, "max_seconds_per_file": 2.0},
        "split": {"validation": 0.0, "test": 0.0, "seed": 0},
    }
    ds = load_dataset(data, use_cache=False)
    skipped = dict(map(tuple, ds.metadata["skipped"]))
    refused = {f"a/{name}{suffix}" for name, suffix, _, reason in PAYLOADS if reason}
    assert refused <= set(skipped)
    assert all("\n" not in why for why in skipped.values())
    assert ds.metadata["files"]["train"]  # the readable ones were kept


def test_a_folder_of_only_hostile_files_is_one_clear_error(tmp_path):
    folder = tmp_path / "set" / "x"
    folder.mkdir(parents=True)
    for name, suffix, payload, reason in PAYLOADS:
        if reason:
            (folder / f"{name}{suffix}").write_bytes(payload)
    with pytest.raises(DataError) as caught:
        load_dataset({"source": "audio-folder", "path": str(folder.parent)}, use_cache=False)
    assert "\n" not in str(caught.value) and "no usable audio files" in str(caught.value)


@pytest.mark.parametrize(
    ("audio", "field"),
    [
        ({"max_seconds_per_file": 1e12}, "max_seconds_per_file"),
        ({"n_fft": 2**30}, "n_fft"),
        ({"hop_length": 0}, "hop_length"),
        ({"sample_rate": -16000}, "sample_rate"),
        ({"frames_per_window": 10**9}, "frames_per_window"),
        ({"kind": "wavelet"}, "kind"),
        ({"n_mels": "64"}, "n_mels"),
        ({"log_compression": "yes"}, "log_compression"),
        ([1, 2, 3], "audio"),
        ({"__class__": 1}, "unknown field"),
    ],
    ids=["hours", "n-fft", "hop-0", "rate", "window", "kind", "text", "flag", "list", "field"],
)
def test_hostile_audio_settings_are_refused_naming_the_field(audio, field):
    problems = data_problems({"source": "audio-folder", "path": "x", "audio": audio})
    assert problems and field in problems[0] and "\n" not in problems[0]


def test_a_tiny_hop_on_long_files_is_refused_before_any_spectrum_is_made():
    rep = SpectralFrames(
        sample_rate=48000, kind="dft", n_fft=8192, hop_length=16, max_seconds_per_file=3600.0
    )
    with pytest.raises(DataError, match="GiB"):
        rep.check_memory()


CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))
resource.setrlimit(resource.RLIMIT_CPU, (120, 120))
from core.audio.reader import read_audio
samples = len(read_audio(sys.argv[1], 16000, float(sys.argv[2])))
with open("/proc/self/status") as status:
    peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
print(json.dumps({"samples": samples, "peak_mib": peak}))
"""


def _capped_read(path, seconds: float) -> dict:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(seconds)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=root,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_a_long_file_is_streamed_within_a_memory_cap(tmp_path):
    """Three minutes of 48 kHz stereo (69 MB as float32) cost no more memory than a second:
    only the first seconds are read, block by block, under a 3 GiB address-space cap."""
    import soundfile

    long = tmp_path / "long.wav"
    with soundfile.SoundFile(str(long), "w", 48000, 2, subtype="PCM_16") as out:
        block = np.stack([_tone(10.0, 48000)] * 2, axis=1)
        for _ in range(18):
            out.write(block)
    short = tmp_path / "short.wav"
    short.write_bytes(_sound(_tone(1.0, 48000), 48000))
    baseline = _capped_read(short, 10.0)
    bounded = _capped_read(long, 10.0)
    assert bounded["samples"] == 10 * 16000
    assert bounded["peak_mib"] - baseline["peak_mib"] < 40, (baseline, bounded)
