from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="layerwise")
class ConvRBM(keras.layers.Layer):
    """A convolutional RBM with probabilistic max-pooling (Lee, Grosse, Ranganath and Ng
    2009) over spectrograms: input (batch, time, frequency, channels).

    ``filters`` groups of hidden units share a (kernel_time × kernel_frequency) filter slid
    over the input ("valid" positions). The hidden maps are cut into non-overlapping blocks
    of (pool_time × pool_frequency) units, at most one of which is on; a block's pooling unit
    is on when one of its units is. Units that do not fill a whole block are left out of the
    model. In a network the layer is the deterministic up-pass: each pooling unit's
    probability P(p = 1 | v), shape (batch, time', frequency', filters). Pretraining
    (contrastive divergence) uses the hidden units and the visible side as well.

    visible: "gaussian" for real values of unit variance (standardised spectra),
    "bernoulli" for values in 0..1.
    """

    def __init__(
        self,
        filters: int,
        kernel_time: int,
        kernel_frequency: int,
        pool_time: int = 2,
        pool_frequency: int = 2,
        visible: str = "gaussian",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        sizes = {
            "filters": filters,
            "kernel_time": kernel_time,
            "kernel_frequency": kernel_frequency,
            "pool_time": pool_time,
            "pool_frequency": pool_frequency,
        }
        for name, value in sizes.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if visible not in ("bernoulli", "gaussian"):
            raise ValueError(f"visible must be 'bernoulli' or 'gaussian', got {visible!r}")
        self.filters = filters
        self.kernel_time = kernel_time
        self.kernel_frequency = kernel_frequency
        self.pool_time = pool_time
        self.pool_frequency = pool_frequency
        self.visible = visible

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        if len(input_shape) != 4:
            raise ValueError(f"ConvRBM needs (batch, time, frequency, channels), got {input_shape}")
        time, frequency, channels = input_shape[1:]
        if time is None or frequency is None or channels is None:
            raise ValueError(f"ConvRBM needs every axis of its input known, got {input_shape}")
        self.visible_shape = (int(time), int(frequency), int(channels))
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_time, self.kernel_frequency, int(channels), self.filters),
            initializer=keras.initializers.RandomNormal(stddev=0.01),
        )
        self.hidden_bias = self.add_weight(
            name="hidden_bias", shape=(self.filters,), initializer="zeros"
        )
        self.visible_bias = self.add_weight(
            name="visible_bias", shape=(int(channels),), initializer="zeros"
        )

    # ---- the up-pass ----------------------------------------------------------------------

    def hidden_input(self, visible: Any) -> Any:
        """I(h): each hidden unit's input, cut to whole pooling blocks."""
        act = ops.conv(visible, self.kernel, strides=1, padding="valid") + self.hidden_bias
        time = (ops.shape(act)[1] // self.pool_time) * self.pool_time
        frequency = (ops.shape(act)[2] // self.pool_frequency) * self.pool_frequency
        return act[:, :time, :frequency, :]

    def _blocks(self, act: Any) -> Any:
        """(batch, time', frequency', filters, units of a block) from the hidden maps."""
        batch, time, frequency = ops.shape(act)[0], ops.shape(act)[1], ops.shape(act)[2]
        ct, cf = self.pool_time, self.pool_frequency
        blocks = ops.reshape(act, (batch, time // ct, ct, frequency // cf, cf, self.filters))
        blocks = ops.transpose(blocks, (0, 1, 3, 5, 2, 4))
        return ops.reshape(blocks, (batch, time // ct, frequency // cf, self.filters, ct * cf))

    def _maps(self, blocks: Any) -> Any:
        """The inverse of ``_blocks``: hidden maps (batch, time, frequency, filters)."""
        batch, pooled_t, pooled_f = ops.shape(blocks)[0], ops.shape(blocks)[1], ops.shape(blocks)[2]
        ct, cf = self.pool_time, self.pool_frequency
        maps = ops.reshape(blocks, (batch, pooled_t, pooled_f, self.filters, ct, cf))
        maps = ops.transpose(maps, (0, 1, 4, 2, 5, 3))
        return ops.reshape(maps, (batch, pooled_t * ct, pooled_f * cf, self.filters))

    def block_probabilities(self, visible: Any) -> tuple[Any, Any]:
        """(P(h = 1 | v) as hidden maps, P(p = 0 | v) per pooling unit): a softmax over each
        block's units and its "all off" state, computed without overflow."""
        blocks = self._blocks(self.hidden_input(visible))
        top = ops.maximum(ops.max(blocks, axis=-1, keepdims=True), 0.0)
        on = ops.exp(blocks - top)
        off = ops.exp(-top)
        total = off + ops.sum(on, axis=-1, keepdims=True)
        return self._maps(on / total), ops.squeeze(off / total, axis=-1)

    def hidden_probabilities(self, visible: Any) -> Any:
        return self.block_probabilities(visible)[0]

    def pooled_probabilities(self, visible: Any) -> Any:
        """P(p = 1 | v): the probability that some unit of the block is on."""
        return 1.0 - self.block_probabilities(visible)[1]

    def call(self, inputs: Any) -> Any:
        return self.pooled_probabilities(inputs)

    # ---- the down-pass and the energy -----------------------------------------------------

    def visible_mean(self, hidden: Any) -> Any:
        """E[v | h] from hidden maps: the filters' full convolution with them (the units left
        out of the blocks are off)."""
        batch = ops.shape(hidden)[0]
        time, frequency, channels = self.visible_shape
        padded = ops.pad(
            hidden,
            (
                (0, 0),
                (0, time - self.kernel_time + 1 - ops.shape(hidden)[1]),
                (0, frequency - self.kernel_frequency + 1 - ops.shape(hidden)[2]),
                (0, 0),
            ),
        )
        act = ops.conv_transpose(
            padded,
            self.kernel,
            strides=1,
            padding="valid",
        )
        act = ops.reshape(act, (batch, time, frequency, channels)) + self.visible_bias
        return ops.sigmoid(act) if self.visible == "bernoulli" else act

    def free_energy(self, visible: Any) -> Any:
        """F(v) per sample: -Σ_blocks log(1 + Σ_units exp I(h)) plus the visible term."""
        blocks = self._blocks(self.hidden_input(visible))
        top = ops.maximum(ops.max(blocks, axis=-1), 0.0)
        log_total = top + ops.log(ops.exp(-top) + ops.sum(ops.exp(blocks - top[..., None]), -1))
        hidden_term = ops.sum(ops.reshape(log_total, (ops.shape(visible)[0], -1)), axis=-1)
        flat = ops.reshape(visible, (ops.shape(visible)[0], -1, self.visible_shape[-1]))
        if self.visible == "bernoulli":
            visible_term = -ops.sum(ops.sum(flat, axis=1) * self.visible_bias, axis=-1)
        else:
            visible_term = 0.5 * ops.sum(ops.square(flat - self.visible_bias), axis=(1, 2))
        return visible_term - hidden_term

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        batch, time, frequency = input_shape[0], input_shape[1], input_shape[2]
        pooled_t = None if time is None else (time - self.kernel_time + 1) // self.pool_time
        pooled_f = (
            None
            if frequency is None
            else (frequency - self.kernel_frequency + 1) // self.pool_frequency
        )
        return (batch, pooled_t, pooled_f, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_time": self.kernel_time,
            "kernel_frequency": self.kernel_frequency,
            "pool_time": self.pool_time,
            "pool_frequency": self.pool_frequency,
            "visible": self.visible,
        }
