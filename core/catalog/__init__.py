"""The block catalog: the registry every reader uses (palette, inspector, validator, builder,
code exporter). Pure Python; importing it never loads Keras."""

from __future__ import annotations

from core.catalog.blocks import BLOCKS
from core.catalog.training import (
    FINETUNE_PARAMS,
    OBJECTIVES,
    PRETRAIN_PARAMS,
    finetune_defaults,
    pretrain_defaults,
)
from core.catalog.types import BlockType, Param, Recipe, Shape, ShapeError

REGISTRY: dict[str, BlockType] = {b.name: b for b in BLOCKS}

GROUPS = (
    "Input and shape",
    "Core",
    "Convolution",
    "Recurrent",
    "Regularisation",
    "Merge",
    "Pretraining",
)


def get(type_name: str) -> BlockType:
    """The declaration of ``type_name``; KeyError names the unknown type."""
    try:
        return REGISTRY[type_name]
    except KeyError:
        raise KeyError(f"unknown block type {type_name!r}") from None


def by_group() -> dict[str, list[BlockType]]:
    grouped: dict[str, list[BlockType]] = {g: [] for g in GROUPS}
    for block in BLOCKS:
        grouped[block.group].append(block)
    return grouped


__all__ = [
    "BLOCKS",
    "BlockType",
    "FINETUNE_PARAMS",
    "GROUPS",
    "OBJECTIVES",
    "PRETRAIN_PARAMS",
    "Param",
    "REGISTRY",
    "Recipe",
    "Shape",
    "ShapeError",
    "by_group",
    "finetune_defaults",
    "get",
    "pretrain_defaults",
]
