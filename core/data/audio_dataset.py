"""From audio clips to the Dataset a network trains on: a split by file (never by frame,
stratified by class, fixed by the seed), windows of frames labelled by their file's class,
and each bin scaled by the training files' statistics."""

from __future__ import annotations

import numpy as np

from core.audio.frames import fit_scaling, frame_windows
from core.audio.representation import SpectralFrames
from core.budget import SHARE, available_bytes
from core.data.audio_clips import AudioClips
from core.data.dataset import Dataset
from core.data.windows import split_pieces
from core.errors import DataError
from core.limits import TooLarge

SPLITS = ("train", "validation", "test")


def balanced_first(labels: list[int], limit: int | None) -> list[int]:
    """Indices of at most ``limit`` clips taken in turn from each class (all when None)."""
    if limit is None or limit >= len(labels):
        return list(range(len(labels)))
    rank = {}
    seen: dict[int, int] = {}
    for i, label in enumerate(labels):
        rank[i] = seen.get(label, 0)
        seen[label] = rank[i] + 1
    return sorted(sorted(rank, key=lambda i: (rank[i], labels[i]))[:limit])


def split_by_file(labels: list[int], split: dict) -> tuple[list[int], list[int], list[int]]:
    """Indices of the training, validation and test files: each class's files split apart
    with the split's seed, so every file (all its frames) lands in exactly one part."""
    parts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for label in sorted(set(labels)):
        members = [i for i, value in enumerate(labels) if value == label]
        chosen = split_pieces(len(members), split["validation"], split["test"], split["seed"])
        for part, indices in zip(parts, chosen, strict=True):
            part.extend(members[int(k)] for k in indices)
    train, val, test = (sorted(p) for p in parts)
    return train, val, test


def check_window_memory(clips: AudioClips, rep: SpectralFrames) -> None:
    """TooLarge naming the settings when the windows would not fit in free memory."""
    window, hop = rep.frames_per_window, rep.window_hop
    count = sum(max(len(f) - window, 0) // hop + 1 for f in clips.frames)
    need = count * window * rep.bins * 4
    budget = int(available_bytes() * SHARE)
    if need > budget:
        raise TooLarge(
            f"the training windows would take {need / 2**30:.1f} GiB but "
            f"{budget / 2**30:.1f} GiB is free; raise data.audio.window_hop, lower "
            "frames_per_window or max_seconds_per_file, or use fewer files (data.limit)"
        )


def clips_dataset(
    clips: AudioClips,
    rep: SpectralFrames,
    split: dict,
    *,
    name: str,
    source: str,
    description: str,
    limit: int | None = None,
    from_cache: bool = False,
) -> Dataset:
    """The Dataset of ``clips``: windows of frames, labels per window from the file's class."""
    if not len(clips):
        raise DataError(f"data source {source!r} gave no usable audio files")
    clips = clips.take(balanced_first(clips.labels, limit))
    check_window_memory(clips, rep)
    parts = split_by_file(clips.labels, split)
    mean, std = fit_scaling([clips.frames[i] for i in parts[0]])
    x, y, files, windows = {}, {}, {}, {}
    for key, indices in zip(SPLITS, parts, strict=True):
        cut = [frame_windows(_scaled(clips.frames[i], rep, mean, std), rep) for i in indices]
        windows[key] = [len(c) for c in cut]
        x[key] = np.concatenate(cut) if cut else np.zeros((0, *rep.sample_shape), np.float32)
        y[key] = np.repeat(np.array([clips.labels[i] for i in indices], np.int64), windows[key])
        files[key] = [clips.names[i] for i in indices]
    metadata = {
        "source": source,
        "description": description,
        "audio": rep.settings(),
        "classes": list(clips.classes),
        "split": dict(split),
        "split_unit": "file",
        "file_counts": {k: len(v) for k, v in files.items()},
        "files": files,
        "windows_per_file": windows,
        "sample_counts": {k: len(v) for k, v in x.items()},
        "frame_mean": mean.tolist(),
        "frame_std": std.tolist(),
        "skipped": [list(s) for s in clips.skipped],
        "from_cache": from_cache,
    }
    return Dataset(
        name=name,
        kind="audio",
        x_train=x["train"],
        x_val=x["validation"],
        x_test=x["test"],
        y_train=y["train"],
        y_val=y["validation"],
        y_test=y["test"],
        sample_shape=rep.sample_shape,
        num_classes=len(clips.classes),
        metadata=metadata,
    )


def _scaled(frames: np.ndarray, rep: SpectralFrames, mean, std) -> np.ndarray:
    return (frames - mean) / std if rep.standardize else frames


def unscaled(x: np.ndarray, metadata: dict) -> np.ndarray:
    """Windows back to the frames the representation made (before the per-bin scaling)."""
    if not metadata.get("audio", {}).get("standardize", True):
        return x
    mean = np.asarray(metadata["frame_mean"], np.float32)
    std = np.asarray(metadata["frame_std"], np.float32)
    return x * std + mean
