"""The piece file: many piano rolls in one .npz, readable with ``allow_pickle=False``.

Rolls of all pieces are concatenated along time with an index of piece lengths, so the file
holds plain numeric and fixed-width string arrays only. Both the dataset cache and
``layerwise datasets import`` write this format; the "npz" data source reads it.
"""

from __future__ import annotations

import numpy as np

from core import fileio
from core.errors import DataError
from core.limits import NPZ_ERRORS, disk_message, npz_reason

FORMAT = "layerwise-pieces"
FORMAT_VERSION = 1


def save_pieces(path, rolls, names, representation: dict, skipped=()) -> None:
    """Write pieces (atomically). ``skipped`` is a list of (file name, reason) to keep."""
    pitch_count = int(representation["pitch_count"])
    lengths = np.array([len(r) for r in rolls], dtype=np.int64)
    stacked = (
        np.concatenate([np.asarray(r, dtype=np.float32) for r in rolls])
        if rolls
        else np.zeros((0, pitch_count), np.float32)
    )
    skipped = list(skipped)
    arrays = {
        "format": np.array(FORMAT),
        "format_version": np.array(FORMAT_VERSION),
        "rolls": stacked,
        "lengths": lengths,
        "names": np.array(list(names), dtype=str),
        "steps_per_quarter": np.array(int(representation["steps_per_quarter"])),
        "lowest_pitch": np.array(int(representation["lowest_pitch"])),
        "pitch_count": np.array(pitch_count),
        "velocity": np.array(bool(representation.get("velocity", False))),
        "skipped_files": np.array([s[0] for s in skipped], dtype=str),
        "skipped_reasons": np.array([s[1] for s in skipped], dtype=str),
    }

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)

    try:
        fileio.atomic_write(path, write)
    except OSError as exc:
        raise DataError(disk_message(path, exc, "write the piece file")) from None


def load_pieces(path):
    """(list of rolls, list of names, info dict) from a piece file; DataError if it is not one."""
    try:
        with np.load(path, allow_pickle=False) as z:
            files = set(z.files)
            needed = {"rolls", "lengths", "steps_per_quarter", "lowest_pitch", "pitch_count"}
            if not needed <= files:
                missing = sorted(needed - files)[0]
                raise DataError(f"{path}: not a Layerwise piece file (no {missing!r} array)")
            version = int(z["format_version"]) if "format_version" in files else 1
            if version > FORMAT_VERSION:
                raise DataError(f"{path}: written by a newer Layerwise (format {version})")
            rolls = z["rolls"].astype(np.float32, copy=False)
            lengths = z["lengths"].astype(np.int64)
            names = [str(n) for n in z["names"]] if "names" in files else []
            info = {
                "steps_per_quarter": int(z["steps_per_quarter"]),
                "lowest_pitch": int(z["lowest_pitch"]),
                "pitch_count": int(z["pitch_count"]),
                "velocity": bool(z["velocity"]) if "velocity" in files else False,
                "skipped": [
                    (str(f), str(r))
                    for f, r in zip(
                        z["skipped_files"] if "skipped_files" in files else [],
                        z["skipped_reasons"] if "skipped_reasons" in files else [],
                        strict=False,
                    )
                ],
            }
    except DataError:
        raise
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except NPZ_ERRORS as exc:
        raise DataError(f"{path}: cannot read piece file ({npz_reason(exc)})") from None
    if rolls.ndim != 2 or rolls.shape[1] != info["pitch_count"] or lengths.sum() != len(rolls):
        raise DataError(f"{path}: piece file is inconsistent (rolls do not match their index)")
    if len(names) != len(lengths):
        names = [f"piece {i + 1}" for i in range(len(lengths))]
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    pieces = [rolls[bounds[i] : bounds[i + 1]] for i in range(len(lengths))]
    return pieces, names, info
