"""A next-step model's output (sigmoid or AutoregressiveKeys) starts at its training data's
key frequencies.

A fresh output layer gives every key 0.5: about 61 nats per step on 88 keys, while each key's
frequency alone (the per-key baseline) gives about 11 on JSB Chorales. Starting the bias at
the logit of each key's frequency in the training targets begins fine-tuning at that baseline,
so the first epochs learn the music rather than how rare most keys are. A bias that is no
longer all zeros (imported or resumed weights) is left as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from core.joint_keys import joint_layer

LIMIT = 1e-4  # a key never (or always) on starts at a finite logit


def start_at_key_frequencies(model: Any, targets: np.ndarray) -> bool:
    """Set the last layer's bias to the logit of each output's mean in ``targets`` (samples,
    …, keys) when it is a sigmoid layer whose bias is still all zeros; True when it did."""
    layer = model.layers[-1]
    dense = getattr(layer, "layer", layer)  # inside TimeDistributed
    bias = getattr(dense, "bias", None)
    activation = getattr(getattr(dense, "activation", None), "__name__", "")
    if joint_layer(model) is not None:  # its keys' logits start from this bias too
        activation = "sigmoid"
    if bias is None or activation != "sigmoid":
        return False
    current = np.asarray(bias.numpy())
    keys = targets.shape[-1]
    if current.shape != (keys,) or np.any(current):
        return False
    share = np.clip(targets.reshape(-1, keys).mean(axis=0, dtype=np.float64), LIMIT, 1 - LIMIT)
    bias.assign(np.log(share / (1 - share)).astype(current.dtype))
    return True
