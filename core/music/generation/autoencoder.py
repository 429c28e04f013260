"""Autoencoder methods: decode codes through the decoder (DeepHear), and fixed points
(feed the autoencoder its own output until it stops changing, Kazakçi et al. 2016)."""

from __future__ import annotations

import numpy as np

from core.music.generation.errors import GenerationError
from core.music.generation.layers import activation_name, kind
from core.music.generation.sampling import binarize

FIXED_POINT_STEPS = 50

_UNIT_RANGE = ("sigmoid", "hard_sigmoid")
_SYMMETRIC = ("tanh", "softsign")
_POSITIVE = ("relu", "softplus", "elu", "selu", "gelu", "silu", "relu6")


def random_codes(gm, n: int, rng) -> np.ndarray:
    """Codes drawn like the training data's codes (a Gaussian per unit with their mean and
    spread, kept in their range) when the run recorded them; otherwise spread over the code
    layer's range (sigmoid: U(0, 1), tanh: U(-1, 1)...)."""
    size = gm.code_size()
    stats = (gm.summary or {}).get("code_statistics")
    if stats and len(stats.get("mean", ())) == size:
        mean, std = np.asarray(stats["mean"]), np.asarray(stats["std"])
        codes = mean + std * rng.standard_normal((n, size))
        return np.clip(codes, stats["min"], stats["max"]).astype(np.float32)
    layer = gm.layers[gm._code_index()]
    activation = "sigmoid" if kind(layer) == "RBM" else (activation_name(layer) or "linear")
    if activation in _UNIT_RANGE:
        return rng.random((n, size), dtype=np.float32)
    if activation in _SYMMETRIC:
        return rng.uniform(-1.0, 1.0, (n, size)).astype(np.float32)
    if activation in _POSITIVE:
        return np.abs(rng.standard_normal((n, size))).astype(np.float32)
    return rng.standard_normal((n, size)).astype(np.float32)


def chosen_codes(code, size: int, n: int) -> np.ndarray:
    """``n`` codes from the rows of ``code`` (one code, or rows of codes), repeated."""
    codes = np.asarray(code, dtype=np.float32)
    if codes.ndim == 1:
        codes = codes[None, :]
    if codes.ndim != 2 or codes.shape[1] != size or not len(codes):
        raise GenerationError(
            f"a code for this model is {size} numbers (or rows of {size}), got shape "
            f"{np.shape(code)}"
        )
    return codes[np.arange(n) % len(codes)]


def decode(gm, request, rng, n_steps: int) -> np.ndarray:
    n = gm._n_windows(n_steps)
    if request.code is None:
        codes = random_codes(gm, n, rng)
    else:
        codes = chosen_codes(request.code, gm.code_size(), n)
    gm.last_info.update(windows=n, codes=codes)
    return gm._finish(gm.decode(codes), n_steps, request.threshold, rng)


def fixed_point(gm, request, rng, n_steps: int) -> np.ndarray:
    n = gm._n_windows(n_steps)
    if request.start is not None:
        x = gm.windows_of(request.start, n)
    else:
        x = rng.random((n, gm.window_steps, gm.pitch_count), dtype=np.float32)
    limit = FIXED_POINT_STEPS if request.iterations is None else request.iterations
    done, converged = 0, False
    while done < limit and not converged:
        # Thresholded: a deterministic map, run until it stops changing. Sampled
        # (threshold None): a Markov chain through the autoencoder, run for ``limit`` steps
        # unless it too lands on a point it keeps.
        y = binarize(gm.reconstruct(x), request.threshold, rng)
        converged = bool(np.array_equal(y, x))
        x, done = y, done + 1
    gm.last_info.update(windows=n, iterations=done, converged=converged)
    return x.reshape(-1, gm.pitch_count)[:n_steps]
