"""Shape and parameter-count rules shared by the blocks for layers people bring from Keras
models (pure Python, no Keras)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.catalog.types import BlockType, CountRule, Param, Params, Shape, ShapeError, ShapeRule
from core.shapes import conv_length, describe, require_known_features, require_rank, size

ACTIVATIONS = (
    "linear",
    "relu",
    "sigmoid",
    "tanh",
    "softplus",
    "softmax",
    "elu",
    "gelu",
    "silu",
    "selu",
    "relu6",
    "hard_sigmoid",
    "hard_silu",
    "leaky_relu",
    "mish",
    "softsign",
    "exponential",
)

PADDING = Param(
    "padding",
    "choice",
    "valid",
    "'same' keeps the length (divided by the step); 'valid' uses only full windows",
    choices=("valid", "same"),
)
# A Dropout recipe's noise_shape that drops whole samples: the builder turns it into
# (None, 1, …, 1) for the input's rank (a recipe does not know the rank).
SAMPLE_NOISE = "per_sample"


def concrete_kwargs(kwargs: dict[str, Any], input_rank: int | None) -> dict[str, Any]:
    """A recipe's constructor arguments with rank-dependent markers made concrete."""
    if kwargs.get("noise_shape") == SAMPLE_NOISE:
        return {**kwargs, "noise_shape": (None,) + (1,) * (input_rank or 1)}
    return kwargs


USE_BIAS = Param("use_bias", "bool", True, "add a learned offset to every output")


def activation(default: str = "linear") -> Param:
    return Param(
        "activation", "choice", default, "the function applied to the output", choices=ACTIVATIONS
    )


def kernel(maximum: int = 64) -> Param:
    return Param(
        "kernel_size", "int", 3, "width (and height) of each filter", minimum=1, maximum=maximum
    )


def strides(help: str = "step between windows") -> Param:
    return Param("strides", "int", 1, help, minimum=1, maximum=32)


def filters(default: int = 32) -> Param:
    return Param("filters", "int", default, "number of filters", minimum=1, maximum=4096)


def rate(default: float = 0.5, help: str = "fraction of values dropped") -> Param:
    return Param("rate", "float", default, help, minimum=0.0, maximum=0.95)


def same(p: Params, shapes: list[Shape]) -> Shape:
    return shapes[0]


def no_params(p: Params, shapes: list[Shape]) -> int:
    return 0


def spatial(rank: int, what: str) -> Callable[[Shape], Shape]:
    """Check a (length…, channels) input of ``rank`` spatial axes; return it."""

    def check(shape: Shape) -> Shape:
        require_rank(shape, (rank + 1,), what)
        require_known_features(shape, what)
        return shape

    return check


# ---- convolutions --------------------------------------------------------------------------


def conv_out(
    rank: int, what: str, channels: Callable[[Params, int | None], int | None]
) -> ShapeRule:
    """Output shape of a strided window over ``rank`` axes; ``channels(p, c)`` gives the last."""

    def infer(p: Params, shapes: list[Shape]) -> Shape:
        shape = spatial(rank, what)(shapes[0])
        lengths = [conv_length(n, p["kernel_size"], p["strides"], p["padding"]) for n in shape[:-1]]
        return (*lengths, channels(p, shape[-1]))

    return infer


def transpose_length(length: int | None, kernel_size: int, stride: int, padding: str) -> int | None:
    if length is None:
        return None
    if padding == "same":
        return length * stride
    return length * stride + max(kernel_size - stride, 0)


def transpose_out(rank: int, what: str) -> ShapeRule:
    def infer(p: Params, shapes: list[Shape]) -> Shape:
        shape = spatial(rank, what)(shapes[0])
        lengths = [
            transpose_length(n, p["kernel_size"], p["strides"], p["padding"]) for n in shape[:-1]
        ]
        return (*lengths, p["filters"])

    return infer


def bias(p: Params, n: int) -> int:
    return n if p.get("use_bias", True) else 0


def conv_count(rank: int) -> CountRule:
    def count(p: Params, shapes: list[Shape]) -> int:
        window: int = p["kernel_size"] ** rank
        out: int = p["filters"]
        return window * known(shapes[0][-1]) * out + bias(p, out)

    return count


def depthwise_count(p: Params, shapes: list[Shape]) -> int:
    out: int = known(shapes[0][-1]) * p["depth_multiplier"]
    window: int = p["kernel_size"] ** 2
    return window * out + bias(p, out)


