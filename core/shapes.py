"""Shape arithmetic shared by the block declarations (pure Python, no Keras)."""

from __future__ import annotations

import math

from core.catalog.types import Shape, ShapeError


def size(shape: Shape) -> int | None:
    """Number of values in one sample, or None when an axis is free."""
    known = [d for d in shape if d is not None]
    return math.prod(known) if len(known) == len(shape) else None


def describe(shape: Shape) -> str:
    return "(" + ", ".join("any" if d is None else str(d) for d in shape) + ")"


def require_rank(shape: Shape, ranks: tuple[int, ...], what: str) -> None:
    if len(shape) not in ranks:
        wanted = " or ".join(f"{r}-D" for r in ranks)
        raise ShapeError(
            f"{what} needs {wanted} input per sample, but gets {describe(shape)}; "
            "add a Flatten or Reshape block before it"
        )


def require_known_features(shape: Shape, what: str) -> int:
    if shape[-1] is None:
        raise ShapeError(f"{what} needs a known last axis, but gets {describe(shape)}")
    return shape[-1]


def conv_length(length: int | None, kernel: int, stride: int, padding: str) -> int | None:
    if length is None:
        return None
    if padding == "same":
        return -(-length // stride)
    out = (length - kernel) // stride + 1
    if out < 1:
        raise ShapeError(
            f"the window of {kernel} does not fit an axis of length {length}; "
            "use padding 'same' or a smaller kernel"
        )
    return out
