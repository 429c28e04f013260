"""Export a network as a readable Python script that needs only Keras.

The script defines ``build_model()``: one ``layers.X(...)`` line per block, in data order, each
read from the block's recipe in the catalog (the declaration the builder uses). Layerwise's
own layers are copied into the script from ``core/layers`` (those modules need only keras).
From a run the script also gets ``load_weights(model)``, reading a ``.weights.npz`` beside it.
Writing the script needs no Keras.
"""

from __future__ import annotations

import builtins
import json
import keyword
import re
import sys
import textwrap
from dataclasses import dataclass, field
from importlib import resources

from core import catalog
from core.build import InvalidNetwork
from core.catalog.rules_keras import call_arguments, concrete_kwargs
from core.project import Project
from core.validate import validate

# Names the script itself uses: a block id equal to one of these gets a trailing underscore.
_RESERVED = {
    "keras",
    "layers",
    "ops",
    "np",
    "model",
    "inputs",
    "outputs",
    "path",
    "seed",
    "build_model",
    "load_weights",
    "WEIGHTS",
    "Path",
}

_STANDARD_LIBRARY = frozenset(sys.stdlib_module_names)

# Layerwise layer name -> module in core/layers holding its class.
_CUSTOM_MODULES = {
    "RBM": "rbm",
    "RNNRBM": "rnn_rbm",
    "ConvRBM": "conv_rbm",
    "Autoencoder": "autoencoder",
    "VAESampling": "vae",
    "Maxout": "maxout",
    "AutoregressiveKeys": "autoregressive_keys",
}


def _variable(block_id: str) -> str:
    name = block_id
    if keyword.iskeyword(name) or name in _RESERVED or hasattr(builtins, name):
        name += "_"
    return name


def _constructor_parts(
    recipe: catalog.Recipe, name: str | None, input_rank: int | None
) -> tuple[str, list[str]]:
    cls = recipe.class_name(input_rank)
    prefix = "" if recipe.cls.startswith("layerwise.") else "layers."
    kwargs = concrete_kwargs(recipe.kwargs, input_rank)
    args = [f"{key}={_literal(value)}" for key, value in kwargs.items()]
    if recipe.inner is not None:
        args.insert(0, f"layer={_constructor(recipe.inner, None, None)}")
    if name:
        args.append(f"name={_literal(name)}")
    return f"{prefix}{cls}", args


def _constructor(recipe: catalog.Recipe, name: str | None, input_rank: int | None) -> str:
    head, args = _constructor_parts(recipe, name, input_rank)
    return f"{head}({', '.join(args)})"


def _layer_line(var: str, recipe: catalog.Recipe, name: str, rank: int, arg: str) -> str:
    line = f"    {var} = {_constructor(recipe, name, rank)}({arg})"
    if len(line) <= 99:
        return line
    head, args = _constructor_parts(recipe, name, rank)
    lines, current = [], ""
    for item in args:
        candidate = f"{current} {item}," if current else f"        {item},"
        if current and len(candidate) > 99:
            lines.append(current)
            candidate = f"        {item},"
        current = candidate
    lines.append(current)
    body = "\n".join(lines)
    return f"    {var} = {head}(\n{body}\n    )({arg})"


def _source_text(argument) -> str:
    return f"[{', '.join(argument)}]" if isinstance(argument, list) else argument


