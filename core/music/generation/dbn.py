"""``dbn-memory``: a deep belief network's top RBM as an associative memory (Hinton, Osindero
and Teh 2006).

Alternating Gibbs sampling in the top RBM, started from noise or from a piece carried up
through the recognition weights, runs towards the memory's equilibrium; one ancestral
down-pass through the generative weights then turns the top RBM's visible state into note
probabilities. After wake-sleep fine-tuning the generative weights are the model's own
``decode_<block>`` layers (untied from the recognition weights); a stack fresh from greedy
pretraining goes down through each RBM's transpose.

When the top RBM joins the data's labels (``label_units``), the chain carries a label state
too: with ``label`` set it is held at that class's one-hot vector, so the memory settles into
that class's basin and the down-pass draws an example of it; else the label group is
resampled as a softmax (one of K) at every step like the rest of the visible layer.

With ``clamp`` set, the start piece's opening steps are a condition: at every Gibbs step the
chain's visible state is carried down, the first ``clamp`` steps of each window are set to the
piece's, and the result goes up again, so the memory completes the window around them.
"""

from __future__ import annotations

import numpy as np

from core.music.generation.errors import GenerationError
from core.music.generation.layers import sigmoid, to_numpy
from core.music.generation.rbm import rbm_stack
from core.music.generation.sampling import bernoulli

GIBBS_STEPS = 200  # alternating Gibbs steps in the top RBM when ``iterations`` is unset


