"""The open project as the window sees it: the core Project, its undo stack and the latest
validation report.

The Document owns no second copy of the network: it holds the one ``core.project.Project``
and changes it only through the QUndoCommands in :mod:`app.canvas.commands`, which call the
small mutators below. After every change it re-validates (pure Python, fast) and emits
``changed`` so the scene, the inspector and the problems list redraw.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from core.project import Project
from core.spec import Block, Wire
from core.validate import Report, validate


class Document(QObject):
    changed = Signal()  # the project (network or settings) changed; report is fresh
    projectReplaced = Signal()  # a different project was opened
    message = Signal(str)  # a short note for the status bar (a refused edit, ...)

    def __init__(self, project: Project | None = None, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.project = project or Project()
        self.report: Report = validate(self.project)
        # When true, edits that delete blocks are refused (a training run uses a snapshot).
        self.locked_reason: str | None = None

    # ---- whole project ----------------------------------------------------------------
    def set_project(self, project: Project) -> None:
        self.undo_stack.clear()
        self.project = project
        self.report = validate(project)
        self.projectReplaced.emit()
        self.changed.emit()

    @property
    def spec(self):
        return self.project.network

    def refresh(self) -> None:
        self.report = validate(self.project)
        self.changed.emit()

    # ---- mutators, called only by undo commands ---------------------------------------
    def _insert_block(self, block: Block, index: int | None = None) -> None:
        blocks = self.spec.blocks
        blocks.insert(len(blocks) if index is None else min(index, len(blocks)), block)

    def _remove_block(self, block_id: str) -> tuple[int, Block]:
        for i, block in enumerate(self.spec.blocks):
            if block.id == block_id:
                del self.spec.blocks[i]
                return i, block
        raise KeyError(block_id)

    def _add_wire(self, wire: Wire, index: int | None = None) -> None:
        wires = self.spec.wires
        wires.insert(len(wires) if index is None else min(index, len(wires)), wire)

    def _remove_wire(self, wire: Wire) -> int:
        index = self.spec.wires.index(wire)
        del self.spec.wires[index]
        return index

    def _set_position(self, block_id: str, pos: tuple[float, float]) -> None:
        self.spec.block(block_id).position = (float(pos[0]), float(pos[1]))

    # ---- questions the editor asks before it pushes a command -------------------------
    def wire_refusal(self, source: str, target: str, port: int) -> str | None:
        """Why wiring ``source`` into ``target``'s port would be wrong, or None when fine."""
        from core import catalog

        if source == target:
            return f"Cannot wire {source} to itself: data must flow from one block to another."
        if not (self.spec.has_block(source) and self.spec.has_block(target)):
            return "Both ends of a wire must be blocks on the canvas."
        try:
            decl = catalog.get(self.spec.block(target).type)
        except KeyError:
            decl = None
        if decl is not None and decl.max_inputs == 0:
            return f"{target} is an Input block: it takes no incoming wire."
        for wire in self.spec.wires:
            if wire.source == source and wire.target == target:
                return f"{source} is already wired into {target}."
            if wire.target == target and wire.port == port:
                return f"Input {port + 1} of {target} is already wired (from {wire.source})."
        # Would it close a loop? Is there a path target -> ... -> source already?
        seen, todo = set(), [target]
        while todo:
            current = todo.pop()
            if current == source:
                return (
                    f"Wiring {source} into {target} would make a loop: data must flow one way, "
                    "from Input to output."
                )
            if current in seen:
                continue
            seen.add(current)
            todo.extend(w.target for w in self.spec.wires if w.source == current)
        return None
