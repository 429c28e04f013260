"""The network as data: blocks with ids, types, parameters and canvas positions, and wires.

A DAG, not only a stack: a block may take several inputs (Concatenate, Add) and feed several
blocks. Plain dataclasses; the canvas edits them through commands, the builder reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def valid_id(block_id: str) -> bool:
    """Block ids become Keras layer names, so they are identifiers."""
    return isinstance(block_id, str) and bool(_ID.match(block_id))


@dataclass
class Block:
    id: str
    type: str
    params: dict = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "params": dict(self.params),
            "position": [float(self.position[0]), float(self.position[1])],
        }


@dataclass(frozen=True)
class Wire:
    """Data flows from block ``source`` into input port ``port`` of block ``target``."""

    source: str
    target: str
    port: int = 0

    def to_json(self) -> dict:
        return {"from": self.source, "to": self.target, "port": self.port}


@dataclass
class NetworkSpec:
    blocks: list[Block] = field(default_factory=list)
    wires: list[Wire] = field(default_factory=list)

    def block(self, block_id: str) -> Block:
        for block in self.blocks:
            if block.id == block_id:
                return block
        raise KeyError(f"no block with id {block_id!r}")

    def has_block(self, block_id: str) -> bool:
        return any(b.id == block_id for b in self.blocks)

    def inputs_of(self, block_id: str) -> list[Wire]:
        """Wires into ``block_id``, ordered by port."""
        return sorted((w for w in self.wires if w.target == block_id), key=lambda w: w.port)

    def outputs_of(self, block_id: str) -> list[Wire]:
        return [w for w in self.wires if w.source == block_id]

    def new_id(self, type_name: str) -> str:
        """A fresh id like ``dense3`` for a new block of ``type_name``."""
        stem = re.sub(r"[^a-z0-9]", "", type_name.lower()) or "block"
        taken = {b.id for b in self.blocks}
        n = 1
        while f"{stem}{n}" in taken:
            n += 1
        return f"{stem}{n}"

    def topological_order(self) -> list[str] | None:
        """Block ids so that every wire goes forwards; None when there is a cycle."""
        ids = [b.id for b in self.blocks]
        incoming = {i: 0 for i in ids}
        for w in self.wires:
            if w.target in incoming and w.source in incoming:
                incoming[w.target] += 1
        ready = [i for i in ids if incoming[i] == 0]
        order = []
        while ready:
            current = ready.pop(0)
            order.append(current)
            for w in self.wires:
                if w.source == current and w.target in incoming:
                    incoming[w.target] -= 1
                    if incoming[w.target] == 0:
                        ready.append(w.target)
        return order if len(order) == len(ids) else None

    def blocks_in_cycles(self) -> list[str]:
        order = self.topological_order()
        if order is not None:
            return []
        # Peel off blocks that reach no cycle from both ends; what is left sits on a cycle.
        remaining = {b.id for b in self.blocks}
        changed = True
        while changed:
            changed = False
            for block_id in list(remaining):
                ins = [w for w in self.wires if w.target == block_id and w.source in remaining]
                outs = [w for w in self.wires if w.source == block_id and w.target in remaining]
                if not ins or not outs:
                    remaining.discard(block_id)
                    changed = True
        return [b.id for b in self.blocks if b.id in remaining]

    def to_json(self) -> dict:
        return {
            "blocks": [b.to_json() for b in self.blocks],
            "wires": [w.to_json() for w in self.wires],
        }
