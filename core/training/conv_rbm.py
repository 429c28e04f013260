"""Contrastive divergence for a convolutional RBM with probabilistic max-pooling (Lee et al.
2009): CD-k, Gaussian or Bernoulli visible units, momentum, weight decay and a sparsity
target on the hidden units.

Each pooling block is one multinomial unit (one of its hidden units on, or none), so a Gibbs
step samples a block's state at once. The update is CD-k's: the gradient of the free energy
of the data minus that of the (held) negative samples, per hidden position (so the learning
rate does not scale with the spectrogram's size). One ``tf.function`` call runs a chunk of
batches and stops after the batch it is on when the session's interrupt flag is set.
"""

from __future__ import annotations

import math

import numpy as np

from core.training.rbm import data_cd_chunk, momentum_update, run_cd_chunk
from core.training.trainer import PhaseData, PhaseTrainer

VALIDATION_SAMPLES = 512  # inputs the per-epoch validation figure is measured on


class ConvRBMTrainer(PhaseTrainer):
    method = "conv-rbm"
    filters_in_own_shape = True  # snapshots draw filters as patches, not in the data's shape

    def __init__(self, layer, data: PhaseData):
        super().__init__(data)
        tf = self.tf
        settings = data.settings
        self.layer = layer
        self.chunk = max(1, math.ceil(self.steps_per_epoch / 4))
        self.gaussian = layer.visible == "gaussian"
        self.k = int(settings.get("cd_k", 1))
        self.lr = float(settings["learning_rate"])
        self.weight_decay = float(settings.get("weight_decay", 0.0))
        self.sparsity_target = float(settings.get("sparsity_target", 0.0))
        self.sparsity_cost = float(settings.get("sparsity_cost", 0.0))
        self.momentum0 = float(settings.get("momentum", 0.0))
        self.momentum1 = float(settings.get("final_momentum", self.momentum0))
        self.shape = tuple(int(d) for d in layer.visible_shape)
        self.data = tf.constant(self.x_train.reshape(self.n, *self.shape))
        pooled = layer.compute_output_shape((None, *self.shape))
        self.positions = float(pooled[1] * layer.pool_time * pooled[2] * layer.pool_frequency)
        self.variables = [layer.kernel.value, layer.hidden_bias.value, layer.visible_bias.value]
        self.velocities = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.variables]
        self.rng = tf.random.Generator.from_seed(data.seed)
        self._chunk = tf.function(data_cd_chunk(self))

    def state_variables(self):
        return [*self.variables, *self.velocities, self.rng.state]

    # ---- sampling ---------------------------------------------------------------------------

    def sample_hidden(self, visible):
        """Hidden maps with at most one unit on per pooling block, drawn from P(h | v)."""
        tf, layer = self.tf, self.layer
        blocks = layer._blocks(layer.hidden_input(visible))
        states = tf.concat([tf.zeros_like(blocks[..., :1]), blocks], axis=-1)  # "off" first
        drawn = tf.random.stateless_categorical(
            tf.reshape(states, (-1, states.shape[-1])), 1, self.rng.make_seeds(1)[:, 0]
        )
        onehot = tf.one_hot(drawn[:, 0], states.shape[-1], dtype=tf.float32)[:, 1:]
        return layer._maps(tf.reshape(onehot, tf.shape(blocks)))

    def sample_visible(self, hidden):
        mean = self.layer.visible_mean(hidden)
        if self.gaussian:
            return mean + self.rng.normal(self.tf.shape(mean))
        return self.tf.cast(self.rng.uniform(self.tf.shape(mean)) < mean, self.tf.float32)

    def negative(self, v0):
        """k Gibbs steps from the data; mean-field visible units on the last (Hinton's guide)."""
        h = self.sample_hidden(v0)
        first = h
        for i in range(self.k):
            last = i == self.k - 1
            v = self.layer.visible_mean(h) if last else self.sample_visible(h)
            if not last:
                h = self.sample_hidden(v)
        return self.tf.stop_gradient(v), first

    # ---- the compiled loop ------------------------------------------------------------------

    def _cd_step(self, v0, momentum):
        tf, layer = self.tf, self.layer
        v1, h0 = self.negative(v0)
        with tf.GradientTape() as tape:
            cost = tf.reduce_mean(layer.free_energy(v0) - layer.free_energy(v1)) / self.positions
        grads = tape.gradient(cost, self.variables)
        kernel, hidden_bias, _ = self.variables
        grads[0] += self.weight_decay * kernel
        if self.sparsity_cost and self.sparsity_target:
            active = tf.reduce_mean(layer.hidden_probabilities(v0), axis=(0, 1, 2))
            grads[1] -= self.sparsity_cost * (self.sparsity_target - active)
        for variable, velocity, grad in zip(self.variables, self.velocities, grads, strict=True):
            momentum_update(tf, variable, velocity, grad, self.lr, momentum)
        recon = layer.visible_mean(h0)
        return tf.reduce_mean(tf.square(v0 - recon))

    # ---- the PhaseTrainer protocol ----------------------------------------------------------

    def run(self, epoch: int, start: int, count: int):
        momentum = self.momentum0 if epoch < 5 else self.momentum1
        return run_cd_chunk(self, start, count, self.tf.constant(momentum, self.tf.float32))

    def _shaped(self, v):
        return self.tf.constant(np.asarray(v, np.float32).reshape(len(v), *self.shape))

    def reconstruct(self, v):
        """The mean-field reconstruction E[v | P(h | v)], flat like the inputs."""
        visible = self._shaped(v)
        hidden = self.layer.hidden_probabilities(visible)
        return np.asarray(self.layer.visible_mean(hidden)).reshape(len(v), -1)

    def hidden(self, v):
        """The pooling units' probabilities (the block's output), flat."""
        return np.asarray(self.layer.pooled_probabilities(self._shaped(v))).reshape(len(v), -1)

    def validation_metrics(self) -> dict:
        x = (self.x_val if len(self.x_val) else self.x_train)[:VALIDATION_SAMPLES]
        recon = np.concatenate([self.reconstruct(x[i : i + 64]) for i in range(0, len(x), 64)])
        pooled = self.hidden(x[:64])
        return {
            "val_reconstruction_error": float(np.mean((x - recon) ** 2)),
            "pooled_activity": float(pooled.mean()),
        }

    def filters(self):
        """(filters, time, frequency[, channels]): each filter as a spectro-temporal patch
        (the channel axis only when the block reads several channels)."""
        kernel = np.asarray(self.layer.kernel.numpy())
        patches = np.transpose(kernel, (3, 0, 1, 2))
        return patches[..., 0] if patches.shape[-1] == 1 else patches

    def weight_sample(self):
        return np.asarray(self.layer.kernel.numpy()).ravel()
