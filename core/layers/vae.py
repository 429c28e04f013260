from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="layerwise")
class VAESampling(keras.layers.Layer):
    """The variational part of a VAE: maps its input to a Gaussian code q(z | x) = N(μ, σ²),
    samples z with the reparameterisation trick while training (μ otherwise), and adds
    β · KL(q(z | x) ‖ N(0, I)) to the model's loss (summed over the code, averaged over the
    batch; pair it with a reconstruction loss summed over features).
    """

    def __init__(
        self, latent_dim: int, beta: float = 1.0, seed: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(latent_dim, int) or latent_dim < 1:
            raise ValueError(f"latent_dim must be a positive integer, got {latent_dim!r}")
        if beta < 0:
            raise ValueError(f"beta must not be negative, got {beta!r}")
        self.latent_dim = latent_dim
        self.beta = float(beta)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        features = input_shape[-1]
        shape = (features, self.latent_dim)
        self.mean_kernel = self.add_weight(
            name="mean_kernel", shape=shape, initializer="glorot_uniform"
        )
        self.mean_bias = self.add_weight(
            name="mean_bias", shape=(self.latent_dim,), initializer="zeros"
        )
        self.log_var_kernel = self.add_weight(
            name="log_var_kernel", shape=shape, initializer="glorot_uniform"
        )
        self.log_var_bias = self.add_weight(
            name="log_var_bias", shape=(self.latent_dim,), initializer="zeros"
        )

    def distribution(self, inputs: Any) -> tuple[Any, Any]:
        """(μ, log σ²) of the code for ``inputs``."""
        mean = ops.matmul(inputs, self.mean_kernel) + self.mean_bias
        log_var = ops.matmul(inputs, self.log_var_kernel) + self.log_var_bias
        return mean, ops.clip(log_var, -20.0, 20.0)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        mean, log_var = self.distribution(inputs)
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(self.beta * ops.mean(kl))
        if not training:
            return mean
        noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * noise

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape[:-1], self.latent_dim)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "beta": self.beta,
            "seed": self.seed,
        }
