"""Open an existing ``.keras`` model as a Project.

The importer reads the archive's config.json only: nothing in the file is deserialised or
run, so a model carrying a Lambda can be imported (that layer is listed as unmapped). Each
layer the catalog knows becomes a block; its parameters come from inverting the block's own
recipe (which recipe argument each parameter sets is found by asking the recipe), and the
layer is then rebuilt from the recipe and compared with the original config, so anything the
block cannot express (``use_bias=False``, a regulariser) is reported instead of lost.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from core import catalog
from core.errors import ModelFileError
from core.export.safe_load import code_in_config, read_keras_config
from core.project import Project
from core.spec import Block, NetworkSpec, Wire

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
_MODELS = {"Functional", "Sequential", "Model"}
_PATH_RE = re.compile(r"[^A-Za-z0-9_]")


# ---- inverting recipes ---------------------------------------------------------------------


def _flat(recipe: catalog.Recipe | None, prefix=()) -> dict:
    if recipe is None:
        return {}
    out = {(*prefix, "cls"): recipe.cls}
    for key, value in recipe.kwargs.items():
        out[(*prefix, "kwargs", key)] = value
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
            paths[param.name] = moved[0]
    return paths


@cache
def _by_class() -> dict:
    """Keras class name -> block type, from the recipes of the catalog's defaults."""
    table = {}
    for decl in catalog.BLOCKS:
        recipe = decl.recipe(decl.defaults())
        if recipe is None:
            continue
        names = [recipe.cls]
        if recipe.cls in ("MaxPooling", "AveragePooling"):
            names = [f"{recipe.cls}1D", f"{recipe.cls}2D"]
        elif recipe.cls.startswith("layerwise."):
            names = [recipe.cls.split(".", 1)[1]]
        for name in names:
            table.setdefault(name, []).append(decl)
    return table


def _plain(value):
    """config.json's spelling of tuples and lists -> plain lists."""
    if isinstance(value, dict):
        if value.get("class_name") == "__tuple__" and isinstance(value.get("config"), dict):
            return _plain(value["config"].get("value"))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


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
            key = parts[0]
            if key not in config:
                raise KeyError(key)
            return _plain(config[key])
    raise KeyError(path)


def _as_param(param: catalog.Param, value):
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


def layer_to_block(layer: dict):
    """(block type, params) for one layer entry of a Keras config, or (None, why)."""
    cls = layer.get("class_name")
    if cls in _MODELS:
        return None, "a nested model; flatten it into one functional model first"
    code = code_in_config(layer)
    if code:
        return None, code[0].split(": ", 1)[-1]
    candidates = _by_class().get(cls, [])
    if not candidates:
        return None, "no block of this type in Layerwise's catalog"
    reasons = []
    for decl in candidates:
        params, why = _params_for(decl, layer)
        if params is not None:
            return decl.name, params
        reasons.append(why)
    return None, reasons[0]


def _params_for(decl, layer: dict):
    params = {}
    for name, path in recipe_paths(decl.name).items():
        try:
            value = _as_param(decl.param_index[name], _at(layer, path))
        except KeyError:
            return None, f"its config has no value for the block's '{name}'"
        message = decl.param_index[name].check(value)
        if message:
            return None, f"the {decl.name} block's '{name}' {message}"
        params[name] = value
    expected = _rebuilt_config(decl, params, layer.get("class_name", ""))
    actual = _strip(_plain(layer.get("config", {})))
    extra = _differences(expected, actual)
    if extra:
        more = f" (and {len(extra) - 2} more)" if len(extra) > 2 else ""
        return None, (f"{', '.join(extra[:2])}{more} cannot be expressed by the {decl.name} block")
    defaults = decl.defaults()
    return {k: v for k, v in params.items() if v != defaults.get(k)}, None


def _rebuilt_config(decl, params: dict, cls: str) -> dict:
    from core.build import make_layer
    from core.keras_env import load_keras

    keras = load_keras()
    rank = 3 if cls.endswith("2D") else 2
    layer = make_layer(decl.recipe(decl.with_defaults(params)), "rebuilt", rank)
    return _strip(_plain(keras.saving.serialize_keras_object(layer).get("config", {})))


# ---- the graph -----------------------------------------------------------------------------


