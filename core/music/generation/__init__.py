"""Generation: turn a trained run (or a bare ``.keras`` model) into a PianoRoll.

One :class:`GenerationModel` loads a run once and keeps what each method needs (the decoder
as a chain of layers, the RBM weights, a compiled next-step function), so the GUI can keep
one and generate again and again quickly; :func:`generate` is the one-call form (it keeps the
last few loaded models). Every random choice comes from ``numpy.random.default_rng(seed)``
and the network itself is run deterministically: the same seed gives the same piece.

Pieces longer than a model's window are made window by window (``bars`` of four quarter
notes at the model's ``steps_per_quarter``), the windows laid end to end and cut to length.

The methods and their options are declared in ``core.catalog.generation``; one module here
per family: ``autoencoder`` (decode, fixed-point), ``rbm`` (gibbs), ``vae`` (vae-prior,
vae-interpolate, vae-attribute), ``sequence`` (next-step). A :class:`GenerationRequest`
says what to make.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

from core.catalog.generation import MAX_BARS, METHODS
from core.music.generation.errors import GenerationError
from core.music.generation.model import GenerationModel
from core.music.generation.request import GenerationRequest
from core.music.generation.source import model_path
from core.music.pianoroll import PianoRoll

_CACHE_SIZE = 3
_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def load(run_or_model) -> GenerationModel:
    """A GenerationModel, reused while the model file is unchanged (the last few are kept)."""
    if isinstance(run_or_model, GenerationModel):
        return run_or_model
    stat = model_path(run_or_model).stat()
    key = (str(Path(os.fspath(run_or_model)).resolve()), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    gm = GenerationModel(run_or_model)
    with _cache_lock:
        _cache[key] = gm
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return gm


def methods_for(run_dir) -> list[str]:
    """The methods a run (or model file) can use, its natural one first; [] when none."""
    return list(load(run_dir).methods)


def generate(run_or_model, request: GenerationRequest | None = None, **options) -> PianoRoll:
    """Generate one piece from a run folder, a ``.keras`` file or a loaded GenerationModel.

    ``request`` (or ``options``, its fields by name: method, seed, bars, temperature,
    threshold, code, start, pieces, steps, attribute, amount, iterations, tempo, program)
    says what to make; ``core.catalog.generation.OPTIONS`` documents each. An unknown option,
    or one set for a method that does not read it, is a GenerationError.
    """
    return load(run_or_model).generate(request, **options)


__all__ = [
    "MAX_BARS",
    "METHODS",
    "GenerationError",
    "GenerationModel",
    "GenerationRequest",
    "generate",
    "load",
    "methods_for",
]
