"""Audio classification figures shaped like Hamel et al.'s tables: accuracy over clips (a
sample: frames_per_window frames) globally and per class, over whole files (the clips'
scores averaged), and the baselines on MFCCs: the same classifier (a softmax, scikit-learn's
multinomial logistic regression) and an SVM (RBF kernel), both on each clip's MFCC mean and
deviation, trained on the training split."""

from __future__ import annotations

import numpy as np

from core.audio.mfcc import pooled_mfcc
from core.audio.representation import SpectralFrames
from core.data.audio_dataset import unscaled
from core.evaluate.splits import held_out

MAX_TRAINING_CLIPS = 20_000  # clips the baselines are fitted on (evenly chosen)


def per_class(predicted: np.ndarray, labels: np.ndarray, classes: list[str]) -> dict:
    """{class name: accuracy over its samples} (None for a class absent from the split)."""
    out = {}
    for k, name in enumerate(classes):
        mine = labels == k
        out[name] = float((predicted[mine] == k).mean()) if mine.any() else None
    return out


def file_accuracy(scores: np.ndarray, labels: np.ndarray, windows: list[int]) -> float | None:
    """Accuracy per file: each file's clip scores averaged (clips are in file order)."""
    if not windows or not len(labels):
        return None
    starts = np.concatenate([[0], np.cumsum(windows)[:-1]]).astype(int)
    kept = [(s, n) for s, n in zip(starts, windows, strict=True) if n]
    pooled = np.array([scores[s : s + n].mean(axis=0).argmax() for s, n in kept])
    truth = np.array([labels[s] for s, _ in kept])
    return float((pooled == truth).mean())


def mfcc_baselines(dataset, split: str) -> dict:
    """``mfcc`` (the softmax classifier) and ``svm`` on pooled MFCCs of the clips."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    rep = SpectralFrames.from_settings(dataset.metadata["audio"])
    chosen = _evenly(len(dataset.x_train), MAX_TRAINING_CLIPS)
    train = pooled_mfcc(unscaled(dataset.x_train[chosen], dataset.metadata), rep)
    train_labels = dataset.y_train[chosen]
    x, y = held_out(dataset, split)
    test = pooled_mfcc(unscaled(x, dataset.metadata), rep)
    classes = dataset.metadata["classes"]
    models = {
        "mfcc": LogisticRegression(max_iter=2000),
        "svm": SVC(kernel="rbf", C=10.0, gamma="scale"),
    }
    out = {}
    for name, model in models.items():
        pipeline = make_pipeline(StandardScaler(), model).fit(train, train_labels)
        predicted = pipeline.predict(test) if len(test) else np.zeros(0, np.int64)
        out[name] = {
            "features": "mfcc",
            "classifier": "softmax" if name == "mfcc" else "svm (rbf)",
            "accuracy": float((predicted == y).mean()) if len(y) else None,
            "per_class": per_class(predicted, y, classes),
        }
    return out


def audio_figures(figures: dict, scores: np.ndarray, dataset, split: str) -> dict:
    """The classifier's figures with the per-class, per-file and MFCC-baseline rows added."""
    _, labels = held_out(dataset, split)
    labels = np.asarray(labels, np.int64)
    predicted = np.asarray(scores).argmax(axis=-1)
    classes = dataset.metadata["classes"]
    windows = dataset.metadata["windows_per_file"][{"validation": "validation"}.get(split, split)]
    return {
        **figures,
        "classes": classes,
        "per_class": per_class(predicted, labels, classes),
        "file_accuracy": file_accuracy(np.asarray(scores), labels, windows),
        "baselines": {**figures.get("baselines", {}), **mfcc_baselines(dataset, split)},
    }


def _evenly(n: int, most: int) -> np.ndarray:
    return np.arange(n) if n <= most else np.linspace(0, n - 1, most).astype(int)
