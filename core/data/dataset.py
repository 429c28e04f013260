"""The Dataset every network trains on: arrays split three ways, plus where they came from."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Dataset:
    name: str
    kind: str  # "pianoroll" or "image"
    x_train: np.ndarray  # float32, (n, *sample_shape)
    x_val: np.ndarray
    x_test: np.ndarray
    y_train: np.ndarray | None  # int64 labels, or None for unlabelled music
    y_val: np.ndarray | None
    y_test: np.ndarray | None
    sample_shape: tuple
    num_classes: int | None = None
    metadata: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        sizes = f"{len(self.x_train)}/{len(self.x_val)}/{len(self.x_test)}"
        return f"Dataset({self.name!r}, {self.kind}, train/val/test={sizes}, {self.sample_shape})"
