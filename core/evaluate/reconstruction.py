"""Wrong notes per window for autoencoders and RBMs, beside baselines on the same windows.

A cell of a reconstructed window counts as a note when its probability passes 0.5; a wrong
note is a cell that differs from the window it rebuilds (a note missed or one added). The
baselines: PCA with as many components as the model's code (scikit-learn, fitted on the
training windows), all-silent (every note missed), and per-key frequencies (each key on in
every step when it sounds in more than half the training windows' steps).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Reconstruct = Callable[[np.ndarray], np.ndarray]
"""(n, steps, keys) windows → their reconstruction's probabilities, same shape."""


def wrong_notes(probabilities: np.ndarray, windows: np.ndarray) -> float:
    """Mean count per window of cells whose note (probability past 0.5) differs."""
    if not len(windows):
        return float("nan")
    guess = np.asarray(probabilities).reshape(len(windows), -1) > 0.5
    truth = np.asarray(windows).reshape(len(windows), -1) > 0.5
    return float((guess != truth).sum(axis=1).mean())


def notes_per_window(windows: np.ndarray) -> float:
    return float((np.asarray(windows).reshape(len(windows), -1) > 0.5).sum(axis=1).mean())


def pca_reconstruction(train: np.ndarray, components: int, seed: int = 0):
    """A function reconstructing windows through PCA fitted on ``train``."""
    from sklearn.decomposition import PCA

    flat = train.reshape(len(train), -1)
    components = max(1, min(components, *flat.shape))
    pca = PCA(n_components=components, random_state=seed).fit(flat)

    def reconstruct(windows: np.ndarray) -> np.ndarray:
        flat_windows = windows.reshape(len(windows), -1)
        return pca.inverse_transform(pca.transform(flat_windows)).reshape(windows.shape)

    return reconstruct, components


def per_key_guess(train: np.ndarray) -> np.ndarray:
    """Each key's frequency over the training windows' steps, as one step of probabilities."""
    return np.asarray(train, np.float64).reshape(-1, train.shape[-1]).mean(axis=0)


def evaluate_reconstruction(
    reconstruct: Reconstruct, code_size: int, train: np.ndarray, test: np.ndarray
) -> dict:
    """``wrong_notes_per_window`` and ``baselines`` on the same training and held-out windows."""
    train = np.asarray(train, np.float32)
    test = np.asarray(test, np.float32)
    pca, components = pca_reconstruction(train, code_size)
    key_p = per_key_guess(train)
    splits = {"train": train, "test": test}
    return {
        "wrong_notes_per_window": {k: wrong_notes(reconstruct(x), x) for k, x in splits.items()},
        "notes_per_window": {k: notes_per_window(x) for k, x in splits.items()},
        "window_cells": int(np.prod(train.shape[1:])),
        "code_size": int(code_size),
        "baselines": {
            "pca": {
                **{k: wrong_notes(pca(x), x) for k, x in splits.items()},
                "components": components,
            },
            "silent": {k: wrong_notes(np.zeros_like(x), x) for k, x in splits.items()},
            "per_key": {
                k: wrong_notes(np.broadcast_to(key_p, x.shape), x) for k, x in splits.items()
            },
        },
    }
