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
    label_units: the data's labels joined to the visible layer as one softmax group of this
    many units (the top RBM of Hinton, Osindero and Teh 2006). They learn by contrastive
    divergence only (not trainable by backpropagation); in the network the layer reads its
    input alone, the label units absent.
    """

    def __init__(
        self,
        units: int,
        visible: str = "bernoulli",
        per_frame: bool = False,
        label_units: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        if visible not in ("bernoulli", "gaussian"):
            raise ValueError(f"visible must be 'bernoulli' or 'gaussian', got {visible!r}")
        if not isinstance(per_frame, bool):
            raise ValueError(f"per_frame must be true or false, got {per_frame!r}")
        if isinstance(label_units, bool) or not isinstance(label_units, int) or label_units < 0:
            raise ValueError(
                f"label_units must be a whole number of at least 0, got {label_units!r}"
            )
        if label_units == 1:
            raise ValueError("label_units must be 0 (no labels) or at least 2 classes, got 1")
        if label_units and per_frame:
            raise ValueError("label units join one label per sample; per_frame has many")
        self.units = units
        self.visible = visible
        self.per_frame = per_frame
        self.label_units = label_units

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
        if self.label_units:
            self.label_kernel = self.add_weight(
                name="label_kernel",
                shape=(self.label_units, self.units),
                initializer=keras.initializers.RandomNormal(stddev=0.01),
                trainable=False,
            )
            self.label_bias = self.add_weight(
                name="label_bias", shape=(self.label_units,), initializer="zeros", trainable=False
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

    def label_free_energies(self, visible: Any) -> Any:
        """F(v, y) for every class y, shape (samples, label_units): the free energy of the
        input joined with each label's one-hot vector; the lowest is the likeliest class."""
        if not self.label_units:
            raise ValueError(f"the RBM '{self.name}' has no label units")
        base = ops.matmul(visible, self.kernel) + self.hidden_bias  # (n, H)
        hidden = ops.softplus(ops.expand_dims(base, 1) + self.label_kernel)  # (n, K, H)
        energies = -ops.sum(hidden, axis=-1) - self.label_bias
        if self.visible == "bernoulli":
            data_term = -ops.matmul(visible, self.visible_bias)
        else:
            data_term = 0.5 * ops.sum(ops.square(visible - self.visible_bias), axis=-1)
        return energies + ops.expand_dims(data_term, -1)

    def classify(self, visible: Any) -> Any:
        """p(y | v) of the joint RBM: a softmax over minus each label's free energy."""
        return ops.softmax(-self.label_free_energies(visible), axis=-1)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "visible": self.visible,
            "per_frame": self.per_frame,
            "label_units": self.label_units,
        }
