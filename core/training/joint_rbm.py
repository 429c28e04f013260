"""Contrastive divergence for an RBM whose visible layer joins the data's labels as one
softmax group (the top RBM of Hinton, Osindero and Teh 2006): the visible state is the
features and a one-hot label, v = [x, y].

The label group is sampled as a softmax, one of K (Gumbel-max on its logits), wherever the
chain samples the visible layer; on CD-k's last step it stays as probabilities, like the
mean-field feature units (Hinton's guide). Updates as the plain RBM's: momentum, weight decay
on both kernels, an optional sparsity target. Validation also classifies held-out samples by
the free energy of each label (``val_label_accuracy``).
"""

from __future__ import annotations

import numpy as np

from core.errors import DataError
from core.training.rbm import ContrastiveDivergenceTrainer, cd_loop, run_cd_chunk
from core.training.trainer import PhaseData


def one_hot_labels(y: np.ndarray | None, classes: int, block: str, split: str) -> np.ndarray:
    """``y`` as (n, classes) one-hot rows; DataError when the data cannot fill the groups."""
    if y is None:
        raise DataError(
            f"block {block} joins the data's labels, but the dataset has no labels; set its "
            "label units to 0 or choose a labelled dataset"
        )
    y = np.asarray(y).astype(np.int64).ravel()
    if len(y) and (y.min() < 0 or y.max() >= classes):
        raise DataError(
            f"the {split} labels run from {int(y.min())} to {int(y.max())}, but block {block} "
            f"has {classes} label units; set its label units to {int(y.max()) + 1}"
        )
    return np.eye(classes, dtype=np.float32)[y]


def softmax_sample(tf, rng, logits):
    """One class per row drawn from softmax(``logits``) (Gumbel-max), as one-hot rows."""
    gumbel = -tf.math.log(-tf.math.log(rng.uniform(tf.shape(logits), 1e-20, 1.0)))
    return tf.one_hot(tf.argmax(logits + gumbel, axis=-1), tf.shape(logits)[-1])


