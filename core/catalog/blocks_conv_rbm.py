"""The convolutional RBM with probabilistic max-pooling: a pretraining block over
spectrograms (time × frequency × channels); stacked, the blocks make a convolutional DBN."""

from __future__ import annotations

from core.catalog.types import BlockType, Param, Params, Recipe, Shape, ShapeError
from core.shapes import describe, require_rank

WHAT = "A convolutional RBM"
_SIZES = ("filters", "kernel_time", "kernel_frequency", "pool_time", "pool_frequency")


def _known_input(shapes: list[Shape]) -> tuple[int, int, int]:
    shape = shapes[0]
    require_rank(shape, (3,), WHAT)
    time, frequency, channels = shape
    if time is None or frequency is None or channels is None:
        raise ShapeError(f"{WHAT} needs every axis known, but gets {describe(shape)}")
    return time, frequency, channels


def _pooled(length: int, kernel: int, pool: int, axis: str) -> int:
    hidden = length - kernel + 1
    if hidden < 1:
        raise ShapeError(
            f"the filter's {axis} size {kernel} does not fit the input's {axis} axis of "
            f"{length}; use a smaller kernel_{axis}"
        )
    if hidden < pool:
        raise ShapeError(
            f"the hidden maps are {hidden} long in {axis}, shorter than pool_{axis} {pool}; "
            f"use a smaller pool_{axis} or kernel_{axis}"
        )
    return hidden // pool


def _conv_rbm_shape(p: Params, shapes: list[Shape]) -> Shape:
    time, frequency, _ = _known_input(shapes)
    return (
        _pooled(time, p["kernel_time"], p["pool_time"], "time"),
        _pooled(frequency, p["kernel_frequency"], p["pool_frequency"], "frequency"),
        p["filters"],
    )


def _conv_rbm_count(p: Params, shapes: list[Shape]) -> int:
    _, _, channels = _known_input(shapes)
    filters, kernel = int(p["filters"]), int(p["kernel_time"]) * int(p["kernel_frequency"])
    return kernel * channels * filters + filters + channels


def _size(name: str, default: int, help: str, maximum: int = 256) -> Param:
    return Param(name, "int", default, help, minimum=1, maximum=maximum)


BLOCKS: tuple[BlockType, ...] = (
    BlockType(
        "ConvRBM",
        "Pretraining",
        "Convolutional RBM with probabilistic max-pooling (Lee et al. 2009) over a "
        "spectrogram (time × frequency × channels): filters slid over time and frequency, "
        "at most one hidden unit on per pooling block. In the network it outputs each "
        "pooling unit's probability; pretrained greedily with contrastive divergence. "
        "Stacked, the blocks make a convolutional DBN.",
        (
            _size("filters", 16, "number of filters (groups of hidden units)", maximum=1024),
            _size("kernel_time", 6, "filter length along time (frames)"),
            _size("kernel_frequency", 6, "filter height along frequency (bins or channels)"),
            _size("pool_time", 2, "pooling block length along time", maximum=64),
            _size("pool_frequency", 2, "pooling block height along frequency", maximum=64),
            Param(
                "visible",
                "choice",
                "gaussian",
                "visible units: 'gaussian' for standardised real values (spectra), "
                "'bernoulli' for values in 0..1 (the pooled output of a ConvRBM below)",
                choices=("bernoulli", "gaussian"),
            ),
        ),
        infer=_conv_rbm_shape,
        count=_conv_rbm_count,
        has_weights=True,
        recipe=lambda p: Recipe(
            "layerwise.ConvRBM", {**{n: p[n] for n in _SIZES}, "visible": p["visible"]}
        ),
        pretrain="conv-rbm",
    ),
)
