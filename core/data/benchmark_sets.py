"""The four polyphonic benchmark sets (Boulanger-Lewandowski, Bengio and Vincent 2012), shipped
in resources/datasets/ with their official train / valid / test splits.

Each set is one compressed .npz of note-on indices, per split: ``<split>_lengths`` (steps of
each piece), ``<split>_counts`` (notes sounding at each step, all pieces end to end) and
``<split>_keys`` (those notes' keys, 0 = A0, step by step). ``pack`` and ``unpack`` are the
two directions; scripts/convert_polyphonic.py wrote the files once from the MATLAB originals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.catalog.data import SOURCES, DataSource, own_representation
from core.data.dataset import Dataset
from core.data.windows import make_samples
from core.errors import DataError

KEYS = 88  # the piano's keys, A0 (MIDI 21) to C8 (MIDI 108)
SPLITS = ("train", "valid", "test")
DATASET_SPLITS = {"train": "train", "validation": "valid", "test": "test"}
FOLDER = Path(__file__).resolve().parents[2] / "resources" / "datasets"
BENCHMARK_NAMES = tuple(s.name for s in SOURCES if s.reader == "benchmark")


def set_path(name: str) -> Path:
    return FOLDER / f"{name}.npz"


def pack(splits: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """Binary (steps, 88) rolls per split → the compact arrays the .npz holds."""
    arrays = {}
    for split in SPLITS:
        rolls = [np.asarray(r) > 0 for r in splits[split]]
        joined = np.concatenate(rolls) if rolls else np.zeros((0, KEYS), bool)
        if joined.shape[1] != KEYS:
            raise ValueError(f"a piece has {joined.shape[1]} keys, not {KEYS}")
        arrays[f"{split}_lengths"] = np.array([len(r) for r in rolls], np.uint32)
        arrays[f"{split}_counts"] = joined.sum(axis=1).astype(np.uint8)
        arrays[f"{split}_keys"] = np.nonzero(joined)[1].astype(np.uint8)
    return arrays


def unpack(arrays, split: str) -> list[np.ndarray]:
    """One split's pieces as uint8 (steps, 88) rolls."""
    lengths = np.asarray(arrays[f"{split}_lengths"], np.int64)
    counts = np.asarray(arrays[f"{split}_counts"], np.int64)
    keys = np.asarray(arrays[f"{split}_keys"], np.int64)
    if counts.sum() != len(keys) or lengths.sum() != len(counts) or keys.max(initial=0) >= KEYS:
        raise DataError(f"benchmark set split {split!r}: the arrays do not fit together")
    joined = np.zeros((len(counts), KEYS), np.uint8)
    joined[np.repeat(np.arange(len(counts)), counts), keys] = 1
    return np.split(joined, np.cumsum(lengths)[:-1]) if len(lengths) else []


def load_benchmark_set(name: str) -> dict[str, list[np.ndarray]]:
    """{"train", "valid", "test"} → the pieces of that split, as shipped."""
    path = set_path(name)
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return {split: unpack(arrays, split) for split in SPLITS}
    except (OSError, KeyError, ValueError) as exc:
        raise DataError(f"benchmark set {name!r} ({path}) cannot be read: {exc}") from None


def load_benchmark_dataset(source: DataSource, rep: dict, limit: int | None) -> Dataset:
    """The set's windows on its official splits (at most ``limit`` pieces of each), in its
    own representation; the project's window, hop and transposition apply."""
    rep = {**rep, **own_representation(source)}
    pieces = load_benchmark_set(source.name)
    low, high = rep["transpose"]
    shifts = sorted(set(range(low, high + 1)) | {0})
    x, names = {}, {}
    for key, split in DATASET_SPLITS.items():
        rolls = pieces[split][:limit]
        chosen = shifts if key == "train" else (0,)
        x[key] = make_samples(rolls, rep["window_steps"], rep["hop_steps"], KEYS, chosen)
        names[key] = [f"{split} {i + 1}" for i in range(len(rolls))]
    metadata = {
        "source": source.name,
        "description": source.help,
        **{k: rep[k] for k in ("steps_per_quarter", "lowest_pitch", "pitch_count", "velocity")},
        "window_steps": rep["window_steps"],
        "hop_steps": rep["hop_steps"],
        "transpose": [low, high],
        "split": "official",
        "split_unit": "piece",
        "piece_counts": {k: len(v) for k, v in names.items()},
        "pieces": names,
        "sample_counts": {k: len(v) for k, v in x.items()},
        "skipped": [],
        "from_cache": False,
    }
    return Dataset(
        name=source.name,
        kind="pianoroll",
        x_train=x["train"],
        x_val=x["validation"],
        x_test=x["test"],
        y_train=None,
        y_val=None,
        y_test=None,
        sample_shape=(rep["window_steps"], KEYS),
        metadata=metadata,
    )
