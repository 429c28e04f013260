"""One Keras layer config → one block and its parameters, by inverting the block's recipe.

Which recipe argument each parameter sets is found by asking the recipe (change one parameter
alone and see what moves, down to one element of a nested argument such as ZeroPadding2D's
``((top, bottom), (left, right))``). The layer is then rebuilt from the block and its config
compared with the original, so anything the block cannot express (``use_bias=False``, a
regulariser) is reported instead of lost.
"""

from __future__ import annotations

import copy
import json
from functools import cache

from core import catalog
from core.catalog.rules_keras import SAMPLE_NOISE
from core.export.safe_load import code_in_config

# Config keys that do not change what a layer computes once its weights are known.
_IGNORED = {
    "name",
    "dtype",
    "dtype_policy",
    "trainable",
    "seed",
    "shared_object_id",
    "registered_name",
    "build_config",
    "quantization_config",
}
MODELS = {"Functional", "Sequential", "Model"}


def plain(value):
    """config.json's spelling of tuples and lists -> plain lists."""
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and isinstance(value.get("config"), dict):
            return plain(value["config"].get("value"))
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


# ---- inverting recipes ---------------------------------------------------------------------


def _flat(recipe: catalog.Recipe | None, prefix=()) -> dict:
    if recipe is None:
        return {}
    out = {(*prefix, "cls"): recipe.cls}
    for key, value in recipe.kwargs.items():
        out[(*prefix, "kwargs", key)] = plain(value)
    out.update(_flat(recipe.inner, (*prefix, "inner")))
    return out


def _other_value(param: catalog.Param):
    d = param.default
    if param.kind == "bool":
        return not d
    if param.kind == "choice":
        return next(c for c in param.choices if c != d)
    if param.kind in ("shape", "ints"):
        return [7, 3]
    lo = param.minimum if param.minimum is not None else 0
    hi = param.maximum if param.maximum is not None else lo + 10
    if param.kind == "int":
        return d + 1 if d + 1 <= hi else d - 1
    middle = (lo + hi) / 2
    return middle if middle != d else (lo + middle) / 2


def _leaf(before, after, path: tuple) -> tuple:
    """Descend into nested lists while exactly one element differs."""
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        differ = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
        if len(differ) == 1:
            i = differ[0]
            return _leaf(before[i], after[i], (*path, i))
    return path


@cache
def recipe_paths(type_name: str) -> dict:
    """{parameter: where in the recipe it lands}, found by changing each parameter alone."""
    decl = catalog.get(type_name)
    base_params = decl.defaults()
    base = _flat(decl.recipe(base_params))
    paths = {}
    for param in decl.params:
        changed = _flat(decl.recipe({**base_params, param.name: _other_value(param)}))
        moved = [k for k in set(base) | set(changed) if base.get(k) != changed.get(k)]
        if len(moved) == 1:
            key = moved[0]
            whole = param.kind in ("shape", "ints")
            paths[param.name] = key if whole else _leaf(base.get(key), changed.get(key), key)
    return paths


@cache
def _by_class() -> dict:
    """Keras class name -> block types, from the recipes of the catalog's defaults."""
    table = {}
    for decl in catalog.BLOCKS:
        recipe = decl.recipe(decl.defaults())
        if recipe is None:
            continue
        for name in dict.fromkeys(recipe.class_name(rank) for rank in (2, 3)):
            table.setdefault(name, []).append(decl)
    return table


def _at(layer: dict, path: tuple):
    node = layer
    parts = list(path)
    while parts:
        head = parts.pop(0)
        if head == "inner":
            node = node.get("config", {}).get("layer") or {}
        elif head == "cls":
            return node.get("class_name")
        elif head == "kwargs":
            config = node.get("config", {})
            key = parts.pop(0)
            if key not in config:
                raise KeyError(key)
            value = config[key]
            for index in parts:
                if not isinstance(value, list) or index >= len(value):
                    raise KeyError(key)
                value = value[index]
            return value
    raise KeyError(path)


def _as_param(decl, name: str, path: tuple, value):
    """The parameter value whose recipe writes ``value`` at ``path``."""
    param = decl.param_index[name]
    candidates = {"bool": (False, True), "choice": param.choices}.get(param.kind, ())
    end = path.index("kwargs") + 2 if "kwargs" in path else len(path)
    for candidate in (*candidates, param.default):
        written = _flat(decl.recipe({**decl.defaults(), name: candidate})).get(path[:end])
        for index in path[end:]:
            written = written[index] if isinstance(written, list) else None
        if written == value:
            return candidate
    if (
        param.kind in ("int", "float")
        and isinstance(value, list)
        and value
        and all(v == value[0] for v in value)
    ):
        value = value[0]
    if param.kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return value


# ---- comparing configs -----------------------------------------------------------------------