def _literal(value) -> str:
    if isinstance(value, list | tuple):
        items = ", ".join(_literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def _custom_sources(names: list[str]) -> tuple[list[str], list[str]]:
    """(import lines, class sources) of the Layerwise layers ``names``, copied verbatim."""
    imports, bodies = [], []
    for name in names:
        # Read the file, never import it here: importing core.layers loads TensorFlow.
        source = (resources.files("core") / "layers" / f"{_CUSTOM_MODULES[name]}.py").read_text(
            encoding="utf-8"
        )
        lines = source.splitlines()
        start = 0
        while start < len(lines) and (
            not lines[start].strip() or lines[start].startswith(("import ", "from "))
        ):
            if lines[start].strip() and lines[start] not in imports:
                imports.append(lines[start])
            start += 1
        bodies.append("\n".join(lines[start:]).strip() + "\n")
    return imports, bodies


@dataclass
class _Network:
    """The lines of ``build_model`` that make the layers, and what those lines use."""

    lines: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # variables of the Input blocks
    custom: list[str] = field(default_factory=list)  # Layerwise layer classes, first use first


def _note_custom_classes(recipe: catalog.Recipe, custom: list[str]) -> None:
    for part in (recipe, recipe.inner):
        if part is not None and part.cls.startswith("layerwise."):
            cls = part.cls.split(".", 1)[1]
            if cls not in custom:
                custom.append(cls)


def _network(project: Project, report, names: dict[str, str]) -> _Network:
    """One line per block, in data order: ``keras.Input`` or the block's recipe."""
    spec = project.network
    network = _Network()
    for block_id in report.order:
        block = spec.block(block_id)
        decl = catalog.get(block.type)
        params = decl.with_defaults(block.params)
        var = names[block_id]
        if block.type == "Input":
            shape = _literal(tuple(params["shape"]))
            network.lines.append(
                f"    {var} = keras.Input(shape={shape}, name={_literal(block_id)})"
            )
            network.inputs.append(var)
            continue
        recipe = decl.recipe(params)
        if recipe is None:  # only an Input makes no layer, and it was handled above
            raise InvalidNetwork([f"block {block_id}: a {block.type} has no layer to export"])
        _note_custom_classes(recipe, network.custom)
        wires = spec.inputs_of(block_id)
        rank = len(report.shapes[wires[0].source])
        sources = [names[w.source] for w in wires]
        arg = ", ".join(_source_text(a) for a in call_arguments(decl, sources))
        network.lines.append(_layer_line(var, recipe, block_id, rank, arg))
    return network


def _import_order(line: str) -> tuple[bool, str]:
    """isort's order within a section: plain imports first, then from-imports, by module."""
    return line.startswith("from "), line.split()[1]


def _header(imports: list[str], with_weights: bool) -> list[str]:
    """The script's imports, standard library first: keras's names merged into one line, the
    copied layers' other imports kept."""
    prefix = "from keras import "
    from_keras = sorted(
        {"layers"}
        | {
            name.strip()
            for line in imports
            if line.startswith(prefix)
            for name in line[len(prefix) :].split(",")
        }
    )
    others = [line for line in imports if line != "import keras" and not line.startswith(prefix)]
    standard = [line for line in others if line.split()[1].split(".")[0] in _STANDARD_LIBRARY]
    if with_weights:
        standard.append("from pathlib import Path")
    third_party = [
        "import keras",
        *(["import numpy as np"] if with_weights else []),
        *(line for line in others if line not in standard),
        f"from keras import {', '.join(from_keras)}",
    ]
    if not standard:
        return third_party
    return [*sorted(standard, key=_import_order), "", *third_party]


def _docstring(project: Project, with_weights: bool) -> list[str]:
    title = project.name.replace('"""', "'''")
    description = project.description.replace('"""', "'''").strip()
    doc = [f'"""{title}: a network exported from Layerwise.', ""]
    if description:
        doc += [textwrap.fill(description, width=92), ""]
    return doc + [
        "Needs only Keras (3.x). Run it to print a summary of the model; import it and call",
        "build_model() to get the model"
        + (" with its trained weights." if with_weights else " (untrained)."),
        '"""',
        "",
    ]


def _build_model_function(seed, network: _Network, model_line: str, with_weights: bool):
    weights_arg = ", weights=True" if with_weights else ""
    weights_doc = (
        ", with the trained weights unless weights=False."
        if with_weights
        else ", freshly initialised."
    )
    lines = [
        "",
        f"def build_model(seed={seed!r}{weights_arg}):",
        f'    """The network{weights_doc}"""',
        "    keras.utils.set_random_seed(seed)",
        *network.lines,
        model_line,
    ]
    if with_weights:
        lines += ["    if weights:", "        load_weights(model)"]
    return lines + ["    return model", ""]


_LOAD_WEIGHTS = [
    "",
    "def load_weights(model, path=WEIGHTS):",
    '    """Set every layer\'s weights from the .npz written beside this script',
    '    (arrays named "layer/index")."""',
    "    with np.load(path, allow_pickle=False) as saved:",
    "        for layer in model.layers:",
    "            count = len(layer.get_weights())",
    "            if count:",
    '                layer.set_weights([saved[f"{layer.name}/{i}"] for i in range(count)])',
    "    return model",
    "",
]


def model_source(project: Project, weights_file: str | None = None) -> str:
    """The script's text for ``project``; ``weights_file`` (a name beside the script) adds a
    ``load_weights`` that ``build_model`` calls."""
    report = validate(project)
    if not report.ok:
        raise InvalidNetwork(report.problems)
    if report.output is None:  # a valid network has exactly one output block
        raise InvalidNetwork(["the network has no output block"])
    names = {block_id: _variable(block_id) for block_id in report.order}
    network = _network(project, report, names)
    with_weights = bool(weights_file)
    model_inputs = (
        f"[{', '.join(network.inputs)}]" if len(network.inputs) > 1 else network.inputs[0]
    )
    model_args = [
        f"inputs={model_inputs}",
        f"outputs={names[report.output]}",
        f"name={_literal(_model_name(project.name))}",
    ]
    model_line = f"    model = keras.Model({', '.join(model_args)})"
    if len(model_line) > 99:  # a long project name: one argument a line
        model_line = "\n".join(
            ["    model = keras.Model(", *(f"        {a}," for a in model_args), "    )"]
        )
    imports, classes = _custom_sources(network.custom)

    out = _docstring(project, with_weights) + _header(imports, with_weights) + [""]
    if weights_file:
        out += ["", f"WEIGHTS = Path(__file__).with_name({_literal(weights_file)})", ""]
    for source in classes:
        out += ["", source.rstrip(), ""]
    seed = project.training.get("seed", 0)
    out += _build_model_function(seed, network, model_line, with_weights)
    if with_weights:
        out += _LOAD_WEIGHTS
    out += ["", 'if __name__ == "__main__":', "    build_model().summary()", ""]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(out))


def _model_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in name).strip("_")
    return cleaned or "layerwise_model"


def weight_arrays(model) -> dict:
    """The model's weights as {"layer/index": array}, the layout ``load_weights`` reads."""
    arrays = {}
    for layer in model.layers:
        for i, value in enumerate(layer.get_weights()):
            arrays[f"{layer.name}/{i}"] = value
    return arrays


__all__ = ["model_source", "weight_arrays"]
