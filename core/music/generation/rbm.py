"""RBM methods: block Gibbs sampling in the top RBM of a DBN, then down through the lower
RBMs' ``visible_mean``."""

from __future__ import annotations

import numpy as np

from core.music.generation.layers import is_reshaping, kind, sigmoid, to_numpy
from core.music.generation.sampling import bernoulli

GIBBS_STEPS = 200


def rbm_stack(layers: list) -> list:
    """RBM layers reached from the input through reshaping only (the DBN), in order."""
    rbms = []
    for layer in layers:
        if kind(layer) == "RBM":
            rbms.append(layer)
        elif is_reshaping(layer) and not rbms:
            continue
        else:
            break
    return rbms


def _visible_start(gm, rbms, request, rng, n: int) -> np.ndarray:
    """The top RBM's first visible state: a piece carried up the stack, or noise."""
    top = rbms[-1]
    if request.start is not None:
        v = gm.windows_of(request.start, n).reshape(n, -1)
        for layer in rbms[:-1]:  # up through the lower RBMs, mean field
            v = to_numpy(layer.hidden_probabilities(v))
        return v
    features = int(top.kernel.shape[0])
    if top.visible == "bernoulli":
        return (rng.random((n, features)) < 0.5).astype(np.float32)
    return rng.standard_normal((n, features)).astype(np.float32)


def _chain(top, v: np.ndarray, temperature: float, steps: int, rng) -> np.ndarray:
    """The visible expectation after ``steps`` block Gibbs steps at ``temperature``."""
    w = to_numpy(top.kernel)
    b_hidden, b_visible = to_numpy(top.hidden_bias), to_numpy(top.visible_bias)
    t = max(temperature, 1e-3)
    mean = v
    for _step in range(steps):
        h = bernoulli(sigmoid((v @ w + b_hidden) / t), rng)
        activation = h @ w.T + b_visible
        if top.visible == "bernoulli":
            mean = sigmoid(activation / t)
            v = bernoulli(mean, rng)
        else:
            mean = activation
            v = activation + np.sqrt(t) * rng.standard_normal(activation.shape).astype(np.float32)
    return mean  # the last step's expectation reads better than its sample


def gibbs(gm, request, rng, n_steps: int) -> np.ndarray:
    rbms = gm._rbm_stack()
    n = gm._n_windows(n_steps)
    limit = GIBBS_STEPS if request.iterations is None else request.iterations
    v = _visible_start(gm, rbms, request, rng, n)
    x = _chain(rbms[-1], v, request.temperature, limit, rng)
    for layer in reversed(rbms[:-1]):
        x = to_numpy(layer.visible_mean(x))
    gm.last_info.update(windows=n, iterations=limit, rbms=[layer.name for layer in rbms])
    return gm._finish(gm._to_windows(x), n_steps, request.threshold, rng)
