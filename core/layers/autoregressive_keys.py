from typing import Any

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="layerwise")
class AutoregressiveKeys(layers.Layer):
    """A joint distribution over the keys of a time step, key by key from the lowest
    (the output of RNN-NADE, Boulanger-Lewandowski, Bengio and Vincent 2012):
    p(x) = prod_i p(x_i | x_<i, h), where h is the step's feature vector (e.g. an LSTM's
    state). The logit of key i is a linear function of h plus a strictly lower-triangular
    (masked) linear map of the keys below it; with ``hidden_units`` > 0 a NADE hidden layer
    over the keys below (its biases also set by h) adds to it.

    ``log_likelihood(features, frames)`` is the exact log-probability of given frames (every
    key's conditional in one pass, the lower keys taken from the frame: teacher forcing).
    ``call(features)`` gives, per key, a mean-field probability: each key's conditional with
    the keys below it replaced by their own mean-field probabilities, computed from the lowest
    key up. It is deterministic and ends in (0, 1); thresholded at 0.5 it is the layer's
    mean-field decode. Sampling draws the keys one by one with ``conditional_logits``.
    """

    def __init__(self, keys: int, hidden_units: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(keys, int) or isinstance(keys, bool) or keys < 1:
            raise ValueError(f"keys must be a positive integer, got {keys!r}")
        if not isinstance(hidden_units, int) or isinstance(hidden_units, bool) or hidden_units < 0:
            raise ValueError(f"hidden_units must be 0 or a positive integer, got {hidden_units!r}")
        self.keys = keys
        self.hidden_units = hidden_units

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features, keys, hidden = int(input_shape[-1] or 0), self.keys, self.hidden_units
        small = keras.initializers.RandomNormal(stddev=0.01)
        self.kernel = self.add_weight(
            name="kernel", shape=(features, keys), initializer="glorot_uniform"
        )
        self.bias = self.add_weight(name="bias", shape=(keys,), initializer="zeros")
        # key j's weight on key i's logit; only j < i is ever used (the mask below)
        self.key_kernel = self.add_weight(
            name="key_kernel", shape=(keys, keys), initializer="zeros"
        )
        if hidden:
            self.hidden_kernel = self.add_weight(
                name="hidden_kernel", shape=(features, hidden), initializer=small
            )
            self.hidden_bias = self.add_weight(
                name="hidden_bias", shape=(hidden,), initializer="zeros"
            )
            self.key_to_hidden = self.add_weight(
                name="key_to_hidden", shape=(keys, hidden), initializer=small
            )
            self.hidden_to_key = self.add_weight(
                name="hidden_to_key", shape=(hidden, keys), initializer="zeros"
            )

    def mask(self) -> Any:
        """(keys, keys): 1 where row j lies below column i (j < i), else 0."""
        rows = ops.expand_dims(ops.arange(self.keys), 1)
        columns = ops.expand_dims(ops.arange(self.keys), 0)
        return ops.cast(ops.less(rows, columns), self.compute_dtype)

    def state_logits(self, features: Any) -> Any:
        """(..., keys): each key's logit from the features alone (its lower keys all off)."""
        return ops.matmul(features, self.kernel) + self.bias

    def conditional_logits(self, features: Any, frames: Any) -> Any:
        """(..., keys): the logit of each key given the features and the frame's keys below
        it (a key's own value and those above it are never read)."""
        logits = self.state_logits(features) + ops.matmul(frames, self.key_kernel * self.mask())
        if self.hidden_units:
            # hidden state before key i: its bias from the features plus keys 0..i-1
            start = ops.matmul(features, self.hidden_kernel) + self.hidden_bias
            added = ops.expand_dims(frames, -1) * self.key_to_hidden
            below = ops.cumsum(added, axis=-2) - added
            hidden = ops.sigmoid(ops.expand_dims(start, -2) + below)
            logits = logits + ops.sum(hidden * ops.transpose(self.hidden_to_key), axis=-1)
        return logits

    def log_likelihood(self, features: Any, frames: Any) -> Any:
        """(...,): the exact log-probability (nats) of each frame, summed over its keys."""
        logits = self.conditional_logits(features, frames)
        return ops.sum(frames * logits - ops.softplus(logits), axis=-1)

    def call(self, inputs: Any) -> Any:
        silent = ops.zeros_like(self.state_logits(inputs))
        probabilities = ops.sigmoid(self.conditional_logits(inputs, silent))
        # the lowest key is final from the start, and after pass k the lowest k + 1 are: a key
        # reads only the keys below it
        for _ in range(self.keys - 1):
            probabilities = ops.sigmoid(self.conditional_logits(inputs, probabilities))
        return probabilities

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*tuple(input_shape)[:-1], self.keys)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keys": self.keys, "hidden_units": self.hidden_units}
