from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="layerwise")
class Maxout(keras.layers.Layer):
    """Maxout units (Goodfellow et al. 2013): each output is the largest of ``pieces`` linear
    functions of the input."""

    def __init__(self, units: int, pieces: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        if not isinstance(pieces, int) or pieces < 2:
            raise ValueError(f"pieces must be an integer of at least 2, got {pieces!r}")
        self.units = units
        self.pieces = pieces

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel", shape=(features, self.units * self.pieces), initializer="glorot_uniform"
        )
        self.bias = self.add_weight(
            name="bias", shape=(self.units * self.pieces,), initializer="zeros"
        )

    def call(self, inputs: Any) -> Any:
        linear = ops.matmul(inputs, self.kernel) + self.bias
        shape = ops.shape(linear)
        pieces = ops.reshape(linear, (*shape[:-1], self.units, self.pieces))
        return ops.max(pieces, axis=-1)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "pieces": self.pieces}
