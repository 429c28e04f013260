"""Every edit of the project is one of these QUndoCommands, pushed on the Document's stack.

A command changes the core Project through the Document's mutators and asks the Document to
re-validate; nothing else in the app writes to the NetworkSpec or the settings.
"""

from __future__ import annotations

import copy

from PySide6.QtGui import QUndoCommand

from core.spec import Block, Wire


class _Command(QUndoCommand):
    def __init__(self, doc, text: str):
        super().__init__(text)
        self.doc = doc


class AddBlocks(_Command):
    """Add blocks (and wires among or into them): a palette drop, a paste."""

    def __init__(self, doc, blocks: list[Block], wires: list[Wire] = (), text: str | None = None):
        if text is None:
            text = f"Add {blocks[0].id}" if len(blocks) == 1 else f"Add {len(blocks)} blocks"
        super().__init__(doc, text)
        self.blocks = [copy.deepcopy(b) for b in blocks]
        self.wires = list(wires)

    def redo(self):
        for block in self.blocks:
            self.doc._insert_block(copy.deepcopy(block))
        for wire in self.wires:
            self.doc._add_wire(wire)
        self.doc.refresh()

    def undo(self):
        for wire in reversed(self.wires):
            self.doc._remove_wire(wire)
        for block in reversed(self.blocks):
            self.doc._remove_block(block.id)
        self.doc.refresh()


class Remove(_Command):
    """Delete blocks (with every wire touching them and their pretraining settings) and
    wires."""

    def __init__(self, doc, block_ids, wires=(), text: str | None = None):
        block_ids = [b.id for b in doc.spec.blocks if b.id in set(block_ids)]
        spec = doc.spec
        touching = [w for w in spec.wires if w.source in block_ids or w.target in block_ids]
        chosen = touching + [w for w in wires if w not in touching and w in spec.wires]
        if text is None:
            if block_ids:
                text = (
                    f"Delete {block_ids[0]}"
                    if len(block_ids) == 1
                    else (f"Delete {len(block_ids)} blocks")
                )
            else:
                text = "Delete wire" if len(chosen) == 1 else f"Delete {len(chosen)} wires"
        super().__init__(doc, text)
        self.block_ids = block_ids
        self.wires = chosen
        self._blocks: list[tuple[int, Block]] = []
        self._wires: list[tuple[int, Wire]] = []
        self._pretraining: dict = {}

    def redo(self):
        spec = self.doc.spec
        self._wires = sorted((spec.wires.index(w), w) for w in self.wires)
        for _, wire in reversed(self._wires):
            self.doc._remove_wire(wire)
        positions = {b.id: i for i, b in enumerate(spec.blocks)}
        self._blocks = sorted(
            ((positions[i], spec.block(i)) for i in self.block_ids), key=lambda t: t[0]
        )
        for _, block in reversed(self._blocks):
            self.doc._remove_block(block.id)
        plan = self.doc.project.training.get("pretraining", {}).get("blocks", {})
        self._pretraining = {i: plan.pop(i) for i in self.block_ids if i in plan}
        self.doc.refresh()

    def undo(self):
        for index, block in self._blocks:
            self.doc._insert_block(block, index)
        for index, wire in self._wires:
            self.doc._add_wire(wire, index)
        if self._pretraining:
            pre = self.doc.project.training.setdefault("pretraining", {})
            pre.setdefault("blocks", {}).update(copy.deepcopy(self._pretraining))
        self.doc.refresh()


class MoveBlocks(_Command):
    """Move blocks to new canvas positions: a drag, or the tidy layout."""

    def __init__(self, doc, moves: dict[str, tuple[tuple, tuple]], text: str | None = None):
        if text is None:
            text = f"Move {next(iter(moves))}" if len(moves) == 1 else f"Move {len(moves)} blocks"
        super().__init__(doc, text)
        self.moves = dict(moves)

    def redo(self):
        for block_id, (_, new) in self.moves.items():
            self.doc._set_position(block_id, new)
        self.doc.refresh()

    def undo(self):
        for block_id, (old, _) in self.moves.items():
            self.doc._set_position(block_id, old)
        self.doc.refresh()


class AddWire(_Command):
    def __init__(self, doc, wire: Wire):
        super().__init__(doc, f"Wire {wire.source} → {wire.target}")
        self.wire = wire

    def redo(self):
        self.doc._add_wire(self.wire)
        self.doc.refresh()

    def undo(self):
        self.doc._remove_wire(self.wire)
        self.doc.refresh()


_MISSING = object()


class SetParam(_Command):
    """Change one parameter of one block (the inspector)."""

    def __init__(self, doc, block_id: str, name: str, value):
        super().__init__(doc, f"Set {block_id}.{name}")
        self.block_id = block_id
        self.name = name
        self.value = copy.deepcopy(value)
        old = doc.spec.block(block_id).params.get(name, _MISSING)
        self.old = old if old is _MISSING else copy.deepcopy(old)

    def id(self) -> int:
        return 1001

    def mergeWith(self, other) -> bool:
        """Steps of one spin box (the same parameter, one after another) are one edit."""
        if not isinstance(other, SetParam) or (other.block_id, other.name) != (
            self.block_id,
            self.name,
        ):
            return False
        self.value = copy.deepcopy(other.value)
        if self.old is not _MISSING and self.old == self.value:
            self.setObsolete(True)
        return True

    def redo(self):
        self.doc.spec.block(self.block_id).params[self.name] = copy.deepcopy(self.value)
        self.doc.refresh()

    def undo(self):
        params = self.doc.spec.block(self.block_id).params
        if self.old is _MISSING:
            params.pop(self.name, None)
        else:
            params[self.name] = copy.deepcopy(self.old)
        self.doc.refresh()


class SetSetting(_Command):
    """Change one project setting, addressed by a path of keys from a Project attribute:
    ``("training", "finetune", "epochs")``, ``("data", "representation", "pitch_count")``,
    ``("training", "pretraining", "blocks", "rbm1", "epochs")``."""

    def __init__(self, doc, path: tuple, value, text: str | None = None):
        super().__init__(doc, text or f"Set {'.'.join(str(p) for p in path)}")
        self.path = tuple(path)
        self.value = copy.deepcopy(value)
        self.before = copy.deepcopy(getattr(doc.project, self.path[0]))

    def id(self) -> int:
        return 1002

    def mergeWith(self, other) -> bool:
        if not isinstance(other, SetSetting) or other.path != self.path:
            return False
        self.value = copy.deepcopy(other.value)
        return True

    def redo(self):
        root = getattr(self.doc.project, self.path[0])
        if len(self.path) == 1:
            setattr(self.doc.project, self.path[0], copy.deepcopy(self.value))
        else:
            node = root
            for key in self.path[1:-1]:
                if not isinstance(node.get(key), dict):
                    node[key] = {}
                node = node[key]
            node[self.path[-1]] = copy.deepcopy(self.value)
        self.doc.refresh()

    def undo(self):
        setattr(self.doc.project, self.path[0], copy.deepcopy(self.before))
        self.doc.refresh()
