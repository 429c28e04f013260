"""Starting weights: an imported project keeps the weights of the model it came from, and
building the project starts from them.

The project names the ``.keras`` file (``training.initial_weights``) and, where a block id
differs from the layer's name, which layer each block came from; the arrays stay in that
file, out of the project's JSON. Reading a project never touches them.
"""

from __future__ import annotations

from pathlib import Path

from core.errors import LayerwiseError


def source_layers(project) -> dict[str, str]:
    """{block id: layer name in the source model} for the blocks that carry weights."""
    renamed = project.training.get("initial_weights", {}).get("layers", {})
    return {b.id: renamed.get(b.id, b.id) for b in project.network.blocks}


def weights_path(project) -> Path | None:
    info = project.training.get("initial_weights")
    if not info or info.get("format") != "keras":
        return None
    path = Path(info["path"])
    if not path.is_absolute() and project.path is not None:
        path = Path(project.path).parent / path
    return path


def apply_initial_weights(model, project) -> list[str]:
    """Copy the source model's weights into ``model``, layer by layer (layers are named by
    block id). A block whose shapes no longer match (edited since the import) keeps its fresh
    weights; its id is returned."""
    path = weights_path(project)
    if path is None:
        return []
    if not path.exists():
        raise LayerwiseError(
            f"{path}: the model the project's starting weights come from is missing; put it "
            "back or remove training.initial_weights from the project"
        )
    from core.export.safe_load import load_model_safely

    source = {layer.name: layer for layer in load_model_safely(path).layers}
    names = source_layers(project)
    skipped = []
    for layer in model.layers:
        arrays = _arrays_of(source.get(names.get(layer.name, layer.name)))
        current = layer.get_weights()
        if not current:
            continue
        if arrays is None or [a.shape for a in arrays] != [c.shape for c in current]:
            skipped.append(layer.name)
            continue
        layer.set_weights(arrays)
    return skipped


def _arrays_of(layer):
    return None if layer is None else layer.get_weights()