def separable_count(rank: int) -> CountRule:
    def count(p: Params, shapes: list[Shape]) -> int:
        mid: int = known(shapes[0][-1]) * p["depth_multiplier"]
        window: int = p["kernel_size"] ** rank
        out: int = p["filters"]
        return window * mid + mid * out + bias(p, out)

    return count


# ---- reshaping -----------------------------------------------------------------------------


def global_pool(rank: int, what: str) -> ShapeRule:
    def infer(p: Params, shapes: list[Shape]) -> Shape:
        shape = spatial(rank, what)(shapes[0])
        return (*([1] * rank), shape[-1]) if p["keepdims"] else (shape[-1],)

    return infer


def upsample(rank: int, what: str) -> ShapeRule:
    def infer(p: Params, shapes: list[Shape]) -> Shape:
        shape = spatial(rank, what)(shapes[0])
        return (*(None if n is None else n * p["size"] for n in shape[:-1]), shape[-1])

    return infer


def margins(rank: int, what: str, sign: int, names: tuple[str, ...]) -> ShapeRule:
    """Zero padding (sign +1) or cropping (sign -1): ``names`` are the before/after amounts of
    each spatial axis in turn."""

    def infer(p: Params, shapes: list[Shape]) -> Shape:
        shape = spatial(rank, what)(shapes[0])
        out: list[int | None] = []
        for axis, length in enumerate(shape[:-1]):
            change = p[names[2 * axis]] + p[names[2 * axis + 1]]
            new = None if length is None else length + sign * change
            if new is not None and new < 1:
                raise ShapeError(
                    f"{what} removes {change} of an axis of length {length}; crop less"
                )
            out.append(new)
        return (*out, shape[-1])

    return infer


def permute(p: Params, shapes: list[Shape]) -> Shape:
    dims = list(p["dims"])
    if sorted(dims) != list(range(1, len(shapes[0]) + 1)):
        raise ShapeError(
            f"Permute's dims {dims} must reorder the axes 1…{len(shapes[0])} of "
            f"{describe(shapes[0])}, each once"
        )
    return tuple(shapes[0][d - 1] for d in dims)


def broadcast(what: str) -> ShapeRule:
    """Element-wise merges: axes must agree or be 1 (Keras broadcasts them)."""

    def infer(p: Params, shapes: list[Shape]) -> Shape:
        rank = max(len(s) for s in shapes)
        padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
        out: list[int | None] = []
        for axis in zip(*padded, strict=True):
            known = {n for n in axis if n not in (1, None)}
            if len(known) > 1:
                raise ShapeError(
                    f"{what} needs inputs whose axes agree (or are 1): "
                    + ", ".join(describe(s) for s in shapes)
                )
            out.append(known.pop() if known else (None if None in axis else 1))
        return tuple(out)

    return infer


def embedding(p: Params, shapes: list[Shape]) -> Shape:
    require_rank(shapes[0], (1,), "Embedding")
    return (shapes[0][0], p["output_dim"])


def known(length: int | None) -> int:
    """An axis a count rule needs; its shape rule has already refused a free one."""
    if length is None:
        raise ShapeError("the parameter count needs a known input size")
    return length


def fixed_size(shape: Shape, what: str) -> int:
    n = size(shape)
    if n is None:
        raise ShapeError(f"{what} needs a fixed-size input, but gets {describe(shape)}")
    return n


def attention(p: Params, shapes: list[Shape]) -> Shape:
    for shape in shapes:
        require_rank(shape, (2,), "MultiHeadAttention")
        require_known_features(shape, "MultiHeadAttention")
    return shapes[0]


def attention_count(p: Params, shapes: list[Shape]) -> int:
    query, value = known(shapes[0][-1]), known(shapes[-1][-1])
    inner: int = p["num_heads"] * p["key_dim"]
    weights = query * inner + 2 * value * inner + inner * query
    return weights + (3 * inner + query if p["use_bias"] else 0)


def channels_count(factor: int, extra: int = 0) -> CountRule:
    def count(p: Params, shapes: list[Shape]) -> int:
        return factor * require_known_features(shapes[0], "Normalization") + extra

    return count


def prelu_count(p: Params, shapes: list[Shape]) -> int:
    return fixed_size(shapes[0], "PReLU")


def call_arguments(decl: BlockType, sources: Sequence[Any]) -> list[Any]:
    """The positional arguments a block's layer is called with (tensors, or their names in
    exported code): a merge takes its inputs as one list; attention takes (query, value),
    and one input attends to itself."""
    recipe = decl.recipe(decl.defaults())
    if recipe is not None and recipe.cls == "MultiHeadAttention":
        return [sources[0], sources[-1]]
    return [list(sources)] if decl.max_inputs > 1 else [sources[0]]
