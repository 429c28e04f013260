"""The first blocks of the palette, each declared once: input and shape, core, convolution,
recurrent, regularisation and merge (the pretraining blocks are in ``blocks_pretraining``,
the rest in the other ``blocks_*`` modules; ``core.catalog`` joins them).

Each declaration gives the parameters (type, default, range, help), the ports, the shape
rule, the parameter count (so the canvas shows both before Keras has loaded) and the Keras
recipe that the builder and the code exporter both read.
"""

from __future__ import annotations

from core.catalog.rules_keras import ACTIVATIONS as LAYER_ACTIVATIONS
from core.catalog.rules_keras import SAMPLE_NOISE, USE_BIAS, known
from core.catalog.types import (
    BlockType,
    CountRule,
    Param,
    Params,
    Recipe,
    Shape,
    ShapeError,
    ShapeRule,
)
from core.limits import MAX_UNITS
from core.shapes import conv_length, describe, require_known_features, require_rank, size

ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softplus", "softmax", "elu", "gelu")


def activation_param(
    default: str = "relu",
    name: str = "activation",
    help: str = "the function applied to the output",
    choices: tuple[str, ...] | None = None,
) -> Param:
    return Param(name, "choice", default, help, choices=choices or ACTIVATIONS)


def units_param(default: int, help: str = "number of output units") -> Param:
    return Param("units", "int", default, help, minimum=1, maximum=MAX_UNITS)


def _same(p: Params, shapes: list[Shape]) -> Shape:
    return shapes[0]


def _no_params(p: Params, shapes: list[Shape]) -> int:
    return 0


# ---- shape and count rules ---------------------------------------------------------------


def _dense_shape(p: Params, shapes: list[Shape]) -> Shape:
    require_known_features(shapes[0], "Dense")
    return (*shapes[0][:-1], p["units"])


def _dense_count(p: Params, shapes: list[Shape]) -> int:
    units: int = p["units"]
    return known(shapes[0][-1]) * units + units


def _conv_shape(rank: int) -> ShapeRule:
    def infer(p: Params, shapes: list[Shape]) -> Shape:
        what = f"Conv{rank}D"
        require_rank(shapes[0], (rank + 1,), what)
        require_known_features(shapes[0], what)
        spatial = [
            conv_length(n, p["kernel_size"], p["strides"], p["padding"]) for n in shapes[0][:-1]
        ]
        return (*spatial, p["filters"])

    return infer


def _conv_count(rank: int) -> CountRule:
    def count(p: Params, shapes: list[Shape]) -> int:
        kernel: int = p["kernel_size"] ** rank
        filters: int = p["filters"]
        bias = filters if p.get("use_bias", True) else 0
        return kernel * known(shapes[0][-1]) * filters + bias

    return count


def _pool_shape(p: Params, shapes: list[Shape]) -> Shape:
    require_rank(shapes[0], (2, 3), "Pooling")
    stride = p.get("strides") or p["pool_size"]
    spatial = [conv_length(n, p["pool_size"], stride, p["padding"]) for n in shapes[0][:-1]]
    return (*spatial, shapes[0][-1])


def _pool_strides(p: Params) -> int | None:
    strides: int = p["strides"]
    return strides if strides not in (0, p["pool_size"]) else None


def _flatten_shape(p: Params, shapes: list[Shape]) -> Shape:
    n = size(shapes[0])
    if n is None:
        raise ShapeError(f"Flatten needs a fixed-size input, but gets {describe(shapes[0])}")
    return (n,)


def _reshape_shape(p: Params, shapes: list[Shape]) -> Shape:
    target = tuple(p["target_shape"])
    n = size(shapes[0])
    if n is not None and n != size(target):
        raise ShapeError(
            f"cannot reshape {describe(shapes[0])} ({n} values) into {describe(target)} "
            f"({size(target)} values)"
        )
    return target


def _norm_count(factor: int) -> CountRule:
    def count(p: Params, shapes: list[Shape]) -> int:
        return factor * require_known_features(shapes[0], "Normalization")

    return count


def _maxout_shape(p: Params, shapes: list[Shape]) -> Shape:
    require_known_features(shapes[0], "Maxout")
    return (*shapes[0][:-1], p["units"])


def _maxout_count(p: Params, shapes: list[Shape]) -> int:
    k: int = p["units"] * p["pieces"]
    return known(shapes[0][-1]) * k + k


