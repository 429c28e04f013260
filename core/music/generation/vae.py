"""VAE methods: decode codes from the prior, interpolate spherically between two pieces'
codes, and shift codes along an attribute vector (as in MusicVAE)."""

from __future__ import annotations

import numpy as np

from core.music.generation.autoencoder import chosen_codes
from core.music.generation.errors import GenerationError
from core.music.generation.sampling import ATTRIBUTES, attribute_values, slerp


def prior(gm, request, rng, n_steps: int) -> np.ndarray:
    n = gm._n_windows(n_steps)
    size = gm.code_size()
    if request.code is None:
        z = (rng.standard_normal((n, size)) * request.temperature).astype(np.float32)
    else:
        z = chosen_codes(request.code, size, n)
    gm.last_info.update(windows=n, codes=z)
    return gm._finish(gm.decode(z), n_steps, request.threshold, rng)


def _two_pieces(pieces):
    if pieces is None or len(pieces) != 2:
        raise GenerationError("interpolation needs two pieces (pieces=(first, second))")
    return pieces


def interpolate(gm, request, rng, n_steps: int) -> np.ndarray:
    first, second = _two_pieces(request.pieces)
    a = gm.encode(gm.windows_of(first, 1))[0]
    b = gm.encode(gm.windows_of(second, 1))[0]
    steps = request.steps
    z = np.stack([slerp(a, b, t) for t in np.linspace(0.0, 1.0, steps)]).astype(np.float32)
    gm.last_info.update(windows=steps, codes=z, endpoints=(a, b))
    probabilities = gm.decode(z)
    return gm._finish(probabilities, steps * gm.window_steps, request.threshold, rng)


def _is_with_and_without(pieces) -> bool:
    return (
        isinstance(pieces, (tuple, list))
        and len(pieces) == 2
        and all(isinstance(p, (tuple, list)) for p in pieces)
    )


def _attribute_sets(gm, pieces, attribute):
    """(windows with the attribute, windows without) from pieces or the run's own data."""
    if attribute not in ATTRIBUTES:
        raise GenerationError(f"unknown attribute {attribute!r} (one of: {', '.join(ATTRIBUTES)})")
    if pieces is None:
        windows = _training_windows(gm)
    elif _is_with_and_without(pieces):
        with_, without = (
            np.concatenate([gm.windows_of(p) for p in group]) if group else None for group in pieces
        )
        if with_ is None or without is None:
            raise GenerationError("both sets of pieces (with and without) must be non-empty")
        return with_, without
    else:
        windows = np.concatenate([gm.windows_of(p) for p in pieces])
    values = attribute_values(attribute, windows, gm.steps_per_quarter)
    middle = float(np.median(values))
    above, below = windows[values > middle], windows[values <= middle]
    if not len(above) or not len(below):
        raise GenerationError(
            f"the pieces do not differ in {attribute}: cannot find an attribute vector"
        )
    return above, below


def _training_windows(gm) -> np.ndarray:
    data = (gm.project or {}).get("data")
    if not data:
        raise GenerationError(
            "an attribute vector needs example pieces (pieces=...) or a run with project.json"
        )
    from core.data import load_dataset

    x = load_dataset(data).x_train
    return np.asarray(x, np.float32).reshape(len(x), gm.window_steps, gm.pitch_count)


def attribute(gm, request, rng, n_steps: int) -> np.ndarray:
    with_, without = _attribute_sets(gm, request.pieces, request.attribute)
    vector = gm.encode(with_).mean(axis=0) - gm.encode(without).mean(axis=0)
    n = gm._n_windows(n_steps)
    if request.start is not None:
        z = gm.encode(gm.windows_of(request.start, n))
    else:
        z = (rng.standard_normal((n, gm.code_size())) * request.temperature).astype(np.float32)
    z = (z + request.amount * vector).astype(np.float32)
    gm.last_info.update(windows=n, codes=z, vector=vector)
    return gm._finish(gm.decode(z), n_steps, request.threshold, rng)
