"""From whole pieces to training samples: split by piece, transpose, cut into windows."""

from __future__ import annotations

import numpy as np

SECTION_QUARTERS = 16  # 8 bars of 2/4: the unit a one-piece set is split by


def split_pieces(n: int, validation: float, test: float, seed: int):
    """Indices of train, validation and test pieces. Every piece lands in exactly one split.

    A non-zero fraction gets at least one piece when there are at least three pieces, so a
    quick run on five pieces still validates and tests on unseen music.
    """
    order = np.random.default_rng(seed).permutation(n)

    def count(fraction):
        k = int(round(n * fraction))
        return max(k, 1) if fraction > 0 and n >= 3 else k

    n_test, n_val = count(test), count(validation)
    n_test = min(n_test, max(n - 1, 0))
    n_val = min(n_val, max(n - 1 - n_test, 0))
    test_idx = np.sort(order[:n_test])
    val_idx = np.sort(order[n_test : n_test + n_val])
    train_idx = np.sort(order[n_test + n_val :])
    return train_idx, val_idx, test_idx


def sections(rolls, names, steps_per_quarter: int):
    """Cut pieces into 8-bar sections, for sets too small to split piece by piece."""
    size = SECTION_QUARTERS * steps_per_quarter
    out_rolls, out_names = [], []
    for roll, name in zip(rolls, names, strict=True):
        for k, start in enumerate(range(0, len(roll), size)):
            part = roll[start : start + size]
            if part.any():
                out_rolls.append(part)
                out_names.append(f"{name} §{k + 1}")
    return out_rolls, out_names


def transpose(roll: np.ndarray, semitones: int) -> np.ndarray:
    """Shift along the pitch axis; notes pushed past either edge are dropped."""
    if semitones == 0:
        return roll
    out = np.zeros_like(roll)
    if semitones > 0:
        out[:, semitones:] = roll[:, :-semitones]
    else:
        out[:, :semitones] = roll[:, -semitones:]
    return out


def windows(roll: np.ndarray, window: int, hop: int) -> np.ndarray:
    """(n, window, pitches) windows every ``hop`` steps; a short piece is padded with rests."""
    if len(roll) < window:
        roll = np.concatenate([roll, np.zeros((window - len(roll), roll.shape[1]), roll.dtype)])
    view = np.lib.stride_tricks.sliding_window_view(roll, window, axis=0)[::hop]
    return np.ascontiguousarray(view.transpose(0, 2, 1))


def make_samples(rolls, window: int, hop: int, pitch_count: int, shifts=(0,)) -> np.ndarray:
    """All windows of all pieces, once per transposition, as one float32 array."""
    parts = [windows(transpose(r, s), window, hop) for r in rolls for s in shifts]
    if not parts:
        return np.zeros((0, window, pitch_count), np.float32)
    return np.concatenate(parts).astype(np.float32, copy=False)
