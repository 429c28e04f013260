"""What a trained model gives back for its input, for a model that can say: the whole
network when its output has its input's shape (an autoencoder), else up through the RBMs
that read the data and back down through their visible means (a DBN's up-down pass; a
convolutional RBM's detection maps are as far up as it goes, since pooling has no way
back)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from core.errors import DataError


def _reshaping(layer) -> bool:
    from core.music.generation.layers import is_reshaping

    return is_reshaping(layer)


def _up_down(layer) -> bool:
    return hasattr(layer, "hidden_probabilities") and hasattr(layer, "visible_mean")


def reconstructor(model) -> tuple[Callable[[np.ndarray], np.ndarray], str]:
    """(function of windows to their reconstruction, how it reconstructs in words);
    DataError when the model can do neither."""
    from core.music.generation.layers import run, to_numpy

    in_shape = tuple(model.inputs[0].shape[1:])
    out_shape = tuple(model.outputs[0].shape[1:])
    if None not in in_shape and math.prod(out_shape) == math.prod(in_shape):
        return (lambda x: to_numpy(model(x, training=False))), "the network's output"
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    lead, stack = [], []
    for layer in layers:
        if _up_down(layer):
            stack.append(layer)
            if hasattr(layer, "pooled_probabilities"):
                break  # the next layer reads the pooled maps, which have no way back down
        elif _reshaping(layer) and not stack:
            lead.append(layer)
        else:
            break
    if not stack:
        raise DataError(
            "this model cannot give its input back: it is neither an autoencoder nor "
            "starts with RBMs"
        )

    def up_down(x: np.ndarray) -> np.ndarray:
        v = run(lead, np.asarray(x, np.float32))
        for layer in stack:
            v = layer.hidden_probabilities(v)
        for layer in reversed(stack):
            v = layer.visible_mean(v)
        return to_numpy(v).reshape(np.shape(x))

    names = ", ".join(layer.name for layer in stack)
    return up_down, f"up and down through {names}"