class DeepBeliefNet:
    """The stack's weights as numpy arrays: recognition (up), generative (down), the top."""

    def __init__(self, layers: list) -> None:
        rbms = rbm_stack(layers)
        if not rbms:
            raise GenerationError("this model has no stack of RBMs to sample")
        by_name = {layer.name: layer for layer in layers}
        self.top = rbms[-1]
        if self.top.visible != "bernoulli":
            raise GenerationError("the top RBM needs Bernoulli visible units to sample states")
        self.w = to_numpy(self.top.kernel)
        self.b_hidden, self.b_visible = (
            to_numpy(self.top.hidden_bias),
            to_numpy(self.top.visible_bias),
        )
        self.classes = int(getattr(self.top, "label_units", 0) or 0)
        if self.classes:
            self.label_kernel = to_numpy(self.top.label_kernel)
            self.label_bias = to_numpy(self.top.label_bias)
        self.up = [(to_numpy(r.kernel), to_numpy(r.hidden_bias)) for r in rbms[:-1]]
        self.down = []
        self.untied = False
        for layer in rbms[:-1]:
            decoder = by_name.get(f"decode_{layer.name}")
            if decoder is not None:  # wake-sleep's own generative weights
                kernel, bias = (to_numpy(v) for v in decoder.weights[:2])
                self.untied = True
            else:
                kernel, bias = to_numpy(layer.kernel).T, to_numpy(layer.visible_bias)
            self.down.append((kernel, bias, layer.visible == "bernoulli"))

    @property
    def memory_size(self) -> int:
        return int(self.w.shape[0])

    def carry_up(self, v: np.ndarray) -> np.ndarray:
        for kernel, bias in self.up:
            v = sigmoid(v @ kernel + bias)
        return v

    def carry_down(self, pen: np.ndarray, rng, sample: bool = True) -> np.ndarray:
        """Note probabilities (or means) for the top RBM's visible state ``pen``: an
        ancestral pass, each hidden layer sampled from the one above."""
        x = pen
        for i in reversed(range(len(self.down))):
            kernel, bias, bernoulli_units = self.down[i]
            act = x @ kernel + bias
            x = sigmoid(act) if bernoulli_units else act
            if i and sample:
                x = bernoulli(x, rng)
        return x

    def gibbs_step(
        self, pen: np.ndarray, temperature: float, rng, labels: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One alternating step in the top RBM: (visible state, its probabilities, the
        hidden state between). With label units, ``labels`` (one-hot rows) drive the hidden
        units beside ``pen``."""
        t = max(temperature, 1e-3)
        act = pen @ self.w + self.b_hidden
        if labels is not None:
            act = act + labels @ self.label_kernel
        hidden = bernoulli(sigmoid(act / t), rng)
        p = sigmoid((hidden @ self.w.T + self.b_visible) / t)
        return bernoulli(p, rng), p, hidden

    def sample_labels(self, hidden: np.ndarray, temperature: float, rng) -> np.ndarray:
        """One label per chain drawn from the softmax p(y | h), as one-hot rows."""
        t = max(temperature, 1e-3)
        logits = (hidden @ self.label_kernel.T + self.label_bias) / t
        p = np.exp(logits - logits.max(axis=-1, keepdims=True))
        p /= p.sum(axis=-1, keepdims=True)
        picks = (p.cumsum(axis=-1) > rng.random((len(p), 1))).argmax(axis=-1)
        return np.eye(self.classes, dtype=np.float32)[picks]

    def held_labels(self, label: int | None, n: int, rng) -> np.ndarray | None:
        """The chain's first label state: ``label`` one-hot for every chain, or a uniform
        draw; None when the top RBM joins no labels (GenerationError for a label asked of
        such a model, or a class it does not have)."""
        if not self.classes:
            if label is not None:
                raise GenerationError(
                    "this model's top RBM joins no labels, so it cannot generate a chosen "
                    "class; train it with label units on its top RBM"
                )
            return None
        if label is not None and label >= self.classes:
            raise GenerationError(
                f"class {label} is not one of this model's {self.classes} classes "
                f"(0 to {self.classes - 1})"
            )
        picks = np.full(n, label) if label is not None else rng.integers(0, self.classes, n)
        return np.eye(self.classes, dtype=np.float32)[picks]

    def settle(
        self,
        pen: np.ndarray,
        steps: int,
        temperature: float,
        rng,
        label: int | None = None,
        condition=None,
    ) -> np.ndarray:
        """The top RBM's visible probabilities after ``steps`` alternating Gibbs steps from
        ``pen``; ``label`` holds the label units at that class; ``condition`` (mask, values)
        writes fixed data cells into every step's state."""
        labels = self.held_labels(label, len(pen), rng)
        p = pen
        for _ in range(steps):
            if condition is not None:
                pen = _with_condition(self, pen, condition, rng)
            pen, p, hidden = self.gibbs_step(pen, temperature, rng, labels)
            if labels is not None and label is None:
                labels = self.sample_labels(hidden, temperature, rng)
        return p

    def sample_class(
        self, label: int | None, n: int, steps: int, rng, temperature: float = 1.0
    ) -> np.ndarray:
        """``n`` samples in the data's space from noise: the memory settled with its label
        units held at ``label``, then a mean-field down-pass (probabilities at every layer:
        sampling the layers between adds noise that blurs the digit drawn)."""
        pen = (rng.random((n, self.memory_size)) < 0.5).astype(np.float32)
        settled = self.settle(pen, steps, temperature, rng, label)
        return self.carry_down(settled, rng, sample=False)


def dbn_memory(gm, request, rng, n_steps: int) -> np.ndarray:
    dbn = DeepBeliefNet(gm.layers)
    n = gm._n_windows(n_steps)
    steps = GIBBS_STEPS if request.iterations is None else request.iterations
    clamped = _clamp(gm, request, n)
    if request.start is not None:
        start = gm.windows_of(request.start, n).reshape(n, -1)
        pen = bernoulli(dbn.carry_up(start), rng)
    else:
        pen = (rng.random((n, dbn.memory_size)) < 0.5).astype(np.float32)
    p = dbn.settle(pen, steps, request.temperature, rng, request.label, clamped)
    x = dbn.carry_down(p, rng)
    if clamped is not None:
        mask, values = clamped
        x = np.where(mask, values, x)
    gm.last_info.update(windows=n, iterations=steps, generative="untied" if dbn.untied else "tied")
    if request.label is not None:
        gm.last_info["label"] = request.label
    return gm._finish(gm._to_windows(x), n_steps, request.threshold, rng)


def _clamp(gm, request, n: int):
    """(mask, values) of the visible cells the start piece fixes, or None."""
    if not request.clamp:
        return None
    if request.start is None:
        raise GenerationError("clamp needs a start piece whose opening steps it holds")
    window, steps = gm.fixed_window, request.clamp
    if steps >= window:
        raise GenerationError(
            f"clamp covers the whole {window}-step window; clamp fewer steps to leave some free"
        )
    values = gm.windows_of(request.start, n)
    mask = np.zeros_like(values, dtype=bool)
    mask[:, :steps] = True
    return mask.reshape(n, -1), values.reshape(n, -1)


def _with_condition(dbn: DeepBeliefNet, pen: np.ndarray, clamped, rng) -> np.ndarray:
    """The top's visible state with the condition written into the data it stands for."""
    mask, values = clamped
    x = np.where(mask, values, dbn.carry_down(pen, rng))
    return bernoulli(dbn.carry_up(x), rng)
