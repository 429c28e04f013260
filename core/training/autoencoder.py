"""Greedy pretraining of one autoencoder layer: rebuild its input through ``decode``, from a
corrupted copy when the block is denoising, plus the KL(ρ‖ρ̂) sparsity penalty when sparse.
Tied or untied decoder is the layer's own business (``decoder_weights``)."""

from __future__ import annotations

import numpy as np

from core.training.trainer import PhaseData, PhaseTrainer


def make_optimizer(name: str, learning_rate: float, clip_norm: float = 0.0):
    """``clip_norm`` above 0 scales the gradients down when their joint norm is above it."""
    from core.keras_env import load_keras

    keras = load_keras()
    clip = {"global_clipnorm": float(clip_norm)} if clip_norm > 0 else {}
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9, **clip)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate, **clip)
    return keras.optimizers.Adam(learning_rate, **clip)


def binary_like(x: np.ndarray) -> bool:
    """Values in [0, 1]: a sigmoid output with cross-entropy suits them."""
    return bool(x.size) and float(np.min(x)) >= 0.0 and float(np.max(x)) <= 1.0


class AutoencoderTrainer(PhaseTrainer):
    method = "autoencoder"

    def __init__(self, layer, data: PhaseData):
        super().__init__(data)
        tf = self.tf
        settings = data.settings
        self.layer = layer
        self.data = tf.constant(self.x_train)
        act = getattr(layer.decoder_activation, "__name__", "")
        self.cross_entropy = act == "sigmoid" and binary_like(self.x_train)
        self.optimizer = make_optimizer(
            settings.get("optimizer", "adam"), float(settings["learning_rate"])
        )
        self.variables = list(layer.trainable_variables)
        self.optimizer.build(self.variables)
        state = layer.seed_generator.state
        state.assign(np.asarray([data.seed, 0]).astype(state.dtype))
        self._chunk = self.compile_chunk(self._train_step)

    def _loss(self, x, training=True):
        tf = self.tf
        layer = self.layer
        source = layer.corrupt(x) if training else x
        code = layer.encode(source)
        recon = layer.decode(code)
        mse = tf.reduce_mean(tf.square(x - recon))
        if self.cross_entropy:
            p = tf.clip_by_value(recon, 1e-7, 1 - 1e-7)
            rec_loss = -tf.reduce_mean(x * tf.math.log(p) + (1 - x) * tf.math.log(1 - p))
        else:
            rec_loss = mse
        sparsity = layer.sparsity_penalty(code)
        return rec_loss + sparsity, mse

    def _train_step(self, start):
        tf = self.tf
        bs = self.batch_size
        idx = self.order[start * bs : (start + 1) * bs]
        x = tf.gather(self.data, idx)
        with tf.GradientTape() as tape:
            loss, mse = self._loss(x)
        grads = tape.gradient(loss, self.variables)
        self.optimizer.apply_gradients(zip(grads, self.variables, strict=False))
        return loss, mse

    def state_variables(self):
        return (
            [v.value for v in self.layer.weights]
            + [v.value for v in self.optimizer.variables]
            + [self.layer.seed_generator.state.value]
        )

    def run(self, epoch: int, start: int, count: int):
        return self.run_chunk(start, count, ("loss", "reconstruction_error"))

    def reconstruct(self, x):
        tf = self.tf
        x = tf.constant(np.asarray(x, np.float32))
        return self.layer.decode(self.layer.encode(x)).numpy()

    def hidden(self, x):
        return self.layer.encode(self.tf.constant(np.asarray(x, np.float32))).numpy()

    def validation_metrics(self) -> dict:
        x = self.x_val if len(self.x_val) else self.x_train
        x = x[:2000]
        return {"val_reconstruction_error": float(np.mean((x - self.reconstruct(x)) ** 2))}

    def filters(self):
        return np.asarray(self.layer.kernel.numpy()).T

    def weight_sample(self):
        return np.asarray(self.layer.kernel.numpy()).ravel()
