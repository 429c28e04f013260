"""The vocabulary of a block declaration: parameters, ports, Keras recipes.

Everything here is plain Python: the palette, the inspector and the validator read it before
TensorFlow has loaded. Only ``core.build`` and ``core.export`` turn a recipe into Keras.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.limits import printable

Shape = tuple[int | None, ...]  # a sample's shape without the batch axis; None: a free length
Params = dict[str, Any]  # a block's parameter values by name
ShapeRule = Callable[[Params, list[Shape]], Shape]
CountRule = Callable[[Params, list[Shape]], int]
RecipeRule = Callable[[Params], "Recipe | None"]


class ShapeError(ValueError):
    """A block cannot take the shape it is given; the message is for the user."""


@dataclass(frozen=True)
class Param:
    """One parameter of a block or a setting: the inspector draws it, the validator checks it."""

    name: str
    kind: str  # "int", "float", "bool", "choice", "shape", "ints", "interval", "text"
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    label: str = ""
    unset: str | None = None  # when given, None is allowed and the inspector shows this for it

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def check(self, value: Any) -> str | None:
        """Return a message when ``value`` is not acceptable, else None."""
        if value is None and self.unset is not None:
            return None
        return _CHECKS[self.kind](self, value)


def _check_bool(param: Param, value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, not {_shown(value)}"


def _check_choice(param: Param, value: Any) -> str | None:
    if value in param.choices:
        return None
    options = ", ".join(str(c) for c in param.choices)
    return f"must be one of {options}; got {_shown(value)}"


def _check_list(param: Param, value: Any) -> str | None:
    if not isinstance(value, list | tuple) or not value:
        return f"must be a list of whole numbers, not {_shown(value)}"
    for item in value:
        if item is None and param.kind == "shape":
            continue
        if not _whole(item) or item < 1:
            return f"must be a list of positive whole numbers, not {_shown(value)}"
    return None


def _check_interval(param: Param, value: Any) -> str | None:
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(_whole(v) for v in value)
        or value[0] > value[1]
    ):
        return f"must be [low, high] whole numbers with low ≤ high; got {_shown(value)}"
    if param.minimum is not None and value[0] < param.minimum:
        return f"must not go below {param.minimum:g}; got {value[0]}"
    if param.maximum is not None and value[1] > param.maximum:
        return f"must not go above {param.maximum:g}; got {value[1]}"
    return None


def _check_text(param: Param, value: Any) -> str | None:
    return None if isinstance(value, str) else f"must be text, not {_shown(value)}"


def _check_number(param: Param, value: Any) -> str | None:
    if param.kind == "int" and not _whole(value):
        return f"must be a whole number, not {_shown(value)}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, not {_shown(value)}"
    if not math.isfinite(value):
        return f"must be a finite number, not {_shown(value)}"
    if param.minimum is not None and value < param.minimum:
        return f"must be at least {_number(param.minimum)}; got {_number(value)}"
    if param.maximum is not None and value > param.maximum:
        return f"must be at most {_number(param.maximum)}; got {_number(value)}"
    return None


def _number(value: float) -> str:
    """A bound or a value as people write it: whole numbers whole, huge ones short."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}"


def _shown(value: Any, limit: int = 40) -> str:
    """A value for a message: its repr, escaped and cut short (a message never carries a
    whole pasted config)."""
    text = printable(repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_CHECKS: dict[str, Callable[[Param, Any], str | None]] = {
    "bool": _check_bool,
    "choice": _check_choice,
    "shape": _check_list,
    "ints": _check_list,
    "interval": _check_interval,
    "text": _check_text,
    "int": _check_number,
    "float": _check_number,
}


@dataclass(frozen=True)
class Recipe:
    """How a block becomes one Keras layer: a class name and its constructor arguments.

    ``cls`` is a ``keras.layers`` name (``"Dense"``) or a Layerwise layer (``"layerwise.RBM"``).
    ``inner`` is the wrapped layer for wrappers such as Bidirectional and TimeDistributed.
    """

    cls: str
    kwargs: dict[str, Any]
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
    infer: ShapeRule
    count: CountRule
    recipe: RecipeRule
    # Declared, not derived from ``count``: readers that only see a built Keras model (the
    # dashboard's weight views, generation's decoder) ask the catalog instead of keeping lists.
    has_weights: bool = field(kw_only=True)
    # At inference the block passes its input's values on unchanged, at most laid out anew
    # (Input, Flatten, Reshape; Dropout and noise act only while training).
    reshape_only: bool = field(default=False, kw_only=True)
    min_inputs: int = 1
    max_inputs: int = 1  # 0 for Input; large for merges
    pretrain: str | None = None  # "rbm" or "autoencoder": the block can pretrain greedily
    param_index: dict[str, Param] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_index", {p.name: p for p in self.params})

    def defaults(self) -> Params:
        return defaults_of(self.params)

    def with_defaults(self, params: Params) -> Params:
        merged = self.defaults()
        merged.update(params)
        return merged


def defaults_of(params: tuple[Param, ...]) -> dict[str, Any]:
    """Each parameter's default by name; list defaults are copied, so callers may edit them."""
    return {p.name: _copy(p.default) for p in params}


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value