def _history(node) -> list[str]:
    """Layer names feeding one inbound node, in argument order."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                history = value.get("config", {}).get("keras_history")
                if history:
                    found.append(history[0])
                return
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(node.get("args", []))
    return found


def _graph(model_config: dict) -> tuple[list[dict], dict, list[str], list[str]]:
    """(layers, {name: [input names]}, output names, notes) of a Functional or Sequential."""
    cls = model_config.get("class_name")
    config = model_config.get("config") or {}
    layers = [entry for entry in config.get("layers", []) if isinstance(entry, dict)]
    notes = []
    if cls == "Sequential":
        if not layers or layers[0].get("class_name") != "InputLayer":
            shape = config.get("build_input_shape")
            if not shape:
                raise ModelFileError("the Sequential model has no input shape (never built)")
            layers.insert(
                0,
                {
                    "class_name": "InputLayer",
                    "config": {"batch_shape": _plain(shape), "name": "input"},
                },
            )
        names = [_name(entry) for entry in layers]
        inputs = {names[i]: [names[i - 1]] for i in range(1, len(names))}
        return layers, inputs, [names[-1]], notes
    if cls not in ("Functional", "Model"):
        raise ModelFileError(f"a {cls} model; Layerwise imports Functional and Sequential models")
    inputs = {}
    for entry in layers:
        nodes = entry.get("inbound_nodes") or []
        if len(nodes) > 1:
            notes.append(
                f"{_name(entry)}: used {len(nodes)} times (a shared layer); only its "
                "first use is imported"
            )
        inputs[_name(entry)] = _history(nodes[0]) if nodes else []
    outputs = _plain(config.get("output_layers") or [])
    if outputs and not isinstance(outputs[0], list):
        outputs = [outputs]
    return layers, inputs, [o[0] for o in outputs], notes


def _name(entry: dict) -> str:
    return entry.get("name") or entry.get("config", {}).get("name") or "layer"


def _block_id(name: str, taken: set) -> str:
    base = _PATH_RE.sub("_", name)
    if not base or not base[0].isalpha():
        base = f"b_{base}"
    base = base[:60]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base[:58]}_{n}", n + 1
    taken.add(candidate)
    return candidate


# ---- the import ------------------------------------------------------------------------------


def import_keras_model(path) -> tuple[Project, list[str]]:
    """A Project for the ``.keras`` model at ``path`` and the layers it could not map, each as
    "layer name: type — why". Nothing in the file runs."""
    path = Path(path)
    config = read_keras_config(path)
    layers, inputs, outputs, unmapped = _graph(config)
    by_name = {_name(entry): entry for entry in layers}
    taken: set[str] = set()
    ids, blocks, wires, dropped = {}, [], [], set()
    carries_code = bool(code_in_config(config))

    for entry in _order(by_name, inputs):
        name = _name(entry)
        cls = entry.get("class_name", "?")
        sources = [s for s in inputs.get(name, []) if s in by_name]
        if cls == "InputLayer":
            shape = _plain(
                entry.get("config", {}).get("batch_shape")
                or entry.get("config", {}).get("batch_input_shape")
                or []
            )
            ids[name] = _block_id(name, taken)
            blocks.append(Block(ids[name], "Input", {"shape": list(shape[1:])}))
            continue
        lost = [s for s in sources if s not in ids]
        if lost:
            dropped.add(name)
            unmapped.append(
                f"{name}: {cls} — left out because its input {lost[0]!r} is not imported"
            )
            continue
        type_name, params = layer_to_block(entry)
        if type_name is None:
            unmapped.append(f"{name}: {cls} — {params}")
            dropped.add(name)
            continue
        decl = catalog.get(type_name)
        if len(sources) < max(decl.min_inputs, 1) or len(sources) > decl.max_inputs:
            unmapped.append(
                f"{name}: {cls} — takes {len(sources)} inputs; the {type_name} block cannot"
            )
            dropped.add(name)
            continue
        ids[name] = _block_id(name, taken)
        blocks.append(Block(ids[name], type_name, params))
        wires += [Wire(ids[s], ids[name], port) for port, s in enumerate(sources)]

    # Keep only what leads to the model's output (blocks after a cut would dangle).
    end = next((ids[o] for o in outputs if o in ids), None)
    if end is None and blocks:
        end = blocks[-1].id
    keep = _upstream(end, wires) if end else set()
    blocks = [b for b in blocks if b.id in keep]
    wires = [w for w in wires if w.source in keep and w.target in keep]
    _lay_out(blocks, wires)

    project = Project(network=NetworkSpec(blocks, wires))
    project.training["finetune"]["objective"] = _guess_objective(project)
    project.name = str(config.get("config", {}).get("name") or path.stem)
    project.description = f"Imported from {path.name}."
    if not carries_code:
        renamed = {i: n for n, i in ids.items() if i != n}
        project.training["initial_weights"] = {
            "path": str(path.resolve()),
            "format": "keras",
            **({"layers": renamed} if renamed else {}),
        }
    return project, unmapped


def _guess_objective(project: Project) -> str:
    """The fine-tuning objective the imported network looks made for."""
    from core.validate import validate_network

    spec = project.network
    report = validate_network(spec)
    types = {b.type for b in spec.blocks}
    out = report.shapes.get(report.output) if report.output else None
    ins = [report.shapes.get(b.id) for b in spec.blocks if b.type == "Input"]
    if "VAE" in types:
        return "vae"
    if out is not None and ins and out == ins[0]:
        return "sequence" if types & {"LSTM", "GRU", "Bidirectional"} else "autoencoder"
    if out is not None and len(out) != 1:
        return "sequence" if types & {"LSTM", "GRU", "Bidirectional"} else "autoencoder"
    return "classifier"


def _order(by_name: dict, inputs: dict) -> list[dict]:
    order, seen = [], set()

    def visit(name, trail=()):
        if name in seen or name not in by_name or name in trail:
            return
        for source in inputs.get(name, []):
            visit(source, (*trail, name))
        seen.add(name)
        order.append(by_name[name])

    for name in by_name:
        visit(name)
    return order


def _upstream(end: str, wires: list[Wire]) -> set[str]:
    keep, todo = set(), [end]
    while todo:
        current = todo.pop()
        if current in keep:
            continue
        keep.add(current)
        todo += [w.source for w in wires if w.target == current]
    return keep


def _lay_out(blocks: list[Block], wires: list[Wire]) -> None:
    """Top to bottom: a block sits one row below its deepest input."""
    depth = {}
    for block in blocks:  # blocks are in data order
        sources = [w.source for w in wires if w.target == block.id]
        depth[block.id] = 1 + max((depth[s] for s in sources), default=-1)
    column = {}
    for block in blocks:
        row = depth[block.id]
        col = column.get(row, 0)
        column[row] = col + 1
        block.position = (float(col * 220), float(row * 110))
