"""RNN-RBM generation: Gibbs sampling one time step at a time.

At each step the RNN's state sets the step's RBM biases; a chain of block Gibbs steps in
that RBM draws the frame, which then moves the RNN on (Boulanger-Lewandowski et al. 2012).
"""

from __future__ import annotations

import numpy as np

from core.music.generation.errors import GenerationError
from core.music.generation.layers import kind, sigmoid, to_numpy
from core.music.generation.sampling import bernoulli

GIBBS_STEPS = 25  # Gibbs steps per time step when the request leaves ``iterations`` unset


def rnn_rbm_layer(layers: list):
    """The model's RNNRBM layer, or None."""
    return next((layer for layer in layers if kind(layer) == "RNNRBM"), None)


class StepSampler:
    """The RNN-RBM's weights as numpy arrays and its state, stepped one frame at a time."""

    def __init__(self, layer) -> None:
        names = [
            "kernel",
            "visible_bias",
            "hidden_bias",
            "input_kernel",
            "recurrent_kernel",
            "recurrent_bias",
            "initial_state",
            "state_to_visible",
            "state_to_hidden",
        ]
        self.w = {name: to_numpy(getattr(layer, name)).astype(np.float64) for name in names}
        self.state = self.w["initial_state"].copy()

    def advance(self, frame: np.ndarray) -> None:
        w = self.w
        self.state = np.tanh(
            frame @ w["input_kernel"] + self.state @ w["recurrent_kernel"] + w["recurrent_bias"]
        )

    def sample(self, steps: int, temperature: float, rng) -> np.ndarray:
        """A frame drawn by ``steps`` Gibbs steps in the RBM the state sets."""
        w, t = self.w, max(temperature, 1e-3)
        visible_bias = w["visible_bias"] + self.state @ w["state_to_visible"]
        hidden_bias = w["hidden_bias"] + self.state @ w["state_to_hidden"]
        v = bernoulli(sigmoid(visible_bias / t), rng)
        for _ in range(steps):
            h = bernoulli(sigmoid((v @ w["kernel"] + hidden_bias) / t), rng)
            v = bernoulli(sigmoid((h @ w["kernel"].T + visible_bias) / t), rng)
        return np.asarray(v, np.float32)


def rnn_rbm_gibbs(gm, request, rng, n_steps: int) -> np.ndarray:
    layer = rnn_rbm_layer(gm.layers)
    if layer is None:
        raise GenerationError("this model has no RNN-RBM block to sample step by step")
    sampler = StepSampler(layer)
    primer = 0
    if request.start is not None:
        roll = gm.windows_of(request.start).reshape(-1, gm.pitch_count)
        for frame in roll:
            sampler.advance(frame)
        primer = len(roll)
    steps = GIBBS_STEPS if request.iterations is None else request.iterations
    out = np.zeros((n_steps, gm.pitch_count), np.float32)
    for i in range(n_steps):
        out[i] = sampler.sample(steps, request.temperature, rng)
        sampler.advance(out[i])
    gm.last_info.update(primer_steps=primer, iterations=steps)
    return out
