"""Tidy layout: blocks in layers by topological order, top to bottom. Pure Python; the canvas
and the model importer both use it."""

from __future__ import annotations

from core.spec import NetworkSpec

ROW = 130.0
COLUMN = 240.0


def tidy_positions(spec: NetworkSpec) -> dict[str, tuple[float, float]]:
    """New positions for every block: a block sits one layer below its deepest input; blocks
    in a layer are ordered by where their inputs sit, and each layer is centred."""
    order = spec.topological_order() or [b.id for b in spec.blocks]
    sources: dict[str, list[str]] = {block_id: [] for block_id in order}
    for wire in sorted(spec.wires, key=lambda w: w.port):
        if wire.target in sources:
            sources[wire.target].append(wire.source)
    layer: dict[str, int] = {}
    for block_id in order:
        known = [s for s in sources[block_id] if s in layer]
        layer[block_id] = 1 + max((layer[s] for s in known), default=-1)
    layers: dict[int, list[str]] = {}
    for block_id in order:
        layers.setdefault(layer[block_id], []).append(block_id)
    x_of: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for depth in sorted(layers):
        ids = layers[depth]
        rank = {block_id: i for i, block_id in enumerate(ids)}

        def barycentre(block_id, _rank=rank):
            xs = [x_of[s] for s in sources[block_id] if s in x_of]
            return (
                (sum(xs) / len(xs), _rank[block_id])
                if xs
                else (_rank[block_id] * COLUMN, _rank[block_id])
            )

        ids.sort(key=barycentre)
        width = (len(ids) - 1) * COLUMN
        for i, block_id in enumerate(ids):
            x = i * COLUMN - width / 2
            x_of[block_id] = x
            positions[block_id] = (x, depth * ROW)
    return positions
