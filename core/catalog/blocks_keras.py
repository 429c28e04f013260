"""The blocks for layers people bring from Keras models, gathered for the registry."""

from __future__ import annotations

from core.catalog import (
    blocks_activation,
    blocks_convolution,
    blocks_merge,
    blocks_regularisation,
    blocks_shape,
)

BLOCKS = (
    blocks_convolution.BLOCKS
    + blocks_shape.BLOCKS
    + blocks_activation.BLOCKS
    + blocks_merge.BLOCKS
    + blocks_regularisation.BLOCKS
)
