"""Tidy layout: blocks in layers by topological order, top to bottom. Pure Python."""

from __future__ import annotations

from core.spec import NetworkSpec

ROW = 130.0
COLUMN = 240.0


def tidy_positions(spec: NetworkSpec) -> dict[str, tuple[float, float]]:
    """New positions for every block: a block sits one layer below its deepest input; blocks
    in a layer are ordered by where their inputs sit, and each layer is centred."""
    order = spec.topological_order() or [b.id for b in spec.blocks]
    layer: dict[str, int] = {}
    for block_id in order:
        sources = [w.source for w in spec.inputs_of(block_id) if w.source in layer]
        layer[block_id] = 1 + max((layer[s] for s in sources), default=-1)
    layers: dict[int, list[str]] = {}
    for block_id in order:
        layers.setdefault(layer[block_id], []).append(block_id)
    x_of: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    for depth in sorted(layers):
        ids = layers[depth]
        rank = {block_id: i for i, block_id in enumerate(ids)}

        def barycentre(block_id, _rank=rank):
            xs = [x_of[w.source] for w in spec.inputs_of(block_id) if w.source in x_of]
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