def _strip(config):
    if isinstance(config, dict):
        return {
            k: _strip(v)
            for k, v in config.items()
            if k not in _IGNORED and not k.endswith("_initializer")
        }
    if isinstance(config, list):
        # Keras keeps some arguments as given (axis=-1) and some as built ([-1]).
        return _strip(config[0]) if len(config) == 1 else [_strip(v) for v in config]
    return config


# Arguments Layerwise's own layers gained later, with the value a model saved before had.
_ADDED_LATER = {"RBM": {"per_frame": False, "label_units": 0}}


def normalised(config: dict, rank: int | None, cls: str | None = None) -> dict:
    """A layer's plain config with rank-dependent spellings made comparable: the last axis
    named by number becomes -1, a Dropout dropping whole samples becomes the marker; an
    argument one of Layerwise's layers gained later takes the value it had before."""
    config = {**_ADDED_LATER.get(cls or "", {}), **plain(config)}
    if rank is not None:
        axis = config.get("axis")
        if axis == rank or axis == [rank]:
            config["axis"] = -1 if axis == rank else [-1]
        noise = config.get("noise_shape")
        if isinstance(noise, list) and noise == [None] + [1] * rank:
            config["noise_shape"] = SAMPLE_NOISE
    if rank and config.get("attention_axes") == [rank - 1]:
        config["attention_axes"] = None  # the default: attend over the time axis
    return config


def _differences(expected: dict, actual: dict, prefix="") -> list[str]:
    out = []
    for key in sorted(set(expected) | set(actual)):
        a, b = expected.get(key), actual.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{prefix}{key}.")
        else:
            out.append(f"{prefix}{key}={_short(b)}")
    return out


def _short(value) -> str:
    if isinstance(value, dict) and "class_name" in value:
        return str(value["class_name"])
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ---- the mapping -----------------------------------------------------------------------------


def layer_to_block(layer: dict, rank: int | None = None):
    """(block type, params) for one layer entry of a Keras config, or (None, why). ``rank`` is
    the rank of the layer's input sample (no batch axis) when known."""
    cls = layer.get("class_name")
    if cls in MODELS:
        return None, "a nested model; flatten it into one functional model first"
    code = code_in_config(layer)
    if code:
        return None, code[0].split(": ", 1)[-1]
    candidates = _by_class().get(cls, [])
    if not candidates:
        return None, "no block of this type in Layerwise's catalog"
    entry = {**layer, "config": normalised(layer.get("config", {}), rank, cls)}
    reasons = []
    for decl in candidates:
        params, why = _params_for(decl, entry, rank)
        if params is not None:
            return decl.name, params
        reasons.append(why)
    return None, reasons[0]


def _params_for(decl, layer: dict, rank: int | None):
    params = {}
    for name, path in recipe_paths(decl.name).items():
        try:
            value = _as_param(decl, name, path, _at(layer, path))
        except KeyError:
            return None, f"its config has no value for the block's '{name}'"
        message = decl.param_index[name].check(value)
        if message:
            return None, f"the {decl.name} block's '{name}' {message}"
        params[name] = value
    expected = _rebuilt_config(decl, params, layer.get("class_name", ""), rank)
    extra = _differences(expected, _strip(layer.get("config", {})))
    if extra:
        more = f" (and {len(extra) - 2} more)" if len(extra) > 2 else ""
        return None, (f"{', '.join(extra[:2])}{more} cannot be expressed by the {decl.name} block")
    return _without_defaults(decl, params), None


def _without_defaults(decl, params: dict) -> dict:
    """Only the parameters that change the recipe (pooling strides equal to the window size
    are the default, however the layer spelled them)."""
    defaults = decl.defaults()
    recipe = decl.recipe(decl.with_defaults(params))
    return {
        k: v
        for k, v in params.items()
        if v != defaults.get(k)
        and decl.recipe(decl.with_defaults({**params, k: defaults[k]})) != recipe
    }


def _rebuilt_config(decl, params: dict, cls: str, rank: int | None) -> dict:
    """The config Keras writes for the block's layer (a large model repeats a few layer
    settings many times, so each is built once)."""
    key = json.dumps([decl.name, params, cls, rank], sort_keys=True, default=repr)
    if key not in _REBUILT:
        _REBUILT[key] = _serialised_layer(decl, params, cls, rank)
    return copy.deepcopy(_REBUILT[key])


_REBUILT: dict[str, dict] = {}


def _serialised_layer(decl, params: dict, cls: str, rank: int | None) -> dict:
    from core.build import make_layer
    from core.keras_env import load_keras

    keras = load_keras()
    if rank is None:
        rank = 3 if cls.endswith("2D") else 2
    layer = make_layer(decl.recipe(decl.with_defaults(params)), "rebuilt", rank)
    config = keras.saving.serialize_keras_object(layer).get("config", {})
    return _strip(normalised(config, rank))
