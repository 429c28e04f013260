"""scikit-learn's 8×8 handwritten digits: the small image set the DBN lectures start from."""

from __future__ import annotations

import numpy as np

from core.data.dataset import Dataset

# one pixel up, down, left and right (rows, columns)
SHIFTS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def shifted(images: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """``images`` (n, height, width) moved by whole pixels; what comes in at an edge is 0."""
    out = np.roll(images, (rows, columns), axis=(1, 2))
    if rows:
        out[:, slice(0, rows) if rows > 0 else slice(rows, None)] = 0
    if columns:
        out[:, :, slice(0, columns) if columns > 0 else slice(columns, None)] = 0
    return out


def with_shifted_copies(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The images followed by their copies moved one pixel each way, labels alike."""
    copies = [x] + [shifted(x, rows, columns) for rows, columns in SHIFTS]
    return np.concatenate(copies), np.tile(y, len(copies))


def load_digits_dataset(
    split: dict, limit: int | None = None, shifted_copies: bool = False
) -> Dataset:
    """Pixels scaled to 0..1; a stratified split (test first, then validation of the rest).
    ``shifted_copies``: the training images also come moved one pixel each way (after the
    split, so no held-out image has a copy in training)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x = (bunch.data / 16.0).astype(np.float32).reshape(-1, 8, 8)
    y = bunch.target.astype(np.int64)
    if limit is not None and limit < len(x):
        x, y = x[:limit], y[:limit]
    seed = split["seed"]

    def cut(x, y, fraction):
        if fraction <= 0:
            return x, x[:0], y, y[:0]
        try:
            return train_test_split(x, y, test_size=fraction, random_state=seed, stratify=y)
        except ValueError:  # too few images per class to stratify (a tiny limit)
            return train_test_split(x, y, test_size=fraction, random_state=seed)

    x_rest, x_test, y_rest, y_test = cut(x, y, split["test"])
    x_train, x_val, y_train, y_val = cut(x_rest, y_rest, split["validation"])
    if shifted_copies:
        x_train, y_train = with_shifted_copies(x_train, y_train)
    return Dataset(
        name="digits",
        kind="image",
        x_train=x_train,
        x_val=x_val,
        x_test=x_test,
        y_train=y_train,
        y_val=y_val,
        y_test=y_test,
        sample_shape=(8, 8),
        num_classes=10,
        metadata={
            "source": "digits",
            "description": "scikit-learn handwritten digits, 8×8, pixels scaled to 0..1",
            "split": dict(split),
            "shifted_copies": shifted_copies,
            "copies": 1 + len(SHIFTS) if shifted_copies else 1,
            "counts": {"train": len(x_train), "validation": len(x_val), "test": len(x_test)},
        },
    )
