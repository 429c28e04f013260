"""The catalog: the registry every reader uses (palette, inspector, validator, builder, code
exporter, loader). Blocks, training settings and data sources (``core.catalog.data``) are
each declared once here. Pure Python; importing it never loads Keras."""

from __future__ import annotations

from functools import cache

from core.catalog import (
    blocks,
    blocks_conv_rbm,
    blocks_keras,
    blocks_pretraining,
    blocks_sequence,
)
from core.catalog.training import (
    FINETUNE_PARAMS,
    OBJECTIVES,
    PRETRAIN_PARAMS,
    PRETRAINING_SWITCH,
    TRAINING_PARAMS,
    finetune_defaults,
    pretrain_defaults,
)
from core.catalog.types import BlockType, Param, Recipe, Shape, ShapeError, defaults_of

BLOCKS: tuple[BlockType, ...] = (
    blocks.BLOCKS
    + blocks_pretraining.BLOCKS
    + blocks_conv_rbm.BLOCKS
    + blocks_sequence.BLOCKS
    + blocks_keras.BLOCKS
)
REGISTRY: dict[str, BlockType] = {b.name: b for b in BLOCKS}

GROUPS = (
    "Input and shape",
    "Core",
    "Convolution",
    "Recurrent",
    "Activations",
    "Regularisation",
    "Merge",
    "Attention",
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


def for_keras_class(class_name: str) -> BlockType | None:
    """The block type whose recipe builds a Keras layer of ``class_name`` (``"Dense"``,
    ``"MaxPooling2D"``, ``"RBM"``, ``"InputLayer"``), or None for a class no block makes.

    Readers that hold only a loaded model (generation, the dashboard) name layers by class;
    the recipes already say which class each block becomes, so no second list is kept."""
    return _by_keras_class().get(class_name)


@cache
def _by_keras_class() -> dict[str, BlockType]:
    found = {"InputLayer": REGISTRY["Input"]}  # Input has no recipe: Keras adds the layer
    for block in REGISTRY.values():
        recipe = block.recipe(block.defaults())
        if recipe is None:
            continue
        for input_rank in (2, 3):  # pooling is 1-D or 2-D by the input's rank
            found.setdefault(recipe.class_name(input_rank), block)
    return found


__all__ = [
    "BLOCKS",
    "BlockType",
    "FINETUNE_PARAMS",
    "GROUPS",
    "OBJECTIVES",
    "PRETRAIN_PARAMS",
    "PRETRAINING_SWITCH",
    "Param",
    "REGISTRY",
    "Recipe",
    "Shape",
    "ShapeError",
    "TRAINING_PARAMS",
    "by_group",
    "defaults_of",
    "finetune_defaults",
    "for_keras_class",
    "get",
    "pretrain_defaults",
]
