"""Audio clips as spectral frames, kept in one .npz: the cache of an audio folder's import.

Frames of every file are concatenated along time with an index of lengths, names, labels
and class names, so the file holds plain numeric and string arrays only (read with
``allow_pickle=False``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import fileio
from core.audio.representation import SpectralFrames
from core.errors import DataError
from core.limits import disk_message, load_npz

FORMAT = "layerwise-audio-clips"
FORMAT_VERSION = 1


@dataclass
class AudioClips:
    """Every readable file of an import as (frames, bins) arrays, with its class; the files
    that could not be used, each with its reason."""

    frames: list[np.ndarray]
    names: list[str]  # each file's path relative to the folder
    labels: list[int]  # index into classes
    classes: list[str]
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.frames)

    def take(self, indices) -> AudioClips:
        """The clips at ``indices`` (the classes and skipped files kept)."""
        return AudioClips(
            [self.frames[i] for i in indices],
            [self.names[i] for i in indices],
            [self.labels[i] for i in indices],
            self.classes,
            self.skipped,
        )


def save_clips(path: Path, clips: AudioClips, rep: SpectralFrames) -> None:
    """Write clips atomically; DataError names the path on a disk failure."""
    bins = rep.bins
    stacked = np.concatenate(clips.frames) if clips.frames else np.zeros((0, bins), np.float32)
    arrays = {
        "format": np.array(FORMAT),
        "format_version": np.array(FORMAT_VERSION),
        "settings": np.array(json.dumps(rep.settings(), sort_keys=True)),
        "frames": stacked.astype(np.float32, copy=False),
        "lengths": np.array([len(f) for f in clips.frames], np.int64),
        "names": np.array(clips.names, dtype=str),
        "labels": np.array(clips.labels, np.int64),
        "classes": np.array(clips.classes, dtype=str),
        "skipped_files": np.array([s[0] for s in clips.skipped], dtype=str),
        "skipped_reasons": np.array([s[1] for s in clips.skipped], dtype=str),
    }

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    try:
        fileio.atomic_write(path, write)
    except OSError as exc:
        raise DataError(disk_message(path, exc, "write the audio cache")) from None


def load_clips(path: Path, rep: SpectralFrames) -> AudioClips:
    """The clips of a cache file made with ``rep``; DataError when it is not one."""
    try:
        z = load_npz(path)
        if str(z.get("format")) != FORMAT or int(z["format_version"]) != FORMAT_VERSION:
            raise DataError(f"{path}: not an audio cache of this version")
        if json.loads(str(z["settings"])) != rep.settings():
            raise DataError(f"{path}: made with other audio settings")
        frames, lengths = z["frames"], z["lengths"].astype(np.int64)
        names = [str(n) for n in z["names"]]
        labels = [int(n) for n in z["labels"]]
        classes = [str(c) for c in z["classes"]]
        skipped = [
            (str(f), str(r)) for f, r in zip(z["skipped_files"], z["skipped_reasons"], strict=True)
        ]
    except (KeyError, ValueError, OSError) as exc:
        raise DataError(f"{path}: cannot read the audio cache ({exc})") from None
    consistent = (
        frames.ndim == 2
        and frames.shape[1] == rep.bins
        and lengths.sum() == len(frames)
        and len(names) == len(lengths) == len(labels)
        and all(0 <= label < len(classes) for label in labels)
    )
    if not consistent:
        raise DataError(f"{path}: the audio cache is inconsistent")
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    pieces = [frames[bounds[i] : bounds[i + 1]] for i in range(len(lengths))]
    return AudioClips(pieces, names, labels, classes, skipped)
