"""``dbn-memory``: a deep belief network's top RBM as an associative memory (Hinton, Osindero
and Teh 2006).

Alternating Gibbs sampling in the top RBM, started from noise or from a piece carried up
through the recognition weights, runs towards the memory's equilibrium; one ancestral
down-pass through the generative weights then turns the top RBM's visible state into note
probabilities. After wake-sleep fine-tuning the generative weights are the model's own
``decode_<block>`` layers (untied from the recognition weights); a stack fresh from greedy
pretraining goes down through each RBM's transpose.

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

    def gibbs_step(self, pen: np.ndarray, temperature: float, rng) -> tuple[np.ndarray, np.ndarray]:
        """One alternating step in the top RBM: (visible state, its probabilities)."""
        t = max(temperature, 1e-3)
        h = bernoulli(sigmoid((pen @ self.w + self.b_hidden) / t), rng)
        p = sigmoid((h @ self.w.T + self.b_visible) / t)
        return bernoulli(p, rng), p


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
    p = pen
    for _ in range(steps):
        if clamped is not None:
            pen = _with_condition(dbn, pen, clamped, rng)
        pen, p = dbn.gibbs_step(pen, request.temperature, rng)
    x = dbn.carry_down(p, rng)
    if clamped is not None:
        mask, values = clamped
        x = np.where(mask, values, x)
    gm.last_info.update(windows=n, iterations=steps, generative="untied" if dbn.untied else "tied")
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
