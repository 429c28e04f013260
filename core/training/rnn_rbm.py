"""Contrastive divergence for the RNN-RBM: CD-k at every time step, through the RNN.

Each step's RBM gets its biases from the RNN's state over the frames before it. A negative
frame is drawn by k Gibbs steps from the data frame under those biases; the cost is the mean
free energy of the data frames minus that of the (held) negative frames, whose gradient is
CD-k's for the RBM and, through the biases, back-propagation through time for the RNN
(Boulanger-Lewandowski et al. 2012). One ``tf.function`` call runs a batch.
"""

from __future__ import annotations

import numpy as np

from core.training.sampling import bernoulli
from core.training.trainer import PhaseData, PhaseTrainer

VALIDATION_PIECES = 256  # windows the per-epoch validation figure is measured on


class RNNRBMTrainer(PhaseTrainer):
    method = "rnn-rbm"

    def __init__(self, layer, data: PhaseData):
        super().__init__(data)
        import keras

        tf = self.tf
        self.layer = layer
        self.keys = int(layer.kernel.shape[0])
        self.k = int(self.settings.get("cd_k", 15))
        self.data = tf.constant(self.x_train.reshape(self.n, -1, self.keys))
        self.rng = tf.random.Generator.from_seed(data.seed)
        name = str(self.settings.get("optimizer", "adam"))
        self.optimizer = keras.optimizers.get(
            {"class_name": name, "config": {"learning_rate": float(self.settings["learning_rate"])}}
        )
        self.optimizer.build(layer.trainable_variables)
        self._step = tf.function(self._train_step)

    def state_variables(self):
        return [*self.layer.weights, *self.optimizer.variables, self.rng.state]

    def _sample(self, p):
        return bernoulli(self.tf, self.rng, p)

    def negative_frames(self, frames, visible_bias, hidden_bias):
        """k Gibbs steps from each data frame in its own step's RBM."""
        layer, v = self.layer, frames
        for _ in range(self.k):
            h = self._sample(layer.hidden_probabilities(v, hidden_bias))
            v = self._sample(layer.visible_probabilities(h, visible_bias))
        return self.tf.stop_gradient(v)

    def _train_step(self, index):
        tf, layer = self.tf, self.layer
        frames = tf.gather(self.data, index)
        with tf.GradientTape() as tape:
            visible_bias, hidden_bias = layer.conditional_biases(frames)
            negative = self.negative_frames(frames, visible_bias, hidden_bias)
            cost = tf.reduce_mean(
                layer.free_energy(frames, visible_bias, hidden_bias)
                - layer.free_energy(negative, visible_bias, hidden_bias)
            )
        variables = layer.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(cost, variables), variables, strict=True))
        hidden = layer.hidden_probabilities(frames, hidden_bias)
        recon = layer.visible_probabilities(hidden, visible_bias)
        return tf.reduce_mean(tf.square(frames - recon))

    # ---- the PhaseTrainer protocol ---------------------------------------------------------

    def run(self, epoch: int, start: int, count: int):
        name = "reconstruction_error"
        bs, done, total = self.batch_size, 0, self.carried(name)
        for i in range(count):
            if i and bool(self.interrupt.numpy()):
                break
            index = self.order[(start + i) * bs : (start + i + 1) * bs]
            total += float(self._step(index))
            done += 1
        return (done, self.add_totals({name: total}, done)) if done else (0, {})

    def validation_metrics(self) -> dict:
        """The next-step cross-entropy of the mean-field output, nats per step (a quick
        figure; ``layerwise evaluate`` gives the annealed-importance-sampling one)."""
        x = self.x_val if len(self.x_val) else self.x_train
        frames = x[:VALIDATION_PIECES].reshape(-1, x.shape[1] // self.keys, self.keys)
        if frames.shape[1] < 2:
            return {}
        p = np.clip(np.asarray(self.layer(frames))[:, :-1], 1e-7, 1 - 1e-7)
        target = frames[:, 1:]
        nll = -(target * np.log(p) + (1 - target) * np.log1p(-p)).sum(-1).mean()
        return {"val_next_step_nll": float(nll)}

    def _frames(self, v):
        return self.tf.constant(np.asarray(v, np.float32).reshape(len(v), -1, self.keys))

    def reconstruct(self, v):
        frames = self._frames(v)
        visible_bias, hidden_bias = self.layer.conditional_biases(frames)
        hidden = self.layer.hidden_probabilities(frames, hidden_bias)
        recon = self.layer.visible_probabilities(hidden, visible_bias)
        return np.asarray(recon).reshape(len(v), -1)

    def hidden(self, v):
        frames = self._frames(v)
        _, hidden_bias = self.layer.conditional_biases(frames)
        return np.asarray(self.layer.hidden_probabilities(frames, hidden_bias)).reshape(len(v), -1)

    def filters(self):
        """Each hidden unit's weights over the keys, repeated along the window so they draw
        in the data's shape."""
        steps = self.x_train.shape[1] // self.keys
        weights = np.asarray(self.layer.kernel.numpy()).T
        return np.repeat(weights[:, None, :], steps, axis=1).reshape(len(weights), -1)

    def weight_sample(self):
        return np.asarray(self.layer.kernel.numpy()).ravel()
