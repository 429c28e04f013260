"""Early stopping of fine-tuning on the validation loss, keeping the best epoch's weights.

Fine-tuning with ``early_stopping`` set to N stops once N epochs in a row have not lowered the
validation loss below its best, and the network goes back to the weights of its best epoch:
the one the held-out evaluation and the saved model then use. A run resumed inside the phase
starts watching again from the epoch it resumes at. Without validation data nothing stops.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

# the validation figure watched, the first a trainer reports
WATCHED = ("val_loss", "val_reconstruction_error")


class EarlyStopping:
    """Watches one phase's epochs: ``after_epoch`` says whether to stop; ``finish`` puts the
    best weights back and returns what the phase's summary should say of them."""

    def __init__(self, model: Any, patience: int) -> None:
        self.model = model
        self.patience = int(patience)
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_metrics: dict[str, float] = {}
        self.best_weights: list[np.ndarray] | None = None
        self.waited = 0

    @classmethod
    def for_phase(cls, phase: Any, trainer: Any) -> EarlyStopping | None:
        """A watcher when the phase fine-tunes with ``early_stopping`` above 0, else None."""
        patience = int(phase.settings.get("early_stopping", 0) or 0)
        model = getattr(trainer, "model", None)
        if phase.pretrains or patience <= 0 or model is None:
            return None
        return cls(model, patience)

    def after_epoch(self, epoch: int, metrics: Mapping[str, float]) -> bool:
        """Note the epoch's metrics; True when the phase should stop now."""
        name = next((k for k in WATCHED if k in metrics), None)
        if name is None:
            return False
        value = float(metrics[name])
        if self.best is None or value < self.best:
            self.best, self.best_epoch, self.waited = value, epoch, 0
            self.best_metrics = dict(metrics)
            self.best_weights = [np.array(w) for w in self.model.get_weights()]
            return False
        self.waited += 1
        return self.waited >= self.patience

    def finish(self) -> dict[str, Any]:
        """Restore the best epoch's weights; the summary's fields for it ({} when none)."""
        if self.best_weights is None:
            return {}
        self.model.set_weights(self.best_weights)
        return {**self.best_metrics, "best_epoch": self.best_epoch}
