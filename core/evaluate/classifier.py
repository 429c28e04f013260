"""Classifier figures: accuracy and the confusion matrix, beside the majority-class guess."""

from __future__ import annotations

import numpy as np


def evaluate_classifier(scores: np.ndarray, labels: np.ndarray, train_labels: np.ndarray) -> dict:
    """``accuracy``, ``confusion_matrix`` (rows: true class, columns: predicted) and the
    baseline that always answers the training set's most common class."""
    labels = np.asarray(labels, np.int64)
    predicted = np.asarray(scores).argmax(axis=-1)
    classes = int(max(np.asarray(scores).shape[-1], labels.max(initial=-1) + 1))
    confusion = np.zeros((classes, classes), np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    majority = int(np.bincount(np.asarray(train_labels, np.int64), minlength=classes).argmax())
    count = len(labels)
    return {
        "accuracy": float((predicted == labels).mean()) if count else None,
        "confusion_matrix": confusion.tolist(),
        "samples": count,
        "baselines": {
            "majority_class": {
                "class": majority,
                "accuracy": float((labels == majority).mean()) if count else None,
            }
        },
    }
