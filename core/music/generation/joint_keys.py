"""Drawing a step's keys from an AutoregressiveKeys output: one key at a time from the lowest,
each from its conditional given the features and the keys already drawn, so the notes of a
step come out jointly (a chord as a whole), not each on its own."""

from __future__ import annotations

import numpy as np

from core.music.generation.layers import sigmoid, to_numpy


class JointKeysSampler:
    """The layer's weights as numpy arrays; ``sample`` draws frames for a batch of features."""

    def __init__(self, layer) -> None:
        self.keys = int(layer.keys)
        self.hidden_units = int(layer.hidden_units)
        mask = np.triu(np.ones((self.keys, self.keys), np.float64), k=1)
        self.kernel = to_numpy(layer.kernel).astype(np.float64)
        self.bias = to_numpy(layer.bias).astype(np.float64)
        self.key_kernel = to_numpy(layer.key_kernel).astype(np.float64) * mask
        if self.hidden_units:
            self.hidden_kernel = to_numpy(layer.hidden_kernel).astype(np.float64)
            self.hidden_bias = to_numpy(layer.hidden_bias).astype(np.float64)
            self.key_to_hidden = to_numpy(layer.key_to_hidden).astype(np.float64)
            self.hidden_to_key = to_numpy(layer.hidden_to_key).astype(np.float64)

    def sample(self, features: np.ndarray, temperature: float, rng, threshold: float = 0.5):
        """(batch, keys) frames of 0 and 1 for (batch, features) ``features``: each key's
        logit divided by ``temperature``; near 0, each key is on when its conditional
        probability passes ``threshold`` (a greedy decode)."""
        h = np.asarray(features, np.float64)
        logits = h @ self.kernel + self.bias
        hidden = h @ self.hidden_kernel + self.hidden_bias if self.hidden_units else None
        frames = np.zeros((len(h), self.keys), np.float32)
        for i in range(self.keys):
            logit = logits[:, i]
            if hidden is not None:
                logit = logit + sigmoid(hidden) @ self.hidden_to_key[:, i]
            if temperature < 1e-6:
                on = sigmoid(logit) > threshold
            else:
                on = rng.random(len(h)) < sigmoid(logit / temperature)
            frames[:, i] = on
            # what key i adds to the keys above it
            logits = logits + np.outer(on, self.key_kernel[i])
            if hidden is not None:
                hidden = hidden + np.outer(on, self.key_to_hidden[i])
        return frames
