"""A plain array source: a user's .npz of ``x`` (one sample per row) and optional ``y``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.data.dataset import Dataset
from core.errors import DataError
from core.limits import NPZ_ERRORS, npz_reason


def _read(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        with np.load(path, allow_pickle=False) as arrays:
            if "x" not in arrays:
                raise DataError(f"{path} has no array named x (it holds {', '.join(arrays)})")
            x = np.asarray(arrays["x"])
            y = np.asarray(arrays["y"]) if "y" in arrays else None
    except NPZ_ERRORS as exc:
        raise DataError(f"{path} is not a readable .npz file: {npz_reason(exc)}") from None
    if x.ndim < 2 or not len(x) or not np.issubdtype(x.dtype, np.number):
        raise DataError(f"{path}: x must be a numeric array of samples, got shape {x.shape}")
    bad_labels = y is not None and (
        y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0
    )
    if bad_labels:
        raise DataError(f"{path}: y must hold one label from 0 per sample of x")
    return x.astype(np.float32), None if y is None else y.astype(np.int64)


def load_arrays_dataset(path: str, split: dict, limit: int | None = None) -> Dataset:
    """The file's samples split at random (seeded) into training, validation and test."""
    x, y = _read(Path(path))
    x, y = x[:limit], None if y is None else y[:limit]
    order = np.random.default_rng(split["seed"]).permutation(len(x))
    n_test = int(round(len(x) * split["test"]))
    n_val = int(round(len(x) * split["validation"]))
    parts = {
        "test": order[:n_test],
        "validation": order[n_test : n_test + n_val],
        "train": order[n_test + n_val :],
    }
    xs = {k: x[np.sort(v)] for k, v in parts.items()}
    ys = {k: None if y is None else y[np.sort(v)] for k, v in parts.items()}
    return Dataset(
        name=Path(path).name,
        kind="arrays",
        x_train=xs["train"],
        x_val=xs["validation"],
        x_test=xs["test"],
        y_train=ys["train"],
        y_val=ys["validation"],
        y_test=ys["test"],
        sample_shape=tuple(x.shape[1:]),
        num_classes=None if y is None else int(y.max()) + 1,
        metadata={
            "source": "arrays",
            "description": str(path),
            "split": dict(split),
            "counts": {k: len(v) for k, v in xs.items()},
        },
    )