def _recurrent_shape(p: Params, shapes: list[Shape], width: int | None = None) -> Shape:
    require_rank(shapes[0], (2,), "A recurrent layer")
    require_known_features(shapes[0], "A recurrent layer")
    units = width or p["units"]
    return (shapes[0][0], units) if p["return_sequences"] else (units,)


def _cell_count(cell: str, units: int, size: int | None) -> int:
    features = known(size)
    if cell == "LSTM":
        return 4 * (features * units + units * units + units)
    return 3 * (features * units + units * units + 2 * units)  # GRU, reset_after=True


def _bidi_width(p: Params) -> int:
    units: int = p["units"]
    return units * (2 if p["merge_mode"] == "concat" else 1)


def _repeat_shape(p: Params, shapes: list[Shape]) -> Shape:
    require_rank(shapes[0], (1,), "RepeatVector")
    return (p["times"], shapes[0][0])


def _time_dense_shape(p: Params, shapes: list[Shape]) -> Shape:
    require_rank(shapes[0], (2,), "TimeDistributed Dense")
    require_known_features(shapes[0], "TimeDistributed Dense")
    return (shapes[0][0], p["units"])


def _concat_shape(p: Params, shapes: list[Shape]) -> Shape:
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first) or tuple(other[:-1]) != tuple(first[:-1]):
            raise ShapeError(
                f"Concatenate joins along the last axis, so the other axes must agree: "
                f"{', '.join(describe(s) for s in shapes)}"
            )
    last = [s[-1] for s in shapes]
    known = [n for n in last if n is not None]
    return (*first[:-1], sum(known) if len(known) == len(last) else None)


def _add_shape(p: Params, shapes: list[Shape]) -> Shape:
    for other in shapes[1:]:
        if tuple(other) != tuple(shapes[0]):
            raise ShapeError(
                "Add needs inputs of the same shape: " + ", ".join(describe(s) for s in shapes)
            )
    return shapes[0]


# ---- declarations ------------------------------------------------------------------------

_RETURN_SEQ = Param(
    "return_sequences", "bool", False, "output every time step (true) or only the last (false)"
)
_PADDING = Param(
    "padding",
    "choice",
    "valid",
    "'same' keeps the length; 'valid' uses only full windows",
    choices=("valid", "same"),
)

_POOL_STRIDES = Param(
    "strides", "int", 0, "step between windows; 0 steps by the window size", minimum=0, maximum=64
)

