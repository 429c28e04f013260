"""The network as data: blocks with ids, types, parameters and canvas positions, and wires.

A DAG, not only a stack: a block may take several inputs (Concatenate, Add) and feed several
blocks. Plain dataclasses; the canvas edits them through commands, the builder reads them.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
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

    def wiring(self) -> Wiring:
        """Each block's wires in and out, found in one pass (for work over the whole net)."""
        return Wiring.of(self)

    def topological_order(self) -> list[str] | None:
        """Block ids so that every wire goes forwards; None when there is a cycle."""
        wiring = self.wiring()
        incoming = {b.id: len(wiring.known_inputs(b.id)) for b in self.blocks}
        ready = deque(i for i, count in incoming.items() if count == 0)
        order = []
        while ready:
            current = ready.popleft()
            order.append(current)
            for w in wiring.known_outputs(current):
                incoming[w.target] -= 1
                if incoming[w.target] == 0:
                    ready.append(w.target)
        return order if len(order) == len(incoming) else None

    def blocks_in_cycles(self) -> list[str]:
        if self.topological_order() is not None:
            return []
        # Peel off blocks that reach no cycle from both ends; what is left sits on a cycle.
        wiring = self.wiring()
        ins = {b.id: len(wiring.known_inputs(b.id)) for b in self.blocks}
        outs = {b.id: len(wiring.known_outputs(b.id)) for b in self.blocks}
        remaining = set(ins)
        peel = deque(i for i in ins if not ins[i] or not outs[i])
        while peel:
            block_id = peel.popleft()
            if block_id not in remaining:
                continue
            remaining.discard(block_id)
            for w in wiring.known_outputs(block_id):
                ins[w.target] -= 1
                if w.target in remaining and not ins[w.target]:
                    peel.append(w.target)
            for w in wiring.known_inputs(block_id):
                outs[w.source] -= 1
                if w.source in remaining and not outs[w.source]:
                    peel.append(w.source)
        return [b.id for b in self.blocks if b.id in remaining]

    def to_json(self) -> dict:
        return {
            "blocks": [b.to_json() for b in self.blocks],
            "wires": [w.to_json() for w in self.wires],
        }


@dataclass(frozen=True)
class Wiring:
    """A snapshot of a network's wires by block: ``inputs`` ordered by port, ``outputs`` in
    wire order; the ``known_`` views keep only wires whose both ends are blocks."""

    inputs: dict[str, list[Wire]]
    outputs: dict[str, list[Wire]]
    ids: frozenset[str]

    @classmethod
    def of(cls, spec: NetworkSpec) -> Wiring:
        inputs: dict[str, list[Wire]] = defaultdict(list)
        outputs: dict[str, list[Wire]] = defaultdict(list)
        for wire in spec.wires:
            inputs[wire.target].append(wire)
            outputs[wire.source].append(wire)
        for wires in inputs.values():
            wires.sort(key=lambda w: w.port)
        return cls(dict(inputs), dict(outputs), frozenset(b.id for b in spec.blocks))

    def inputs_of(self, block_id: str) -> list[Wire]:
        return self.inputs.get(block_id, [])

    def outputs_of(self, block_id: str) -> list[Wire]:
        return self.outputs.get(block_id, [])

    def known_inputs(self, block_id: str) -> list[Wire]:
        return [w for w in self.inputs_of(block_id) if w.source in self.ids]

    def known_outputs(self, block_id: str) -> list[Wire]:
        return [w for w in self.outputs_of(block_id) if w.target in self.ids]
