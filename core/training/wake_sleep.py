"""Contrastive wake-sleep ("up-down") fine-tuning of a stack of RBMs as a generative model
(Hinton, Osindero and Teh 2006, appendix B).

After greedy pretraining the stack is unrolled like an autoencoder (``finetune.unroll``): the
RBM layers keep the recognition weights (the up-pass), and ``decode_<block>`` layers get the
generative weights (the down-pass), both starting from the pretrained RBMs and untied from
here on. The top RBM stays an undirected associative memory. One update, per batch:

- up: sample each hidden layer from the one below through the recognition weights;
- top: contrastive divergence (``TOP_GIBBS_STEPS`` alternating Gibbs steps) in the top RBM
  from the up-pass's state of its visible layer;
- down: from the chain's visible state, sample each layer from the one above through the
  generative weights;
- the generative weights learn to predict each wake state from the one above it, the
  recognition weights each sleep state from the one below it.

When the top RBM joins the data's labels (``label_units``), its contrastive divergence runs
on [penultimate state, label] as in the paper: the positive phase holds the sample's own
label, the negative phase samples the label group as a softmax, one of K.

The ``decode_<top>`` layer is the top RBM's own down-pass (its transpose and visible bias),
copied after every chunk of batches, so the saved model maps a window up to the top and down
again: its output is the reconstruction from the top. The stack as greedy pretraining left it
is kept beside (``companion_models``) to compare generation before and after fine-tuning.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.errors import LayerwiseError
from core.runs import PRETRAINED
from core.training.joint_rbm import one_hot_labels, softmax_sample
from core.training.rbm import cd_loop, run_cd_chunk
from core.training.sampling import bernoulli
from core.training.trainer import PhaseData, PhaseTrainer

TOP_GIBBS_STEPS = 3  # CD-k in the associative memory (Hinton et al. used 3, then more)


def rbm_stack(model: Any) -> list:
    """The RBM layers of ``model`` in data order; LayerwiseError when anything but RBMs and
    reshaping layers (Flatten, Dropout...) stands before the first decoder."""
    from core.catalog import for_keras_class

    stack = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "RBM":
            stack.append(layer)
        elif kind != "InputLayer" and not _reshapes(for_keras_class(kind)):
            raise LayerwiseError(
                f"the wake-sleep objective fine-tunes a stack of RBM blocks; block "
                f"'{layer.name}' is a {kind}"
            )
    if not stack:
        raise LayerwiseError("the wake-sleep objective needs at least one RBM block")
    return stack


def _reshapes(block: Any) -> bool:
    return block is not None and block.reshape_only


class WakeSleepTrainer(PhaseTrainer):
    method = "wake-sleep"

    def __init__(self, model: Any, stack: list, data: PhaseData) -> None:
        """model: the unrolled stack (``decode_<block>`` per RBM); stack: its RBM layers."""
        super().__init__(data)
        tf = self.tf
        self.model = model
        self.chunk = max(1, math.ceil(self.steps_per_epoch / 4))
        self.lr = float(data.settings["learning_rate"])
        self.top = stack[-1]
        if self.top.visible != "bernoulli":
            raise LayerwiseError(
                f"the wake-sleep objective needs Bernoulli visible units in the top RBM "
                f"'{self.top.name}' (its associative memory samples binary states)"
            )
        self.lower = stack[:-1]
        decoders = [model.get_layer(f"decode_{layer.name}") for layer in stack]
        self.top_decoder = decoders[-1]
        # per lower layer: recognition (kernel V×H, hidden bias), generative (kernel H×V, bias)
        self.up = [(layer.kernel.value, layer.hidden_bias.value) for layer in self.lower]
        self.down = [(d.kernel.value, d.bias.value) for d in decoders[:-1]]
        self.gaussian = stack[0].visible == "gaussian"
        self.W = self.top.kernel.value
        self.top_hidden = self.top.hidden_bias.value
        self.top_visible = self.top.visible_bias.value
        flat = self.x_train.reshape(self.n, -1)
        self.data = tf.constant(flat)
        self.classes = int(getattr(self.top, "label_units", 0) or 0)
        if self.classes:
            self.U = self.top.label_kernel.value  # label → top hidden
            self.d = self.top.label_bias.value
            labels = one_hot_labels(data.y_train, self.classes, self.top.name, "training")
            self.label_data = tf.constant(labels)
        self.rng = tf.random.Generator.from_seed(data.seed)
        # the greedy stack, kept so generation can be compared before and after
        self.greedy = [tf.Variable(np.asarray(w), trainable=False) for w in model.get_weights()]
        self._chunk = tf.function(self._run_chunk)

    # ---- the state a checkpoint keeps ------------------------------------------------------

    def state_variables(self) -> list:
        weights = [w.value if hasattr(w, "value") else w for w in self.model.weights]
        return [*weights, *self.greedy, self.rng.state]

    def companion_models(self) -> dict[str, Any]:
        """Models saved beside model.keras: the stack as greedy pretraining left it."""
        from core.keras_env import load_keras

        greedy = load_keras().models.clone_model(self.model)
        greedy.set_weights([v.numpy() for v in self.greedy])
        return {PRETRAINED: greedy}

    # ---- the compiled update ---------------------------------------------------------------

    def _sample(self, p: Any) -> Any:
        return bernoulli(self.tf, self.rng, p)

    def _generate(self, i: int, above: Any) -> Any:
        """p(layer i | layer i + 1) through the generative weights (a mean for Gaussian data)."""
        kernel, bias = self.down[i]
        act = self.tf.matmul(above, kernel) + bias
        return act if i == 0 and self.gaussian else self.tf.sigmoid(act)

    def _recognise(self, i: int, below: Any) -> Any:
        kernel, bias = self.up[i]
        return self.tf.sigmoid(self.tf.matmul(below, kernel) + bias)

    def _top_input(self, pen: Any, labels: Any) -> Any:
        act = self.tf.matmul(pen, self.W) + self.top_hidden
        return act if labels is None else act + self.tf.matmul(labels, self.U)

    def _top_chain(self, pen: Any, labels: Any = None) -> tuple[Any, Any, Any, Any]:
        """(positive hidden probabilities, negative visible state, negative hidden
        probabilities, negative label state) of CD-k in the top RBM from its visible state
        ``pen`` and, with label units, the samples' one-hot ``labels``."""
        tf = self.tf
        top_p = tf.sigmoid(self._top_input(pen, labels))
        h = self._sample(top_p)
        neg_labels = labels
        for _ in range(TOP_GIBBS_STEPS):
            visible = tf.matmul(h, self.W, transpose_b=True) + self.top_visible
            neg_pen = self._sample(tf.sigmoid(visible))
            if labels is not None:
                logits = tf.matmul(h, self.U, transpose_b=True) + self.d
                neg_labels = softmax_sample(tf, self.rng, logits)
            neg_p = tf.sigmoid(self._top_input(neg_pen, neg_labels))
            h = self._sample(neg_p)
        return top_p, neg_pen, neg_p, neg_labels

    def _update(self, variable: Any, grad: Any) -> None:
        variable.assign_add(self.lr * grad)

    def _up_down_step(self, v0: Any, labels: Any = None) -> Any:
        tf = self.tf
        m = tf.cast(tf.shape(v0)[0], tf.float32)
        wake = [v0]  # up: sampled states through the recognition weights
        for i in range(len(self.up)):
            wake.append(self._sample(self._recognise(i, wake[-1])))
        top_p, neg_pen, neg_p, neg_labels = self._top_chain(wake[-1], labels)
        sleep = [neg_pen]  # down: sampled states through the generative weights
        for i in reversed(range(len(self.down))):
            p = self._generate(i, sleep[0])
            sleep.insert(0, p if i == 0 else self._sample(p))
        # predictions from the states before any weight changes
        gen_err = [wake[i] - self._generate(i, wake[i + 1]) for i in range(len(self.down))]
        rec_err = [sleep[i + 1] - self._recognise(i, sleep[i]) for i in range(len(self.up))]
        for i, err in enumerate(gen_err):
            kernel, bias = self.down[i]
            self._update(kernel, tf.matmul(wake[i + 1], err, transpose_a=True) / m)
            self._update(bias, tf.reduce_mean(err, axis=0))
        pen = wake[-1]
        self._update(
            self.W,
            (tf.matmul(pen, top_p, transpose_a=True) - tf.matmul(neg_pen, neg_p, transpose_a=True))
            / m,
        )
        self._update(self.top_hidden, tf.reduce_mean(top_p - neg_p, axis=0))
        self._update(self.top_visible, tf.reduce_mean(pen - neg_pen, axis=0))
        if labels is not None:
            self._update(
                self.U,
                (
                    tf.matmul(labels, top_p, transpose_a=True)
                    - tf.matmul(neg_labels, neg_p, transpose_a=True)
                )
                / m,
            )
            self._update(self.d, tf.reduce_mean(labels - neg_labels, axis=0))
        for i, err in enumerate(rec_err):
            kernel, bias = self.up[i]
            self._update(kernel, tf.matmul(sleep[i], err, transpose_a=True) / m)
            self._update(bias, tf.reduce_mean(err, axis=0))
        return tf.reduce_mean(tf.square(v0 - self._from_top(v0)))

    def _from_top(self, v: Any) -> Any:
        """Mean-field reconstruction of ``v``: up to the top RBM's hidden layer, its visible
        mean, then down through the generative weights."""
        tf = self.tf
        for i in range(len(self.up)):
            v = self._recognise(i, v)
        h = tf.sigmoid(tf.matmul(v, self.W) + self.top_hidden)
        x = tf.sigmoid(tf.matmul(h, self.W, transpose_b=True) + self.top_visible)
        for i in reversed(range(len(self.down))):
            x = self._generate(i, x)
        return x

    def _run_chunk(self, start: Any, count: Any, carried: Any) -> Any:
        tf = self.tf

        def step(idx: Any) -> Any:
            labels = tf.gather(self.label_data, idx) if self.classes else None
            return self._up_down_step(tf.gather(self.data, idx), labels)

        return cd_loop(self, start, count, step, carried)

    def _tie_top_decoder(self) -> None:
        """The model's ``decode_<top>`` follows the top RBM (its transpose and visible bias)."""
        self.top_decoder.kernel.assign(self.tf.transpose(self.W))
        self.top_decoder.bias.assign(self.top_visible)

    # ---- the PhaseTrainer protocol ---------------------------------------------------------

    def run(self, epoch: int, start: int, count: int) -> tuple[int, dict]:
        outcome = run_cd_chunk(self, start, count)
        self._tie_top_decoder()
        return outcome

    def predict(self, x: np.ndarray, batch: int = 512) -> np.ndarray:
        outs = [
            np.asarray(self.model(self.tf.constant(x[i : i + batch]), training=False))
            for i in range(0, len(x), batch)
        ]
        return np.concatenate(outs) if outs else np.zeros((0,), np.float32)

    def reconstruction_error(self, x: np.ndarray) -> float:
        """Mean squared error of ``x`` against its reconstruction from the top."""
        x = np.asarray(x, np.float32)
        return float(np.mean((self.predict(x).reshape(x.shape) - x) ** 2))

    def validation_metrics(self) -> dict:
        x = self.x_val if len(self.x_val) else self.x_train
        return {"val_reconstruction_error": self.reconstruction_error(x[:2000])}

    def evaluate(self, x: np.ndarray, y: Any = None) -> dict:
        """Held-out figures: the reconstruction from the top, and wrong notes per window."""
        x = np.asarray(x, np.float32)
        if not len(x):
            return {}
        pred = self.predict(x).reshape(x.shape)
        out = {"reconstruction_error": float(np.mean((pred - x) ** 2))}
        if np.all((x == 0) | (x == 1)):
            wrong = np.abs((pred > 0.5).astype(np.float32) - x).reshape(len(x), -1).sum(-1)
            out["wrong_notes_per_window"] = float(np.mean(wrong))
            out["cells_per_window"] = int(np.prod(x.shape[1:]))
            out["notes_per_window"] = float(np.mean(x.reshape(len(x), -1).sum(-1)))
        return out
