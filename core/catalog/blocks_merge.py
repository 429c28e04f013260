"""Element-wise merges beyond Add, and multi-head attention (the Transformer's mixer)."""

from __future__ import annotations

from core.catalog import rules_keras as r
from core.catalog.types import BlockType, Param, Recipe


def _merge(name: str, help: str, most: int = 16) -> BlockType:
    return BlockType(
        name,
        "Merge",
        help + " Axes of length 1 stretch to match the others.",
        (),
        infer=r.broadcast(name),
        count=r.no_params,
        has_weights=False,
        recipe=lambda p: Recipe(name, {}),
        min_inputs=2,
        max_inputs=most,
    )


ATTENTION = BlockType(
    "MultiHeadAttention",
    "Attention",
    "Each time step of the first input (the query) attends to every step of the second input "
    "(key and value); with one input, a sequence attends to itself (self-attention).",
    (
        Param("num_heads", "int", 4, "number of attention heads", minimum=1, maximum=128),
        Param(
            "key_dim", "int", 16, "size of each head's queries and keys", minimum=1, maximum=4096
        ),
        Param(
            "dropout", "float", 0.0, "dropout on the attention weights", minimum=0.0, maximum=0.95
        ),
        r.USE_BIAS,
    ),
    infer=r.attention,
    count=r.attention_count,
    has_weights=True,
    recipe=lambda p: Recipe(
        "MultiHeadAttention", {k: p[k] for k in ("num_heads", "key_dim", "dropout", "use_bias")}
    ),
    min_inputs=1,
    max_inputs=2,
)

BLOCKS: tuple[BlockType, ...] = (
    _merge("Multiply", "Multiplies its inputs value by value (gates, squeeze-and-excitation)."),
    _merge("Subtract", "The first input minus the second, value by value.", most=2),
    _merge("Average", "Averages its inputs value by value."),
    _merge("Maximum", "Keeps the largest of its inputs, value by value."),
    _merge("Minimum", "Keeps the smallest of its inputs, value by value."),
    ATTENTION,
)