BLOCKS: tuple[BlockType, ...] = (
    BlockType(
        "Input",
        "Input and shape",
        "Where data enters the network: the shape of one sample (no batch axis).",
        (
            Param(
                "shape",
                "shape",
                [16, 48],
                "shape of one sample, e.g. [16, 48] for 16 time "
                "steps × 48 pitches; leave an axis empty (null) for any length",
            ),
        ),
        infer=lambda p, s: tuple(p["shape"]),
        count=_no_params,
        has_weights=False,
        reshape_only=True,
        recipe=lambda p: None,
        min_inputs=0,
        max_inputs=0,
    ),
    BlockType(
        "Dense",
        "Core",
        "A fully connected layer: every output sees every input.",
        (units_param(128), activation_param("relu")),
        infer=_dense_shape,
        count=_dense_count,
        has_weights=True,
        recipe=lambda p: Recipe("Dense", {"units": p["units"], "activation": p["activation"]}),
    ),
    BlockType(
        "Activation",
        "Core",
        "Applies a function to every value.",
        (activation_param("relu", "function", choices=LAYER_ACTIVATIONS),),
        infer=_same,
        count=_no_params,
        has_weights=False,
        recipe=lambda p: Recipe("Activation", {"activation": p["function"]}),
    ),
    BlockType(
        "Maxout",
        "Core",
        "Maxout units: the largest of several linear pieces (Goodfellow 2013).",
        (
            units_param(64),
            Param("pieces", "int", 2, "linear pieces per unit", minimum=2, maximum=16),
        ),
        infer=_maxout_shape,
        count=_maxout_count,
        has_weights=True,
        recipe=lambda p: Recipe("layerwise.Maxout", {"units": p["units"], "pieces": p["pieces"]}),
    ),
    BlockType(
        "Conv1D",
        "Convolution",
        "Slides filters along one axis (time), across all features.",
        (
            Param("filters", "int", 32, "number of filters", minimum=1, maximum=4096),
            Param("kernel_size", "int", 3, "width of each filter", minimum=1, maximum=256),
            Param("strides", "int", 1, "step between windows", minimum=1, maximum=64),
            _PADDING,
            activation_param("relu", choices=LAYER_ACTIVATIONS),
            USE_BIAS,
        ),
        infer=_conv_shape(1),
        count=_conv_count(1),
        has_weights=True,
        recipe=lambda p: Recipe(
            "Conv1D",
            {
                k: p[k]
                for k in ("filters", "kernel_size", "strides", "padding", "activation", "use_bias")
            },
        ),
    ),
    BlockType(
        "Conv2D",
        "Convolution",
        "Slides square filters over two axes (e.g. time × pitch).",
        (
            Param("filters", "int", 32, "number of filters", minimum=1, maximum=4096),
            Param(
                "kernel_size", "int", 3, "height and width of each filter", minimum=1, maximum=64
            ),
            Param("strides", "int", 1, "step between windows", minimum=1, maximum=32),
            _PADDING,
            activation_param("relu", choices=LAYER_ACTIVATIONS),
            USE_BIAS,
        ),
        infer=_conv_shape(2),
        count=_conv_count(2),
        has_weights=True,
        recipe=lambda p: Recipe(
            "Conv2D",
            {
                k: p[k]
                for k in ("filters", "kernel_size", "strides", "padding", "activation", "use_bias")
            },
        ),
    ),
    BlockType(
        "MaxPooling",
        "Convolution",
        "Keeps the largest value in each window (1-D or 2-D, from the input's shape).",
        (
            Param("pool_size", "int", 2, "window size along each axis", minimum=1, maximum=64),
            _POOL_STRIDES,
            _PADDING,
        ),
        infer=_pool_shape,
        count=_no_params,
        has_weights=False,
        recipe=lambda p: Recipe(
            "MaxPooling",
            {"pool_size": p["pool_size"], "strides": _pool_strides(p), "padding": p["padding"]},
        ),
    ),
    BlockType(
        "AveragePooling",
        "Convolution",
        "Averages each window (1-D or 2-D, from the input's shape).",
        (
            Param("pool_size", "int", 2, "window size along each axis", minimum=1, maximum=64),
            _POOL_STRIDES,
            _PADDING,
        ),
        infer=_pool_shape,
        count=_no_params,
        has_weights=False,
        recipe=lambda p: Recipe(
            "AveragePooling",
            {"pool_size": p["pool_size"], "strides": _pool_strides(p), "padding": p["padding"]},
        ),
    ),
    BlockType(
        "Flatten",
        "Input and shape",
        "Lays a sample out as one long vector.",
        (),
        infer=_flatten_shape,
        count=_no_params,
        has_weights=False,
        reshape_only=True,
        recipe=lambda p: Recipe("Flatten", {}),
    ),
    BlockType(
        "Reshape",
        "Input and shape",
        "Gives a sample a new shape with the same number of values.",
        (Param("target_shape", "ints", [16, 48], "the new shape of one sample"),),
        infer=_reshape_shape,
        count=_no_params,
        has_weights=False,
        reshape_only=True,
        recipe=lambda p: Recipe("Reshape", {"target_shape": list(p["target_shape"])}),
    ),
    BlockType(
        "RepeatVector",
        "Input and shape",
        "Repeats a vector a number of times along a new time axis.",
        (Param("times", "int", 16, "number of repeats (time steps)", minimum=1, maximum=100000),),
        infer=_repeat_shape,
        count=_no_params,
        has_weights=False,
        recipe=lambda p: Recipe("RepeatVector", {"n": p["times"]}),
    ),
    BlockType(
        "Dropout",
        "Regularisation",
        "During training, zeroes a random fraction of the values.",
        (
            Param("rate", "float", 0.5, "fraction of values dropped", minimum=0.0, maximum=0.95),
            Param(
                "per_sample",
                "bool",
                False,
                "drop a sample's whole input at once (stochastic depth in residual networks)",
            ),
        ),
        infer=_same,
        count=_no_params,
        has_weights=False,
        reshape_only=True,
        recipe=lambda p: Recipe(
            "Dropout", {"rate": p["rate"], "noise_shape": SAMPLE_NOISE if p["per_sample"] else None}
        ),
    ),
    BlockType(
        "GaussianNoise",
        "Regularisation",
        "During training, adds Gaussian noise to every value.",
        (
            Param(
                "stddev", "float", 0.1, "standard deviation of the noise", minimum=0.0, maximum=10.0
            ),
        ),
        infer=_same,
        count=_no_params,
        has_weights=False,
        reshape_only=True,
        recipe=lambda p: Recipe("GaussianNoise", {"stddev": p["stddev"]}),
    ),
    BlockType(
        "BatchNormalization",
        "Regularisation",
        "Normalises each feature over the batch, then scales and shifts it.",
        (
            Param(
                "momentum",
                "float",
                0.99,
                "how slowly the running statistics move",
                minimum=0.0,
                maximum=1.0,
            ),
            Param(
                "epsilon",
                "float",
                0.001,
                "added to the variance for stability",
                minimum=1e-9,
                maximum=1.0,
            ),
        ),
        infer=_same,
        count=_norm_count(4),
        has_weights=True,
        recipe=lambda p: Recipe(
            "BatchNormalization", {"momentum": p["momentum"], "epsilon": p["epsilon"]}
        ),
    ),
    BlockType(
        "LayerNormalization",
        "Regularisation",
        "Normalises each sample over its features, then scales and shifts it.",
        (
            Param(
                "epsilon",
                "float",
                0.001,
                "added to the variance for stability",
                minimum=1e-9,
                maximum=1.0,
            ),
        ),
        infer=_same,
        count=_norm_count(2),
        has_weights=True,
        recipe=lambda p: Recipe("LayerNormalization", {"epsilon": p["epsilon"]}),
    ),
    BlockType(
        "LSTM",
        "Recurrent",
        "Long short-term memory over a sequence (time × features).",
        (units_param(128), _RETURN_SEQ),
        infer=_recurrent_shape,
        count=lambda p, s: _cell_count("LSTM", p["units"], s[0][-1]),
        has_weights=True,
        recipe=lambda p: Recipe(
            "LSTM", {"units": p["units"], "return_sequences": p["return_sequences"]}
        ),
    ),
    BlockType(
        "GRU",
        "Recurrent",
        "Gated recurrent unit over a sequence (time × features).",
        (units_param(128), _RETURN_SEQ),
        infer=_recurrent_shape,
        count=lambda p, s: _cell_count("GRU", p["units"], s[0][-1]),
        has_weights=True,
        recipe=lambda p: Recipe(
            "GRU", {"units": p["units"], "return_sequences": p["return_sequences"]}
        ),
    ),
    BlockType(
        "Bidirectional",
        "Recurrent",
        "Runs a recurrent layer forwards and backwards in time.",
        (
            Param("cell", "choice", "LSTM", "the recurrent layer inside", choices=("LSTM", "GRU")),
            units_param(64),
            _RETURN_SEQ,
            Param(
                "merge_mode",
                "choice",
                "concat",
                "how the two directions are joined",
                choices=("concat", "sum", "ave", "mul"),
            ),
        ),
        infer=lambda p, s: _recurrent_shape(p, s, _bidi_width(p)),
        count=lambda p, s: 2 * _cell_count(p["cell"], p["units"], s[0][-1]),
        has_weights=True,
        recipe=lambda p: Recipe(
            "Bidirectional",
            {"merge_mode": p["merge_mode"]},
            inner=Recipe(
                p["cell"], {"units": p["units"], "return_sequences": p["return_sequences"]}
            ),
        ),
    ),
    BlockType(
        "TimeDistributedDense",
        "Recurrent",
        "The same Dense layer applied at every time step.",
        (units_param(48), activation_param("sigmoid")),
        infer=_time_dense_shape,
        count=_dense_count,
        has_weights=True,
        recipe=lambda p: Recipe(
            "TimeDistributed",
            {},
            inner=Recipe("Dense", {"units": p["units"], "activation": p["activation"]}),
        ),
    ),
    BlockType(
        "Concatenate",
        "Merge",
        "Joins its inputs along the last axis.",
        (),
        infer=_concat_shape,
        count=_no_params,
        has_weights=False,
        recipe=lambda p: Recipe("Concatenate", {}),
        min_inputs=2,
        max_inputs=16,
    ),
    BlockType(
        "Add",
        "Merge",
        "Adds its inputs value by value (they must have the same shape).",
        (),
        infer=_add_shape,
        count=_no_params,
        has_weights=False,
        recipe=lambda p: Recipe("Add", {}),
        min_inputs=2,
        max_inputs=16,
    ),
)
