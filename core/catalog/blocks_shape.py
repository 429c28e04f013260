"""Blocks that pad, crop, stretch, reorder or rescale a sample, and Embedding."""

from __future__ import annotations

from typing import Any

from core.catalog import rules_keras as r
from core.catalog.types import BlockType, Param, Params, Recipe

GROUP = "Input and shape"


def _amount(name: str, help: str) -> Param:
    return Param(name, "int", 1 if "pad" in name else 0, help, minimum=0, maximum=4096)


def _margin_params(verb: str, rank: int) -> tuple[Param, ...]:
    sides = ("start", "end") if rank == 1 else ("top", "bottom", "left", "right")
    what = "zeros added" if verb == "pad" else "values removed"
    return tuple(_amount(f"{verb}_{side}", f"{what} at the {side}") for side in sides)


def _pairs(p: Params, names: tuple[str, ...]) -> tuple[Any, ...]:
    pairs = [(p[names[i]], p[names[i + 1]]) for i in range(0, len(names), 2)]
    return pairs[0] if len(pairs) == 1 else tuple(pairs)


def _margins(kind: str, rank: int) -> BlockType:
    verb = "pad" if kind == "ZeroPadding" else "crop"
    name = f"{kind}{rank}D"
    params = _margin_params(verb, rank)
    names = tuple(p.name for p in params)
    key = "padding" if verb == "pad" else "cropping"
    help = (
        "Adds zeros around a sample" if verb == "pad" else "Cuts values off the edges of a sample"
    )
    axes = "along time" if rank == 1 else "on both spatial axes"
    return BlockType(
        name,
        GROUP,
        f"{help} {axes}.",
        params,
        infer=r.margins(rank, name, 1 if verb == "pad" else -1, names),
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe(name, {key: _pairs(p, names)}),
    )


def _upsampling(rank: int) -> BlockType:
    name = f"UpSampling{rank}D"
    size = Param("size", "int", 2, "how many times longer each axis gets", minimum=1, maximum=64)
    params: tuple[Param, ...] = (size,)
    if rank == 2:
        params += (
            Param(
                "interpolation",
                "choice",
                "nearest",
                "how new values are filled in",
                choices=("nearest", "bilinear"),
            ),
        )
    return BlockType(
        name,
        GROUP,
        f"Repeats every value {'along time' if rank == 1 else 'on both spatial axes'}: "
        "a longer sample with the same channels.",
        params,
        infer=r.upsample(rank, name),
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe(name, {k: p[k] for k in ("size", "interpolation") if k in p}),
    )


BLOCKS: tuple[BlockType, ...] = (
    _margins("ZeroPadding", 1),
    _margins("ZeroPadding", 2),
    _margins("Cropping", 1),
    _margins("Cropping", 2),
    _upsampling(1),
    _upsampling(2),
    BlockType(
        "Permute",
        GROUP,
        "Reorders the axes of a sample (axis numbers start at 1; the batch is not counted).",
        (Param("dims", "ints", [2, 1], "the new order of the axes, e.g. [2, 1] swaps two"),),
        infer=r.permute,
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe("Permute", {"dims": list(p["dims"])}),
        reshape_only=True,
    ),
    BlockType(
        "Rescaling",
        GROUP,
        "Multiplies every value by a scale and adds an offset (e.g. 1/255 for pixels).",
        (
            Param("scale", "float", 1.0, "the factor", minimum=-1e6, maximum=1e6),
            Param("offset", "float", 0.0, "added after scaling", minimum=-1e6, maximum=1e6),
        ),
        infer=r.same,
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe("Rescaling", {"scale": p["scale"], "offset": p["offset"]}),
    ),
    BlockType(
        "Embedding",
        "Core",
        "Turns whole-number tokens (0 … size-1) into learned vectors: one row per token.",
        (
            Param("input_dim", "int", 128, "number of distinct tokens", minimum=1, maximum=10**7),
            Param("output_dim", "int", 32, "length of each vector", minimum=1, maximum=65536),
            Param("mask_zero", "bool", False, "token 0 means padding and is masked"),
        ),
        infer=r.embedding,
        count=lambda p, s: p["input_dim"] * p["output_dim"],
        has_weights=True,
        recipe=lambda p: Recipe(
            "Embedding", {k: p[k] for k in ("input_dim", "output_dim", "mask_zero")}
        ),
    ),
)
