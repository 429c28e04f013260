"""A clip of a run's sound data, heard as it went in and as the run's model gives it back.

:func:`clip_windows` takes one held-out file's frame windows from the run's dataset (read
through the cache); the trained model gives them back (:mod:`core.audio.reconstruction`:
an autoencoder's output, or up and back down a stack of RBMs) wherever the caller runs it;
:func:`clip_pair` lays the overlapping windows back into one run of frames and turns the
input and the reconstruction into sound by Griffin-Lim (:mod:`core.audio.inversion`).
The window's Audition plays and draws what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.audio.inversion import frames_to_audio
from core.audio.representation import SpectralFrames
from core.errors import DataError

MAX_CLIP_SECONDS = 6.0  # a longer file is heard from its start up to this
SPLIT_ORDER = ("test", "validation", "train")  # held-out files first


@dataclass(frozen=True)
class ClipPair:
    """A clip as frames (log magnitudes, unscaled: what a spectrogram shows) and as sound,
    before and after the model."""

    name: str
    label: str | None
    sample_rate: int
    inputs: np.ndarray  # (frames, bins)
    reconstruction: np.ndarray
    input_audio: np.ndarray
    reconstruction_audio: np.ndarray
    how: str  # how the model reconstructed it, in words
    kind: str = "mel"  # the frames': "mel" bands or "dft" bins
    frame_seconds: float = 0.032  # seconds from one frame to the next
    top_hz: float = 8000.0  # the highest frequency the frames hold (half the data's rate)


def is_audio_data(data: object) -> bool:
    """Whether a project's "data" section names a sound source."""
    from core.catalog.data import SOURCE_INDEX

    name = data.get("source") if isinstance(data, dict) else None
    source = SOURCE_INDEX.get(name) if isinstance(name, str) else None
    return bool(source is not None and source.audio)


def clip_names(dataset) -> list[tuple[str, str]]:
    """(split, file name) of every file of an audio dataset, held-out files first."""
    files = dataset.metadata.get("files") or {}
    return [(split, name) for split in SPLIT_ORDER for name in files.get(split, [])]


def file_windows(dataset, split: str, name: str) -> np.ndarray:
    """The (scaled) windows the dataset cut from file ``name`` of ``split``."""
    meta = dataset.metadata
    files, counts = meta["files"][split], meta["windows_per_file"][split]
    if name not in files:
        raise DataError(f"{name}: not a file of the {split} split")
    start = sum(counts[: files.index(name)])
    x = {"train": dataset.x_train, "validation": dataset.x_val, "test": dataset.x_test}[split]
    return np.asarray(x[start : start + counts[files.index(name)]], np.float32)


def overlap_average(windows: np.ndarray, hop: int) -> np.ndarray:
    """(frames, bins) from (n, window, bins) windows starting every ``hop`` frames: each
    frame the mean of the windows that hold it."""
    n, window, bins = windows.shape
    length = (n - 1) * hop + window
    total = np.zeros((length, bins), np.float64)
    count = np.zeros((length, 1), np.float64)
    for i, w in enumerate(windows):
        total[i * hop : i * hop + window] += w
        count[i * hop : i * hop + window] += 1
    return (total / np.maximum(count, 1)).astype(np.float32)


def clip_windows(
    dataset, split: str, name: str, max_seconds: float = MAX_CLIP_SECONDS
) -> np.ndarray:
    """The first windows of file ``name`` of ``split``: as many as ``max_seconds`` of sound
    hold (at least one)."""
    rep = SpectralFrames.from_settings(dataset.metadata["audio"])
    windows = file_windows(dataset, split, name)
    if not len(windows):
        raise DataError(f"{name}: the dataset holds no windows of this file")
    frames = int(max_seconds * rep.sample_rate / rep.hop_length + 1e-6)  # 0.3 s of 0.05 s: 6
    more = max(0, frames - rep.frames_per_window) // rep.window_hop
    return windows[: more + 1]


def clip_pair(
    dataset,
    split: str,
    name: str,
    windows: np.ndarray,
    reconstructed: np.ndarray,
    how: str,
    *,
    seed: int = 0,
) -> ClipPair:
    """File ``name``'s ``windows`` and the model's ``reconstructed`` windows, laid back into
    runs of frames and turned into sound."""
    meta = dataset.metadata
    rep = SpectralFrames.from_settings(meta["audio"])
    scaling = _scaling(meta, rep)
    recon = np.asarray(reconstructed, np.float32).reshape(windows.shape)
    inputs = overlap_average(windows, rep.window_hop)
    output = overlap_average(recon, rep.window_hop)
    return ClipPair(
        name=name,
        label=_label_of(meta, name),
        sample_rate=rep.sample_rate,
        inputs=_unscale(inputs, scaling),
        reconstruction=_unscale(output, scaling),
        input_audio=frames_to_audio(inputs, rep, scaling, seed=seed),
        reconstruction_audio=frames_to_audio(output, rep, scaling, seed=seed),
        how=how,
        kind=rep.kind,
        frame_seconds=rep.frame_seconds,
        top_hz=rep.sample_rate / 2,
    )


def _scaling(meta: dict, rep: SpectralFrames) -> tuple[np.ndarray, np.ndarray] | None:
    if not rep.standardize or "frame_mean" not in meta:
        return None
    return np.asarray(meta["frame_mean"], np.float32), np.asarray(meta["frame_std"], np.float32)


def _unscale(frames: np.ndarray, scaling) -> np.ndarray:
    return frames if scaling is None else frames * scaling[1] + scaling[0]


def _label_of(meta: dict, name: str) -> str | None:
    classes = meta.get("classes") or []
    parts = Path(name).parts
    if len(parts) > 1 and parts[0] in classes:
        return parts[0]
    return None
