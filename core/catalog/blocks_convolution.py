"""Convolution blocks found in real Keras models: depthwise, separable and transposed
convolutions, and global pooling."""

from __future__ import annotations

from typing import Any

from core.catalog import rules_keras as r
from core.catalog.types import BlockType, Param, Params, Recipe

GROUP = "Convolution"

_MULTIPLIER = Param(
    "depth_multiplier", "int", 1, "filters per input channel", minimum=1, maximum=64
)
_KEEPDIMS = Param("keepdims", "bool", False, "keep the pooled axes (as length 1)")


def _pick(p: Params, *names: str) -> dict[str, Any]:
    return {n: p[n] for n in names}


def _depthwise() -> BlockType:
    names = ("kernel_size", "strides", "padding", "depth_multiplier", "activation", "use_bias")
    return BlockType(
        "DepthwiseConv2D",
        GROUP,
        "One filter per input channel (times a multiplier), slid over two axes: the cheap "
        "half of a separable convolution (MobileNet, EfficientNet).",
        (r.kernel(), r.strides(), r.PADDING, _MULTIPLIER, r.activation(), r.USE_BIAS),
        infer=r.conv_out(2, "DepthwiseConv2D", lambda p, c: c * p["depth_multiplier"]),
        count=r.depthwise_count,
        has_weights=True,
        recipe=lambda p: Recipe("DepthwiseConv2D", _pick(p, *names)),
    )


def _separable(rank: int) -> BlockType:
    name = f"SeparableConv{rank}D"
    names = (
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "depth_multiplier",
        "activation",
        "use_bias",
    )
    return BlockType(
        name,
        GROUP,
        f"A depthwise convolution over {rank} axis{'es' if rank > 1 else ''}, then a 1×1 "
        "convolution mixing the channels: fewer weights than a full convolution.",
        (
            r.filters(),
            r.kernel(),
            r.strides(),
            r.PADDING,
            _MULTIPLIER,
            r.activation("relu"),
            r.USE_BIAS,
        ),
        infer=r.conv_out(rank, name, lambda p, c: p["filters"]),
        count=r.separable_count(rank),
        has_weights=True,
        recipe=lambda p: Recipe(name, _pick(p, *names)),
    )


def _transpose(rank: int) -> BlockType:
    name = f"Conv{rank}DTranspose"
    names = ("filters", "kernel_size", "strides", "padding", "activation", "use_bias")
    return BlockType(
        name,
        GROUP,
        f"A transposed convolution over {rank} axis{'es' if rank > 1 else ''}: with a step "
        "above 1 it lengthens its input (the decoder half of a convolutional autoencoder).",
        (
            r.filters(),
            r.kernel(),
            r.strides("how much longer the output is"),
            r.PADDING,
            r.activation("relu"),
            r.USE_BIAS,
        ),
        infer=r.transpose_out(rank, name),
        count=r.conv_count(rank),
        has_weights=True,
        recipe=lambda p: Recipe(name, _pick(p, *names)),
    )


def _global_pool(kind: str, rank: int) -> BlockType:
    name = f"Global{kind}Pooling{rank}D"
    what = "averages" if kind == "Average" else "keeps the largest of"
    axes = "the time axis" if rank == 1 else "both spatial axes"
    return BlockType(
        name,
        GROUP,
        f"For each channel, {what} all values over {axes}: one number per channel.",
        (_KEEPDIMS,),
        infer=r.global_pool(rank, name),
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe(name, {"keepdims": p["keepdims"]}),
    )


BLOCKS: tuple[BlockType, ...] = (
    _depthwise(),
    _separable(1),
    _separable(2),
    _transpose(1),
    _transpose(2),
    _global_pool("Average", 1),
    _global_pool("Average", 2),
    _global_pool("Max", 1),
    _global_pool("Max", 2),
)
