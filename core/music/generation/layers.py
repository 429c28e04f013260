"""Reading a loaded Keras model as a chain of layers, and running parts of it."""

from __future__ import annotations

import numpy as np

from core import catalog
from core.music.generation.errors import GenerationError

RECURRENT = ("LSTM", "GRU", "SimpleRNN")


def kind(layer) -> str:
    """The layer's class name, as the recipes of the block catalog name it."""
    return type(layer).__name__


def is_reshaping(layer) -> bool:
    """Whether the layer passes its input's values on unchanged at inference (Flatten,
    Reshape, Dropout...), as its block type in the catalog declares."""
    block = catalog.for_keras_class(kind(layer))
    return block is not None and block.reshape_only


def chain(model) -> list:
    """The model's layers in order, checked to form one chain from its one input."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise GenerationError("generation needs a network with one input and one output")
    layers = [layer for layer in model.layers if kind(layer) != "InputLayer"]
    previous = model.inputs[0]
    for layer in layers:
        try:
            inbound = layer.input
        except (AttributeError, ValueError):
            inbound = None
        if inbound is not previous:
            raise GenerationError(
                f"generation needs a network that is one chain of layers; {layer.name!r} "
                "joins branches"
            )
        previous = layer.output
    return layers


def shape(dims) -> tuple:
    return tuple(None if d is None else int(d) for d in dims)


def run(layers, x):
    for layer in layers:
        x = layer(x, training=False)
    return x


def to_numpy(x) -> np.ndarray:
    from keras import ops

    return np.asarray(ops.convert_to_numpy(x), dtype=np.float32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (0.5 * (1.0 + np.tanh(0.5 * x))).astype(np.float32)


def activation_name(layer) -> str:
    return getattr(getattr(layer, "activation", None), "__name__", "")