class JointRBMTrainer(ContrastiveDivergenceTrainer):
    def __init__(self, layer, data: PhaseData):
        super().__init__(layer, data)
        tf = self.tf

        classes = int(layer.label_units)
        self.labels = one_hot_labels(data.y_train, classes, layer.name, "training")
        if len(self.labels) != self.n:
            raise DataError(
                f"block {layer.name}: {self.n} training samples but {len(self.labels)} labels"
            )
        self.y_val = (
            None
            if data.y_val is None or not len(data.y_val)
            else np.asarray(data.y_val).astype(np.int64).ravel()
        )
        self.W = layer.kernel.value
        self.U = layer.label_kernel.value  # label → hidden
        self.c = layer.hidden_bias.value
        self.b = layer.visible_bias.value
        self.d = layer.label_bias.value  # label biases
        V, H = self.W.shape
        self.data = tf.constant(self.x_train)
        self.label_data = tf.constant(self.labels)
        self.vW = tf.Variable(tf.zeros([V, H]), trainable=False)
        self.vU = tf.Variable(tf.zeros([classes, H]), trainable=False)
        self.vc = tf.Variable(tf.zeros([H]), trainable=False)
        self.vb = tf.Variable(tf.zeros([V]), trainable=False)
        self.vd = tf.Variable(tf.zeros([classes]), trainable=False)
        self.chain = tf.Variable(tf.zeros([self.batch_size, H]), trainable=False)
        self.q = tf.Variable(tf.fill([H], max(self.sparsity_target, 1e-3)), trainable=False)
        self.rng = tf.random.Generator.from_seed(data.seed)
        self._chunk = tf.function(self._run_chunk, autograph=False)

    def state_variables(self):
        return [
            self.W,
            self.U,
            self.c,
            self.b,
            self.d,
            self.vW,
            self.vU,
            self.vc,
            self.vb,
            self.vd,
            self.chain,
            self.q,
            self.rng.state,
        ]

    # ---- the compiled loop -----------------------------------------------------------------

    def _features(self, h, sample):
        tf = self.tf
        act = tf.matmul(h, self.W, transpose_b=True) + self.b
        if self.gaussian:
            return act + self.rng.normal(tf.shape(act)) if sample else act
        p = tf.sigmoid(act)
        return self._sample(p) if sample else p

    def _labels(self, h, sample):
        """p(y | h) as a softmax over the K label units, or one label drawn from it."""
        tf = self.tf
        logits = tf.matmul(h, self.U, transpose_b=True) + self.d
        return softmax_sample(tf, self.rng, logits) if sample else tf.nn.softmax(logits)

    def _hidden(self, v, y):
        tf = self.tf
        return tf.sigmoid(tf.matmul(v, self.W) + tf.matmul(y, self.U) + self.c)

    def _cd_step(self, v0, y0, momentum):
        tf = self.tf
        ph0 = self._hidden(v0, y0)
        h0 = self._sample(ph0)
        if self.persistent:
            h = self.chain[: tf.shape(v0)[0]]
            for _ in range(self.k):
                v, y = self._features(h, sample=True), self._labels(h, sample=True)
                ph = self._hidden(v, y)
                h = self._sample(ph)
            self.chain.assign(h)
            recon = self._features(h0, sample=False)
        else:
            h = h0
            for i in range(self.k):
                last = i == self.k - 1
                v, y = self._features(h, sample=not last), self._labels(h, sample=not last)
                ph = self._hidden(v, y)
                if not last:
                    h = self._sample(ph)
            recon = v if self.k == 1 else self._features(h0, sample=False)
        m = tf.cast(tf.shape(v0)[0], tf.float32)
        descent_w = tf.matmul(v, ph, transpose_a=True) - tf.matmul(v0, ph0, transpose_a=True)
        descent_u = tf.matmul(y, ph, transpose_a=True) - tf.matmul(y0, ph0, transpose_a=True)
        descent_c = tf.reduce_sum(ph - ph0, axis=0)
        descent_b = tf.reduce_sum(v - v0, axis=0)
        descent_d = tf.reduce_sum(y - y0, axis=0)
        if self.weight_decay:
            descent_w += (m * self.weight_decay) * self.W
            descent_u += (m * self.weight_decay) * self.U
        if self.sparsity_cost and self.sparsity_target:
            self.q.assign(0.9 * self.q + 0.1 * tf.reduce_mean(ph0, axis=0))
            push = m * self.sparsity_cost * (self.sparsity_target - self.q)
            descent_c -= push
            descent_w -= push[None, :] * tf.reduce_mean(v0, axis=0)[:, None]
        step = self.lr / m
        for param, velocity, descent in (
            (self.W, self.vW, descent_w),
            (self.U, self.vU, descent_u),
            (self.c, self.vc, descent_c),
            (self.b, self.vb, descent_b),
            (self.d, self.vd, descent_d),
        ):
            self.update(param, velocity, descent, step, momentum)
        return tf.reduce_mean(tf.square(v0 - recon))

    def _run_chunk(self, start, count, momentum, carried):
        tf = self.tf
        return cd_loop(
            self,
            start,
            count,
            lambda idx: self._cd_step(
                tf.gather(self.data, idx), tf.gather(self.label_data, idx), momentum
            ),
            carried,
        )

    # ---- the PhaseTrainer protocol ---------------------------------------------------------

    def run(self, epoch: int, start: int, count: int):
        momentum = self.momentum0 if epoch < 5 else self.momentum1
        return run_cd_chunk(self, start, count, self.tf.constant(momentum, self.tf.float32))

    def reconstruct(self, v):
        """The features rebuilt from the hidden units the features alone drive."""
        tf = self.tf
        v = tf.constant(np.asarray(v, np.float32))
        h = tf.sigmoid(tf.matmul(v, self.W) + self.c)
        return self._features(h, sample=False).numpy()

    def hidden(self, v):
        return np.asarray(self.layer(np.asarray(v, np.float32)))

    def label_accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """Share of ``x`` whose lowest-free-energy label is ``y``."""
        energies = np.asarray(self.layer.label_free_energies(np.asarray(x, np.float32)))
        return float(np.mean(np.argmin(energies, axis=-1) == y))

    def validation_metrics(self) -> dict:
        x = self.x_val if len(self.x_val) else self.x_train
        x = x[:1000]
        out = {"val_reconstruction_error": float(np.mean((x - self.reconstruct(x)) ** 2))}
        if len(self.x_val) and self.y_val is not None:
            out["val_label_accuracy"] = self.label_accuracy(x, self.y_val[:1000])
        return out

    def filters(self):
        return self.W.numpy().T

    def weight_sample(self):
        return self.W.numpy().ravel()
