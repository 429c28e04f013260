"""Open an existing ``.keras`` model as a Project.

The importer reads the archive's config.json only: nothing in the file is deserialised or
run, so a model carrying a Lambda can be imported (that layer is listed as unmapped). Each
layer the catalog knows becomes a block; its parameters come from inverting the block's own
recipe (which recipe argument each parameter sets is found by asking the recipe), and the
layer is then rebuilt from the recipe and compared with the original config, so anything the
block cannot express (``use_bias=False``, a regulariser) is reported instead of lost
(``core.export.layer_params`` does that part). The blocks are placed by the canvas's tidy
layout, and the project names the model file as the source of its starting weights
(``core.export.initial_weights``).
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from core import catalog
from core.catalog import ShapeError
from core.errors import ModelFileError
from core.export.layer_params import layer_to_block, plain, recipe_paths
from core.export.safe_load import code_in_config, read_keras_config
from core.layout import tidy_positions
from core.project import Project
from core.spec import Block, NetworkSpec, Wire

_PATH_RE = re.compile(r"[^A-Za-z0-9_]")

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
                    "config": {"batch_shape": plain(shape), "name": "input"},
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
    outputs = plain(config.get("output_layers") or [])
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


@dataclass
class _Import:
    """What the walk over the layers has made so far."""

    ids: dict = field(default_factory=dict)  # layer name -> block id
    shapes: dict = field(default_factory=dict)  # layer name -> sample shape, when known
    blocks: list = field(default_factory=list)
    wires: list = field(default_factory=list)
    unmapped: list = field(default_factory=list)
    taken: set = field(default_factory=set)


def import_keras_model(path) -> tuple[Project, list[str]]:
    """A Project for the ``.keras`` model at ``path`` and the layers it could not map, each as
    "layer name: type — why". Nothing in the file runs."""
    path = Path(path)
    config = read_keras_config(path)
    layers, inputs, outputs, notes = _graph(config)
    by_name = {_name(entry): entry for entry in layers}
    state = _Import(unmapped=notes)
    for entry in _order(by_name, inputs):
        sources = [s for s in inputs.get(_name(entry), []) if s in by_name]
        _import_layer(state, entry, sources)
    blocks, wires = _reaching_output(state, outputs)
    project = Project(network=NetworkSpec(blocks, wires))
    positions = tidy_positions(project.network)
    for block in blocks:
        block.position = positions[block.id]
    project.training["finetune"]["objective"] = _guess_objective(project)
    project.data["source"] = _labelled_source(project) or project.data["source"]
    project.name = str(config.get("config", {}).get("name") or path.stem)
    project.description = f"Imported from {path.name}."
    if not code_in_config(config):
        renamed = {i: n for n, i in state.ids.items() if i != n}
        project.training["initial_weights"] = {
            "path": str(path.resolve()),
            "format": "keras",
            **({"layers": renamed} if renamed else {}),
        }
    return project, state.unmapped


def _labelled_source(project: Project) -> str | None:
    """A built-in labelled source whose samples and classes fit a model whose RBM joins
    label units (the default source has no labels to join), or None."""
    from core.catalog.data import SOURCES
    from core.catalog.label_units import label_units_of

    classes = {label_units_of(b) for b in project.network.blocks if b.type == "RBM"} - {0}
    inputs = [b for b in project.network.blocks if b.type == "Input"]
    if len(classes) != 1 or len(inputs) != 1:
        return None
    shape = tuple(inputs[0].params.get("shape") or ())
    for source in SOURCES:
        fits = source.shape is not None and shape in (source.shape, (math.prod(source.shape),))
        if source.classes in classes and fits:
            return source.name
    return None


def _import_layer(state: _Import, entry: dict, sources: list[str]) -> None:
    """Add one layer as a block (wired to its sources), or record why it cannot be."""
    name, cls = _name(entry), entry.get("class_name", "?")
    if cls == "InputLayer":
        config = entry.get("config", {})
        shape = plain(config.get("batch_shape") or config.get("batch_input_shape") or [])
        _add_block(state, name, "Input", {"shape": list(shape[1:])}, [])
        return
    lost = [s for s in sources if s not in state.ids]
    if lost:
        state.unmapped.append(
            f"{name}: {cls} — left out because its input {lost[0]!r} is not imported"
        )
        return
    shape = state.shapes.get(sources[0]) if sources else None
    type_name, params = layer_to_block(entry, None if shape is None else len(shape))
    if type_name is None:
        state.unmapped.append(f"{name}: {cls} — {params}")
        return
    decl = catalog.get(type_name)
    if decl.max_inputs == 2 and len(sources) == 2 and sources[0] == sources[1]:
        sources = sources[:1]  # attention over one sequence: query and value are the same
    if len(sources) < max(decl.min_inputs, 1) or len(sources) > decl.max_inputs:
        state.unmapped.append(
            f"{name}: {cls} — takes {len(sources)} inputs; the {type_name} block cannot"
        )
        return
    _add_block(state, name, type_name, params, sources)


def _add_block(state: _Import, name: str, type_name: str, params: dict, sources: list) -> None:
    block_id = _block_id(name, state.taken)
    state.ids[name] = block_id
    state.blocks.append(Block(block_id, type_name, params))
    state.wires += [Wire(state.ids[s], block_id, port) for port, s in enumerate(sources)]
    decl = catalog.get(type_name)
    shapes = [state.shapes.get(s) for s in sources]
    if None in shapes:
        return
    with contextlib.suppress(ShapeError, KeyError, TypeError):  # validation will report it
        state.shapes[name] = tuple(decl.infer(decl.with_defaults(params), shapes))


def _reaching_output(state: _Import, outputs: list[str]) -> tuple[list, list]:
    """Only what leads to the model's output (blocks after a cut would dangle)."""
    end = next((state.ids[o] for o in outputs if o in state.ids), None)
    if end is None and state.blocks:
        end = state.blocks[-1].id
    keep = _upstream(end, state.wires) if end else set()
    blocks = [b for b in state.blocks if b.id in keep]
    wires = [w for w in state.wires if w.source in keep and w.target in keep]
    return blocks, wires


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
    """Layers in data order: each after its inputs (depth-first without recursion, so a model
    of a thousand layers in a chain is no problem; a cycle is cut where it closes)."""
    order, done, open_ = [], set(), set()
    for root in by_name:
        stack = [(root, False)]
        while stack:
            name, expanded = stack.pop()
            if expanded:
                open_.discard(name)
                done.add(name)
                order.append(by_name[name])
                continue
            if name in done or name in open_ or name not in by_name:
                continue
            open_.add(name)
            stack.append((name, True))
            stack += [(s, False) for s in reversed(inputs.get(name, []))]
    return order


def _upstream(end: str, wires: list[Wire]) -> set[str]:
    feeding: dict[str, list[str]] = {}
    for w in wires:
        feeding.setdefault(w.target, []).append(w.source)
    keep, todo = set(), [end]
    while todo:
        current = todo.pop()
        if current in keep:
            continue
        keep.add(current)
        todo += feeding.get(current, [])
    return keep


__all__ = ["import_keras_model", "layer_to_block", "recipe_paths"]
