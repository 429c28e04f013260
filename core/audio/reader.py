"""Reading one audio file with bounds: streamed in blocks, at most a set length, mixed to mono
and resampled to the representation's rate. Every reason a file cannot be used is an
``AudioFileError`` whose ``reason`` the import lists beside the file's name.

WAV, FLAC, OGG (Vorbis, Opus), MP3, AIFF and the other formats libsndfile knows are read by
soundfile block by block; anything else goes to librosa's other decoders (audioread, when
a system decoder is installed) with the same length bound.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np

from core.errors import DataError

AUDIO_SUFFIXES = (
    ".wav",
    ".wave",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".mp3",
    ".aif",
    ".aiff",
    ".aifc",
    ".au",
    ".snd",
    ".w64",
    ".rf64",
    ".caf",
)
# Formats only a system decoder reads (through librosa and audioread, when installed).
OTHER_SUFFIXES = (".m4a", ".aac", ".mp4", ".wma", ".webm", ".mka")

MIN_RATE = 1000  # Hz: below this a file is not sound that frames can describe
MAX_RATE = 768_000
SILENCE_PEAK = 1e-4  # -80 dBFS: a file whose peak stays below holds no usable sound
BLOCK_FRAMES = 65536  # samples per block read: a long file never sits whole in memory


class AudioFileError(DataError):
    """A file that cannot be used as audio; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_audio_name(path: Path) -> bool:
    return path.suffix.lower() in AUDIO_SUFFIXES + OTHER_SUFFIXES


def read_audio(path, sample_rate: int, max_seconds: float) -> np.ndarray:
    """Mono float32 samples at ``sample_rate`` of at most the first ``max_seconds`` seconds;
    AudioFileError when the file is empty, corrupt, silent, not finite or of an odd rate."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise AudioFileError(f"cannot be opened ({exc.strerror or type(exc).__name__})") from None
    if size == 0:
        raise AudioFileError("empty file (0 bytes)")
    signal, native_rate = _decode(path, max_seconds)
    if not len(signal):
        raise AudioFileError("holds no samples")
    if not np.all(np.isfinite(signal)):
        raise AudioFileError("holds NaN or infinite samples")
    if float(np.max(np.abs(signal))) < SILENCE_PEAK:
        raise AudioFileError("silent (its peak stays below -80 dBFS)")
    if native_rate != sample_rate:
        signal = resample(signal, native_rate, sample_rate)
    return signal


def resample(signal: np.ndarray, rate: int, target: int) -> np.ndarray:
    import librosa

    return np.asarray(librosa.resample(signal, orig_sr=rate, target_sr=target), np.float32)


def _check_rate(rate: float) -> int:
    if not math.isfinite(rate) or not MIN_RATE <= rate <= MAX_RATE:
        raise AudioFileError(
            f"sample rate {rate:g} Hz is outside {MIN_RATE}-{MAX_RATE} Hz (not usable sound)"
        )
    return int(rate)


def _decode(path: Path, max_seconds: float) -> tuple[np.ndarray, int]:
    import soundfile

    try:
        return _stream(soundfile.SoundFile(str(path)), max_seconds)
    except AudioFileError:
        raise
    except (soundfile.LibsndfileError, RuntimeError, ValueError) as exc:
        reason = getattr(exc, "error_string", None) or str(exc).rsplit(":", 1)[-1].strip()
        if path.suffix.lower() in AUDIO_SUFFIXES:
            raise AudioFileError(f"cannot be decoded ({reason.rstrip('.')})") from None
        return _decode_other(path, max_seconds, reason)
    except MemoryError:
        raise AudioFileError("too large to decode") from None


def _stream(sound, max_seconds: float) -> tuple[np.ndarray, int]:
    """Blocks of at most BLOCK_FRAMES samples, channels averaged, up to the length bound (a
    header that claims hours reads no more than the bound, and a short body ends early)."""
    with sound:
        rate = _check_rate(sound.samplerate)
        wanted = int(max_seconds * rate)
        parts, got = [], 0
        while got < wanted:
            block = sound.read(min(BLOCK_FRAMES, wanted - got), dtype="float32", always_2d=True)
            if not len(block):
                break
            parts.append(block.mean(axis=1, dtype=np.float32))
            got += len(block)
    signal = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    return signal, rate


def _decode_other(path: Path, max_seconds: float, first_reason: str) -> tuple[np.ndarray, int]:
    try:
        import librosa

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # librosa warns when it falls back to audioread
            signal, rate = librosa.load(str(path), sr=None, mono=True, duration=max_seconds)
    except Exception as exc:  # noqa: BLE001 - any decoder failure is this file's reason
        raise AudioFileError(
            f"cannot be decoded ({first_reason.rstrip('.')}; no other installed decoder "
            f"read it: {type(exc).__name__})"
        ) from None
    return np.asarray(signal, np.float32), _check_rate(float(rate))
