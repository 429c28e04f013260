"""Activation layers as blocks of their own (Keras models often keep them apart from the
convolution or dense layer before them)."""

from __future__ import annotations

from core.catalog import rules_keras as r
from core.catalog.types import BlockType, Param, Recipe

GROUP = "Activations"


def _slope(default: float, help: str) -> Param:
    return Param("negative_slope", "float", default, help, minimum=0.0, maximum=100.0)


BLOCKS: tuple[BlockType, ...] = (
    BlockType(
        "ReLU",
        GROUP,
        "Rectified linear unit, optionally capped (ReLU6 in MobileNet caps at 6) and leaky.",
        (
            Param(
                "max_value",
                "float",
                0.0,
                "the largest output; 0 means no cap",
                minimum=0.0,
                maximum=1e6,
            ),
            _slope(0.0, "slope below the threshold"),
            Param("threshold", "float", 0.0, "inputs below it are cut", minimum=-1e6, maximum=1e6),
        ),
        infer=r.same,
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe(
            "ReLU",
            {
                "max_value": p["max_value"] or None,
                "negative_slope": p["negative_slope"],
                "threshold": p["threshold"],
            },
        ),
    ),
    BlockType(
        "LeakyReLU",
        GROUP,
        "Like ReLU, but negative inputs keep a small slope instead of becoming 0.",
        (_slope(0.3, "slope for negative inputs"),),
        infer=r.same,
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe("LeakyReLU", {"negative_slope": p["negative_slope"]}),
    ),
    BlockType(
        "PReLU",
        GROUP,
        "Leaky ReLU whose negative slope is learned, one per value of the sample.",
        (),
        infer=r.same,
        count=r.prelu_count,
        has_weights=True,
        recipe=lambda p: Recipe("PReLU", {}),
    ),
    BlockType(
        "ELU",
        GROUP,
        "Exponential linear unit: smooth below 0, tending to -alpha.",
        (
            Param(
                "alpha",
                "float",
                1.0,
                "the value negative inputs tend to",
                minimum=0.0,
                maximum=100.0,
            ),
        ),
        infer=r.same,
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe("ELU", {"alpha": p["alpha"]}),
    ),
    BlockType(
        "Softmax",
        GROUP,
        "Turns the last axis into probabilities that sum to 1.",
        (),
        infer=r.same,
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe("Softmax", {}),
    ),
)
