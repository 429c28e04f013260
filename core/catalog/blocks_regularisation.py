"""Dropout variants and feature-wise Normalization (its adapted mean and variance are
weights, so an imported model keeps them)."""

from __future__ import annotations

from core.catalog import rules_keras as r
from core.catalog.types import BlockType, Recipe

GROUP = "Regularisation"


def _spatial_dropout(rank: int) -> BlockType:
    name = f"SpatialDropout{rank}D"
    return BlockType(
        name,
        GROUP,
        "During training, drops whole channels (feature maps) rather than single values.",
        (r.rate(0.2, "fraction of channels dropped"),),
        infer=lambda p, s: r.spatial(rank, name)(s[0]),
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe(name, {"rate": p["rate"]}),
        reshape_only=True,
    )


BLOCKS: tuple[BlockType, ...] = (
    _spatial_dropout(1),
    _spatial_dropout(2),
    BlockType(
        "GaussianDropout",
        GROUP,
        "During training, multiplies every value by Gaussian noise centred on 1.",
        (r.rate(0.1, "drop probability the noise stands for"),),
        infer=r.same,
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe("GaussianDropout", {"rate": p["rate"]}),
        reshape_only=True,
    ),
    BlockType(
        "Normalization",
        GROUP,
        "Subtracts each feature's mean and divides by its standard deviation; both are learnt "
        "from the data (or kept from an imported model).",
        (),
        infer=r.same,
        count=r.channels_count(2, 1),
        has_weights=True,
        recipe=lambda p: Recipe("Normalization", {}),
    ),
)
