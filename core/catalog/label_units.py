"""Where an RBM may join the data's labels as softmax units: on the last RBM of a stack
(the associative memory at the top of a DBN), for a dataset whose samples have labels, with
one unit per class. Pure Python, read by the validator."""

from __future__ import annotations

from typing import Any

from core.catalog.data import SOURCE_INDEX
from core.spec import NetworkSpec


def label_units_of(block: Any) -> int:
    value = block.params.get("label_units", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def label_unit_problems(network: NetworkSpec, data: Any) -> list[tuple[str, str]]:
    """(block id, message) for every RBM whose label units cannot be trained as set."""
    joined = [b for b in network.blocks if b.type == "RBM" and label_units_of(b) > 0]
    if not joined:
        return []
    source = SOURCE_INDEX.get(str(data.get("source"))) if isinstance(data, dict) else None
    problems = []
    for block in joined:
        units = label_units_of(block)
        problems += [(block.id, m) for m in _data_problems(units, source)]
        if block.params.get("per_frame"):
            problems.append(
                (
                    block.id,
                    "label units join one label per sample, but this RBM reads frame by frame; "
                    "turn per_frame off or set label units to 0",
                )
            )
        later = _rbms_after(network, block.id)
        if later:
            problems.append(
                (
                    block.id,
                    f"label units join the top RBM of a stack, but RBM '{later[0]}' comes after "
                    f"this one; set them on '{later[-1]}' instead",
                )
            )
    return problems


def _data_problems(units: int, source: Any) -> list[str]:
    if source is None:
        return []  # the data section's own problem is reported already
    if units == 1:
        return ["label units must be 0 (no labels) or one per class, at least 2"]
    if not source.labelled:
        return [
            f"joins the data's labels as {units} label units, but the dataset "
            f"'{source.name}' has no labels; set label units to 0 or choose a labelled "
            "dataset (digits, gm-instruments, an audio folder or an array file with y)"
        ]
    if source.classes is not None and units != source.classes:
        return [
            f"has {units} label units but the dataset '{source.name}' has {source.classes} "
            f"classes; set label units to {source.classes}"
        ]
    return []


def _rbms_after(network: NetworkSpec, block_id: str) -> list[str]:
    """The RBM blocks downstream of ``block_id``, nearest first."""
    found: list[str] = []
    seen = {block_id}
    frontier = [block_id]
    while frontier:
        following = []
        for current in frontier:
            for wire in network.outputs_of(current):
                if wire.target in seen or not network.has_block(wire.target):
                    continue
                seen.add(wire.target)
                following.append(wire.target)
                if network.block(wire.target).type == "RBM":
                    found.append(wire.target)
        frontier = following
    return found
