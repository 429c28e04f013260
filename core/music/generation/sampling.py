"""Small numpy helpers for generation: sampling, temperature, slerp, musical attributes."""

from __future__ import annotations

import numpy as np


def bernoulli(p: np.ndarray, rng) -> np.ndarray:
    """0/1 samples with probabilities ``p``."""
    return (rng.random(np.shape(p), dtype=np.float32) < p).astype(np.float32)


def binarize(p: np.ndarray, threshold, rng) -> np.ndarray:
    """Cells above ``threshold`` on; with ``threshold=None`` each cell is sampled instead."""
    p = np.asarray(p, dtype=np.float32)
    if threshold is None:
        return bernoulli(p, rng)
    return (p > threshold).astype(np.float32)


def tempered_bernoulli(p: np.ndarray, temperature: float, rng, threshold: float = 0.5):
    """Independent notes with logits divided by ``temperature`` (near 0: p > threshold)."""
    p = np.asarray(p, dtype=np.float64)
    if temperature < 1e-6:
        return (p > threshold).astype(np.float32)
    logits = np.log(np.clip(p, 1e-7, 1.0)) - np.log(np.clip(1.0 - p, 1e-7, 1.0))
    tempered = 1.0 / (1.0 + np.exp(-logits / temperature))
    return (rng.random(p.shape) < tempered).astype(np.float32)


def tempered_categorical(p: np.ndarray, temperature: float, rng) -> np.ndarray:
    """A one-hot frame drawn from ``p ** (1/T)`` renormalised (near 0: the most likely)."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, None)
    frame = np.zeros(p.shape, np.float32)
    if temperature < 1e-6:
        frame[int(np.argmax(p))] = 1.0
        return frame
    logits = np.log(p) / temperature
    weights = np.exp(logits - logits.max())
    frame[int(rng.choice(len(p), p=weights / weights.sum()))] = 1.0
    return frame


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation from ``a`` (t=0) to ``b`` (t=1); linear when they align."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-12 or nb < 1e-12:
        return (1.0 - t) * a + t * b
    cos = float(np.clip(np.dot(a / na, b / nb), -1.0, 1.0))
    omega = np.arccos(cos)
    if np.sin(omega) < 1e-6:
        return (1.0 - t) * a + t * b
    return (np.sin((1.0 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def _onsets(windows: np.ndarray) -> np.ndarray:
    on = windows > 0.5
    before = np.zeros_like(on)
    before[:, 1:] = on[:, :-1]
    return on & ~before


def note_density(windows: np.ndarray, steps_per_quarter: int) -> np.ndarray:
    """Notes started per quarter note, per window (n, steps, pitches)."""
    quarters = windows.shape[1] / steps_per_quarter
    return _onsets(windows).sum(axis=(1, 2)) / quarters


def polyphony(windows: np.ndarray, steps_per_quarter: int) -> np.ndarray:
    """Mean number of sounding notes over the steps where something sounds."""
    count = (windows > 0.5).sum(axis=2)
    sounding = np.maximum((count > 0).sum(axis=1), 1)
    return count.sum(axis=1) / sounding


def pitch_height(windows: np.ndarray, steps_per_quarter: int) -> np.ndarray:
    """Mean pitch index of the sounding cells (0 where silent)."""
    on = windows > 0.5
    index = np.arange(windows.shape[2])
    total = np.maximum(on.sum(axis=(1, 2)), 1)
    return (on * index).sum(axis=(1, 2)) / total


ATTRIBUTES = {
    "density": ("notes started per quarter note", note_density),
    "polyphony": ("notes sounding at once", polyphony),
    "pitch": ("how high the notes lie", pitch_height),
}


def attribute_values(name: str, windows: np.ndarray, steps_per_quarter: int) -> np.ndarray:
    """The attribute ``name`` of each window (n, steps, pitches)."""
    return ATTRIBUTES[name][1](np.asarray(windows), steps_per_quarter).astype(np.float64)
