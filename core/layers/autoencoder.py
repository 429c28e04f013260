from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="layerwise")
class Autoencoder(keras.layers.Layer):
    """One autoencoder layer. In a network it is its encoder; pretraining teaches it to
    rebuild its input through ``decode``, optionally from a corrupted copy (denoising) and
    with a KL(ρ‖ρ̂) penalty that keeps the mean code activation near ``sparsity_target``.
    """

    CORRUPTIONS = ("none", "masking", "gaussian")

    def __init__(
        self,
        units: int,
        activation: Any = "sigmoid",
        decoder_activation: Any = "sigmoid",
        tied: bool = True,
        sparsity_target: float = 0.05,
        sparsity_weight: float = 0.0,
        corruption: str = "none",
        corruption_level: float = 0.3,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}")
        if corruption not in self.CORRUPTIONS:
            raise ValueError(f"corruption must be one of {self.CORRUPTIONS}, got {corruption!r}")
        if not 0.0 < sparsity_target < 1.0:
            raise ValueError(f"sparsity_target must lie in (0, 1), got {sparsity_target!r}")
        if sparsity_weight < 0 or corruption_level < 0:
            raise ValueError("sparsity_weight and corruption_level must not be negative")
        self.units = units
        self.activation = keras.activations.get(activation)
        self.decoder_activation = keras.activations.get(decoder_activation)
        self.tied = bool(tied)
        self.sparsity_target = float(sparsity_target)
        self.sparsity_weight = float(sparsity_weight)
        self.corruption = corruption
        self.corruption_level = float(corruption_level)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features = input_shape[-1]
        self.kernel = self.add_weight(
            name="kernel", shape=(features, self.units), initializer="glorot_uniform"
        )
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")
        self.decoder_bias = self.add_weight(
            name="decoder_bias", shape=(features,), initializer="zeros"
        )
        self.decoder_kernel = None
        if not self.tied:
            self.decoder_kernel = self.add_weight(
                name="decoder_kernel", shape=(self.units, features), initializer="glorot_uniform"
            )

    def call(self, inputs: Any) -> Any:
        return self.encode(inputs)

    def encode(self, inputs: Any) -> Any:
        return self.activation(ops.matmul(inputs, self.kernel) + self.bias)

    def decoder_weights(self) -> Any:
        return ops.transpose(self.kernel) if self.tied else self.decoder_kernel

    def decode(self, code: Any) -> Any:
        return self.decoder_activation(ops.matmul(code, self.decoder_weights()) + self.decoder_bias)

    def corrupt(self, inputs: Any) -> Any:
        """The denoising corruption applied to the input while pretraining."""
        if self.corruption == "masking" and self.corruption_level > 0:
            keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator)
            return inputs * ops.cast(keep >= self.corruption_level, inputs.dtype)
        if self.corruption == "gaussian" and self.corruption_level > 0:
            noise = keras.random.normal(
                ops.shape(inputs), stddev=self.corruption_level, seed=self.seed_generator
            )
            return inputs + noise
        return inputs

    def sparsity_penalty(self, code: Any) -> Any:
        """β · Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the mean activation of code unit j over the batch."""
        if self.sparsity_weight == 0:
            return ops.convert_to_tensor(0.0)
        rho = self.sparsity_target
        rho_hat = ops.clip(ops.mean(code, axis=0), 1e-6, 1.0 - 1e-6)
        kl = rho * ops.log(rho / rho_hat) + (1 - rho) * ops.log((1 - rho) / (1 - rho_hat))
        return self.sparsity_weight * ops.sum(kl)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "decoder_activation": keras.activations.serialize(self.decoder_activation),
            "tied": self.tied,
            "sparsity_target": self.sparsity_target,
            "sparsity_weight": self.sparsity_weight,
            "corruption": self.corruption,
            "corruption_level": self.corruption_level,
            "seed": self.seed,
        }
