"""Sequence-model figures in the convention of the polyphonic-music papers.

Negative log-likelihood in nats per time step: summed over the keys, averaged over the
predicted frames (every step but a piece's first). Each key is a Bernoulli of its own, or, for
a model with a joint output over a step's keys, the frame's exact joint probability.
Frame-level accuracy (Bay, Ehmann and Downie 2009): true positives over true positives, false
positives and false negatives, summed over all predicted frames, with a note predicted when
its probability passes 0.5 (for a joint output, its mean-field probability).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

EPSILON = 1e-7  # keeps log(0) finite for a probability the model rounds to 0 or 1

Predict = Callable[[np.ndarray], np.ndarray]
"""(batch, steps, keys) frames → (batch, steps, keys) probabilities of the step after each."""

Score = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
"""(batch, steps, keys) frames → (probabilities as Predict gives them, (batch, steps) nats of
the frame after each step)."""


def frame_nll(probabilities: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Nats of each frame (summed over its keys) under per-key Bernoulli probabilities."""
    p = np.clip(np.asarray(probabilities, np.float64), EPSILON, 1 - EPSILON)
    x = np.asarray(targets, np.float64)
    return -(x * np.log(p) + (1 - x) * np.log1p(-p)).sum(axis=-1)


def frame_counts(probabilities: np.ndarray, targets: np.ndarray) -> tuple[int, int, int]:
    """True positives, false positives and false negatives of notes predicted at 0.5."""
    guess = np.asarray(probabilities) > 0.5
    truth = np.asarray(targets) > 0.5
    return int((guess & truth).sum()), int((guess & ~truth).sum()), int((~guess & truth).sum())


def frame_accuracy(tp: int, fp: int, fn: int) -> float:
    total = tp + fp + fn
    return tp / total if total else 1.0


def per_key_bernoulli_nll(train: Sequence[np.ndarray], test: Sequence[np.ndarray]) -> float:
    """The papers' no-memory baseline: each key on with its frequency in the training pieces."""
    p = np.concatenate([np.asarray(r, np.float64) for r in train]).mean(axis=0)
    frames = np.concatenate([np.asarray(r)[1:] for r in test])
    return float(frame_nll(np.broadcast_to(p, frames.shape), frames).mean())


def independent_keys(predict: Predict) -> Score:
    """A Score for a model whose keys are independent Bernoullis given the past."""

    def score(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        probabilities = np.asarray(predict(frames))
        following = np.zeros_like(frames)
        following[:, :-1] = frames[:, 1:]
        return probabilities, frame_nll(probabilities, following)

    return score


def evaluate_sequences(
    predict: Predict, pieces: Sequence[np.ndarray], batch: int = 16, score: Score | None = None
) -> dict:
    """``nll_per_step`` and ``frame_accuracy`` of a next-step model over whole pieces.

    ``score`` gives the nats of each frame when the keys are not independent (by default each
    key is a Bernoulli of ``predict``'s probability). Pieces of like length go through
    together; shorter ones are padded at their end, which a causal model never sees before the
    frames that count.
    """
    score = score or independent_keys(predict)
    order = sorted(range(len(pieces)), key=lambda i: len(pieces[i]))
    total_nll, frames, counts = 0.0, 0, np.zeros(3, np.int64)
    for start in range(0, len(order), batch):
        group = [np.asarray(pieces[i], np.float32) for i in order[start : start + batch]]
        length = max(len(r) for r in group)
        padded = np.zeros((len(group), length, group[0].shape[1]), np.float32)
        for row, roll in enumerate(group):
            padded[row, : len(roll)] = roll
        predicted, nats = score(padded)
        for row, roll in enumerate(group):
            p, target = predicted[row, : len(roll) - 1], roll[1:]
            total_nll += float(np.sum(nats[row, : len(roll) - 1], dtype=np.float64))
            frames += len(target)
            counts += frame_counts(p, target)
    if not frames:
        return {"nll_per_step": None, "frame_accuracy": None, "predicted_frames": 0}
    return {
        "nll_per_step": total_nll / frames,
        "frame_accuracy": frame_accuracy(*(int(c) for c in counts)),
        "predicted_frames": frames,
    }
