"""A next-step model whose last block is AutoregressiveKeys: a joint distribution over the keys
of each step rather than one independent probability per key.

Its likelihood needs the frame being predicted (each key's probability depends on the keys
below it), which a model's one input does not carry. So the model stays a plain chain
(window in, mean-field probabilities out, as exporters and the window see it), and training,
evaluation and generation reach the layer and the sub-model that feeds it through here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

KIND = "AutoregressiveKeys"


def joint_layer(model: Any) -> Any:
    """The model's AutoregressiveKeys layer when it is the model's last layer, else None."""
    layers = getattr(model, "layers", model)
    last = layers[-1] if layers else None
    return last if type(last).__name__ == KIND else None


def feature_model(model: Any) -> Any:
    """The model up to the joint layer: window in, the features of each step out."""
    from core.keras_env import load_keras

    keras = load_keras()
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, joint_layer(model).input, name=f"{model.name}_features")


def next_frames(windows: np.ndarray) -> np.ndarray:
    """Each step's following frame (the last step's is all off: it predicts nothing scored)."""
    out = np.zeros_like(windows)
    out[:, :-1] = windows[:, 1:]
    return out


def score_windows(model: Any, features: Any, windows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean-field probabilities, nats) of the frame after each step of ``windows`` (batch,
    steps, keys): the nats are the exact negative log-likelihood under the joint output."""
    from keras import ops

    layer = joint_layer(model)
    x = np.asarray(windows, np.float32)
    hidden = features(x, training=False)
    nats = -ops.convert_to_numpy(layer.log_likelihood(hidden, next_frames(x)))
    probabilities = ops.convert_to_numpy(layer(hidden))
    return np.asarray(probabilities, np.float32), np.asarray(nats, np.float64)
