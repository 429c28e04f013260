from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="layerwise")
class RBM(keras.layers.Layer):
    """A restricted Boltzmann machine. In a network it is a sigmoid layer computing
    p(h = 1 | v); pretraining (contrastive divergence) uses the visible side as well.

    visible: "bernoulli" for binary / [0, 1] data, "gaussian" for real values of unit variance.
    per_frame: the input is (frames, features), each frame read alike (the frames axis kept);
    the computation is the same, pretraining takes every frame as a sample.
    """

    def __init__(
        self, units: int, visible: str = "bernoulli", per_frame: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        if visible not in ("bernoulli", "gaussian"):
            raise ValueError(f"visible must be 'bernoulli' or 'gaussian', got {visible!r}")
        if not isinstance(per_frame, bool):
            raise ValueError(f"per_frame must be true or false, got {per_frame!r}")
        self.units = units
        self.visible = visible
        self.per_frame = per_frame

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel",
            shape=(features, self.units),
            initializer=keras.initializers.RandomNormal(stddev=0.01),
        )
        self.hidden_bias = self.add_weight(
            name="hidden_bias", shape=(self.units,), initializer="zeros"
        )
        self.visible_bias = self.add_weight(
            name="visible_bias", shape=(features,), initializer="zeros"
        )

    def call(self, inputs: Any) -> Any:
        return self.hidden_probabilities(inputs)

    def hidden_probabilities(self, visible: Any) -> Any:
        return ops.sigmoid(ops.matmul(visible, self.kernel) + self.hidden_bias)

    def visible_mean(self, hidden: Any) -> Any:
        """E[v | h]: probabilities for Bernoulli units, the mean for Gaussian units."""
        activation = ops.matmul(hidden, ops.transpose(self.kernel)) + self.visible_bias
        return ops.sigmoid(activation) if self.visible == "bernoulli" else activation

    def free_energy(self, visible: Any) -> Any:
        hidden_term = ops.sum(
            ops.softplus(ops.matmul(visible, self.kernel) + self.hidden_bias), axis=-1
        )
        if self.visible == "bernoulli":
            return -ops.matmul(visible, self.visible_bias) - hidden_term
        return 0.5 * ops.sum(ops.square(visible - self.visible_bias), axis=-1) - hidden_term

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "visible": self.visible,
            "per_frame": self.per_frame,
        }
