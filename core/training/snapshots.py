"""What a snapshot shows: a phase's filters, a few examples with their reconstructions or
codes, and a sample of weights, as small float32 arrays (see events.Snapshot)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from core import catalog

MAX_FILTERS = 64
MAX_WEIGHTS = 4096  # weights kept for the histogram, evenly spaced


def reads_data(spec: Any, block: str) -> bool:
    """True when only blocks that pass values on unchanged (the catalog's ``reshape_only``:
    Flatten, Reshape, Dropout, ...) sit between the data and ``block``, so its filters can be
    drawn in the data's shape."""
    current = block
    while True:
        wires = spec.inputs_of(current)
        if not wires:
            return True
        source = spec.block(wires[0].source)
        if source.type == "Input":
            return True
        if not catalog.get(source.type).reshape_only:
            return False
        current = source.id


def drawn_shape(
    spec: Any, block: str, examples: np.ndarray, in_data_shape: bool, sample_shape: Sequence[int]
) -> tuple[int, ...] | None:
    """The shape a pretrained block's inputs and filters are drawn in: the data's sample when
    the block reads whole samples, one frame (1, features) when it reads the data's frames one
    by one (an RBM over spectral frames), else None (flat: the units below)."""
    if in_data_shape:
        return tuple(sample_shape)
    frames = len(sample_shape) >= 2 and examples.ndim == 2
    if frames and examples.shape[1] == sample_shape[-1] and reads_data(spec, block):
        return (1, int(sample_shape[-1]))
    return None


def pretrain_views(
    trainer: Any, examples: np.ndarray, shape: Sequence[int] | None
) -> dict[str, Any]:
    """Filters, examples, reconstructions, codes and weights of a block being pretrained;
    ``examples`` are the block's own inputs, drawn in ``shape`` when it is given (see
    ``drawn_shape``). A convolution's filters keep their own patch shape, and its inputs keep
    theirs (the pooled maps of the block below, drawn by their first channel)."""
    filters = trainer.filters()[:MAX_FILTERS]
    recon = trainer.reconstruct(examples)
    hidden = trainer.hidden(examples)
    inputs = examples
    convolution = getattr(trainer, "filters_in_own_shape", False)
    if shape is None and convolution:
        shape = trainer.shape  # the maps below: (time, frequency, channels)
    if shape is not None:
        if not convolution:
            filters = filters.reshape((len(filters), *shape))
        inputs = examples.reshape((len(examples), *shape))
        recon = recon.reshape((len(examples), *shape))
    return {
        "filters": filters,
        "inputs": inputs,
        "reconstructions": recon,
        "hidden": hidden,
        "weights": trainer.weight_sample(),
    }


def finetune_views(
    trainer: Any,
    model: Any,
    spec: Any,
    examples: np.ndarray,
    sample_shape: Sequence[int],
    objective: str,
) -> dict[str, Any]:
    """The first layer's filters and the network's output for the examples: a reconstruction
    (autoencoder, VAE; the next steps after the first for a sequence) or, else, its codes."""
    filters, weights = first_filters(model, spec, sample_shape)
    inputs: np.ndarray = np.asarray(examples).reshape((len(examples), *sample_shape))
    x = np.asarray(examples, np.float32)
    recon = hidden = None
    if objective in ("autoencoder", "vae", "wake-sleep"):
        recon = trainer.predict(x).reshape(inputs.shape)
    elif objective == "sequence":
        out = trainer.predict(x[:, :-1])
        steps = out.reshape((len(inputs), inputs.shape[1] - 1, *inputs.shape[2:]))
        recon = np.concatenate([inputs[:, :1], steps], axis=1)
    else:
        hidden = trainer.predict(x)
    return {
        "filters": filters,
        "inputs": inputs,
        "reconstructions": recon,
        "hidden": hidden,
        "weights": weights,
    }


def first_filters(
    model: Any, spec: Any, sample_shape: Sequence[int]
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Incoming weights of the first layer with a 2-D kernel (one filter a row), or of a
    first convolutional RBM (time × frequency patches), and all its weights; the filters in
    the data's shape when that layer reads the flattened data, or a frame's when an RBM reads
    the data frame by frame."""
    for layer in model.layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is not None and type(layer).__name__ == "ConvRBM":
            w = np.asarray(kernel.numpy())
            patches = np.transpose(w, (3, 0, 1, 2))[:MAX_FILTERS]
            return (patches[..., 0] if w.shape[2] == 1 else patches), w.ravel()
        if kernel is None or len(kernel.shape) != 2:
            continue
        w = np.asarray(kernel.numpy())
        filters = w.T[:MAX_FILTERS]
        if reads_data(spec, layer.name):
            if w.shape[0] == math.prod(sample_shape):
                filters = filters.reshape((len(filters), *sample_shape))
            elif type(layer).__name__ == "RBM" and w.shape[0] == sample_shape[-1]:
                filters = filters.reshape((len(filters), 1, w.shape[0]))
        return filters, w.ravel()
    return None, None


def as_snapshot_arrays(views: dict[str, Any]) -> dict[str, np.ndarray | None]:
    """The views as float32 arrays (None stays None), the weights thinned to MAX_WEIGHTS."""
    weights = views.get("weights")
    if weights is not None and weights.size > MAX_WEIGHTS:
        weights = weights[np.linspace(0, weights.size - 1, MAX_WEIGHTS).astype(np.int64)]
    views = {**views, "weights": weights}
    return {k: None if v is None else np.asarray(v, np.float32) for k, v in views.items()}


SAMPLE_KINDS = {"pianoroll": "pianoroll", "audio": "spectrogram"}


def sample_kind(dataset_kind: str) -> str:
    """How the views draw a sample: "pianoroll" (steps × pitches), "spectrogram" (frames ×
    frequency bins: both drawn with time running right) or "image"."""
    return SAMPLE_KINDS.get(dataset_kind, "image")


def views_of(session: Any, phase: Any, trainer: Any) -> dict[str, np.ndarray | None]:
    """The arrays of a snapshot of ``phase`` now: a pretrained block's filters and
    reconstructions, or the fine-tuned network's."""
    shape = tuple(session.dataset.sample_shape)
    if phase.pretrains:
        examples, in_data_shape = session.block_view
        drawn = drawn_shape(session.project.network, phase.block, examples, in_data_shape, shape)
        views = pretrain_views(trainer, examples, drawn)
    else:
        network, examples = session.project.network, session.inputs.examples
        views = finetune_views(trainer, session.model, network, examples, shape, session.objective)
    return as_snapshot_arrays(views)


def every_epochs(project: Any, override: int | None) -> int:
    """Epochs between snapshots: the caller's ``override``, else the project's setting."""
    if override is not None:
        return max(0, int(override))
    return max(0, int(project.training.get("snapshots", {}).get("every_epochs", 1)))
