"""The vocabulary of a block declaration: parameters, ports, Keras recipes.

Everything here is plain Python: the palette, the inspector and the validator read it before
TensorFlow has loaded. Only ``core.build`` and ``core.export`` turn a recipe into Keras.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Shape = tuple  # a sample's shape without the batch axis; None marks a free length


class ShapeError(ValueError):
    """A block cannot take the shape it is given; the message is for the user."""


@dataclass(frozen=True)
class Param:
    """One parameter of a block: the inspector draws it, the validator checks it."""

    name: str
    kind: str  # "int", "float", "bool", "choice", "shape", "ints"
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    label: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def check(self, value: Any) -> str | None:
        """Return a message when ``value`` is not acceptable, else None."""
        if self.kind == "bool":
            return None if isinstance(value, bool) else f"must be true or false, not {value!r}"
        if self.kind == "choice":
            if value not in self.choices:
                options = ", ".join(str(c) for c in self.choices)
                return f"must be one of {options}; got {value!r}"
            return None
        if self.kind in ("shape", "ints"):
            if not isinstance(value, list | tuple) or not value:
                return f"must be a list of whole numbers, not {value!r}"
            for item in value:
                if item is None and self.kind == "shape":
                    continue
                if isinstance(item, bool) or not isinstance(item, int) or item < 1:
                    return f"must be a list of positive whole numbers, not {value!r}"
            return None
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                return f"must be a whole number, not {value!r}"
        elif self.kind == "float" and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            return f"must be a number, not {value!r}"
        if self.minimum is not None and value < self.minimum:
            return f"must be at least {self.minimum:g}; got {value:g}"
        if self.maximum is not None and value > self.maximum:
            return f"must be at most {self.maximum:g}; got {value:g}"
        return None


@dataclass(frozen=True)
class Recipe:
    """How a block becomes one Keras layer: a class name and its constructor arguments.

    ``cls`` is a ``keras.layers`` name (``"Dense"``) or a Layerwise layer (``"layerwise.RBM"``).
    ``inner`` is the wrapped layer for wrappers such as Bidirectional and TimeDistributed.
    """

    cls: str
    kwargs: dict
    inner: Recipe | None = None

    def class_name(self, input_rank: int | None = None) -> str:
        """The class the recipe stands for: pooling is 1-D or 2-D by the input's rank, and a
        Layerwise layer is named without its prefix."""
        if self.cls.startswith("layerwise."):
            return self.cls.split(".", 1)[1]
        if self.cls in ("MaxPooling", "AveragePooling"):
            return f"{self.cls}{2 if input_rank == 3 else 1}D"
        return self.cls

    @property
    def custom(self) -> bool:
        return self.cls.startswith("layerwise.")


@dataclass(frozen=True)
class BlockType:
    """One block type, declared once: the single source for every reader."""

    name: str
    group: str
    help: str
    params: tuple[Param, ...]
    infer: Callable[[dict, list[Shape]], Shape]
    count: Callable[[dict, list[Shape]], int]
    recipe: Callable[[dict], Recipe | None]
    # Declared, not derived from ``count``: readers that only see a built Keras model (the
    # dashboard's weight views, generation's decoder) ask the catalog instead of keeping lists.
    has_weights: bool = field(kw_only=True)
    # At inference the block passes its input's values on unchanged, at most laid out anew
    # (Input, Flatten, Reshape; Dropout and noise act only while training).
    reshape_only: bool = field(default=False, kw_only=True)
    min_inputs: int = 1
    max_inputs: int = 1  # 0 for Input; large for merges
    pretrain: str | None = None  # "rbm" or "autoencoder": the block can pretrain greedily
    param_index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "param_index", {p.name: p for p in self.params})

    def defaults(self) -> dict:
        return {p.name: _copy(p.default) for p in self.params}

    def with_defaults(self, params: dict) -> dict:
        merged = self.defaults()
        merged.update(params)
        return merged


def _copy(value):
    return list(value) if isinstance(value, list | tuple) else value
