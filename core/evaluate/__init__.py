"""Measuring runs against the literature's yardsticks (``layerwise evaluate``).

| module | measures |
| --- | --- |
| ``sequence`` | next-step NLL in nats per step and frame-level accuracy; the per-key baseline |
| ``reconstruction`` | wrong notes per window; PCA, all-silent and per-key baselines |
| ``classifier`` | accuracy, the confusion matrix and the majority-class baseline |
| ``audio`` | an audio classifier's accuracy per class and per file; MFCC softmax and SVM baselines |
| ``music_stats`` | symbolic-music statistics of pieces and their overlap with a corpus |
| ``splits`` | which samples are measured: a split's windows, a benchmark set's whole pieces |
| ``generated`` | those statistics per generation method against held-out pieces |
| ``corpus`` | one piece against a finished run's held-out pieces (what Audition shows) |
| ``run`` | a run folder in, evaluation.json out |

Importing this package loads neither Keras nor TensorFlow; ``evaluate_run`` does.
"""

from __future__ import annotations

from typing import Any


def evaluate_run(*args: Any, **kwargs: Any) -> dict:
    """See :func:`core.evaluate.run.evaluate_run`."""
    from core.evaluate.run import evaluate_run as run

    return run(*args, **kwargs)


__all__ = ["evaluate_run"]
