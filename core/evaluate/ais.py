"""The RNN-RBM's log-likelihood as Boulanger-Lewandowski et al. (2012) report it: each time
step's RBM partition function estimated by annealed importance sampling (Salakhutdinov and
Murray 2008), from the independent-keys model with the step's own visible bias (β = 0) to
the step's RBM (β = 1).

log p(v_t | v_<t) = −F_t(v_t) − log Z_t, in nats, summed over the keys of a frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

CHAINS = 16  # AIS runs per frame
BETAS = 300  # intermediate distributions
FRAMES_PER_BLOCK = 256  # frames annealed together (bounds memory)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def log_partition(
    kernel: np.ndarray,
    visible_bias: np.ndarray,
    hidden_bias: np.ndarray,
    rng: np.random.Generator,
    chains: int = CHAINS,
    betas: int = BETAS,
) -> np.ndarray:
    """AIS estimates of log Z for frames' RBMs sharing ``kernel`` (keys, hidden), each with
    its own biases: ``visible_bias`` (frames, keys), ``hidden_bias`` (frames, hidden)."""
    w = np.asarray(kernel, np.float64)
    bv, bh = np.asarray(visible_bias, np.float64), np.asarray(hidden_bias, np.float64)
    out = np.empty(len(bv))
    schedule = np.linspace(0.0, 1.0, max(2, betas))
    for start in range(0, len(bv), FRAMES_PER_BLOCK):
        b_v, b_h = bv[start : start + FRAMES_PER_BLOCK], bh[start : start + FRAMES_PER_BLOCK]
        v = (rng.random((len(b_v), chains, w.shape[0])) < _sigmoid(b_v)[:, None]).astype(float)
        log_weight = np.zeros((len(b_v), chains))
        for before, beta in zip(schedule[:-1], schedule[1:], strict=True):
            act = v @ w + b_h[:, None]
            log_weight += (_softplus(beta * act) - _softplus(before * act)).sum(-1)
            h = (rng.random(act.shape) < _sigmoid(beta * act)).astype(float)
            v = (rng.random(v.shape) < _sigmoid(b_v[:, None] + beta * (h @ w.T))).astype(float)
        base = w.shape[1] * np.log(2.0) + _softplus(b_v).sum(-1)
        top = log_weight.max(axis=1, keepdims=True)
        mean = np.log(np.exp(log_weight - top).mean(axis=1)) + top[:, 0]
        out[start : start + FRAMES_PER_BLOCK] = base + mean
    return out


def frame_log_likelihood(kernel, visible_bias, hidden_bias, frames, log_z) -> np.ndarray:
    """log p(v) of each frame under its RBM, given its log partition function."""
    v = np.asarray(frames, np.float64)
    free = -(v * visible_bias).sum(-1) - _softplus(
        v @ np.asarray(kernel, np.float64) + hidden_bias
    ).sum(-1)
    return -free - log_z


def rnn_rbm_nll(layer, pieces: Sequence[np.ndarray], seed: int = 0, **ais) -> dict:
    """``nll_per_step`` of an RNN-RBM over whole pieces by AIS, every frame but a piece's
    first (the frames the other sequence figures count)."""
    rng = np.random.default_rng(seed)
    kernel = np.asarray(layer.kernel.numpy(), np.float64)
    total, frames = 0.0, 0
    for piece in pieces:
        roll = np.asarray(piece, np.float32)
        if len(roll) < 2:
            continue
        bv, bh = (np.asarray(b, np.float64)[0, 1:] for b in layer.conditional_biases(roll[None]))
        log_z = log_partition(kernel, bv, bh, rng, **ais)
        total -= float(frame_log_likelihood(kernel, bv, bh, roll[1:], log_z).sum())
        frames += len(roll) - 1
    return {
        "nll_per_step": total / frames if frames else None,
        "nll_estimate": f"annealed importance sampling ({ais.get('chains', CHAINS)} chains, "
        f"{ais.get('betas', BETAS)} temperatures per frame)",
    }
