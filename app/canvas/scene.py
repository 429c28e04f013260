"""The scene draws the Document's NetworkSpec and turns gestures into undo commands."""

from __future__ import annotations

import atexit
import copy
import json

from PySide6.QtCore import QMimeData, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from app import style
from app.canvas.commands import AddBlocks, AddWire, MoveBlocks, Remove
from app.canvas.items import BLOCK_H, BLOCK_W, BlockItem, PortItem, WireItem, wire_path
from app.canvas.layout import tidy_positions
from core import catalog
from core.spec import Block, Wire
from core.templates import input_params

CLIPBOARD_MIME = "application/x-layerwise-blocks"
# The canvas is at least this big; an imported model of hundreds of blocks makes it grow.
_HOME = QRectF(-2000, -2000, 4000, 4000)
_MARGIN = 600.0
PASTE_OFFSET = 40.0


def _release_clipboard() -> None:
    """The clipboard owns the QMimeData we made in Python; Qt would delete it in its own exit
    handlers, after Python has finalised, and crash. Clear it while Python is still alive."""
    app = QGuiApplication.instance()
    if app is not None:
        clipboard = QGuiApplication.clipboard()
        mime = clipboard.mimeData()
        if mime is not None and mime.hasFormat(CLIPBOARD_MIME):
            clipboard.clear()


atexit.register(_release_clipboard)


class NetworkScene(QGraphicsScene):
    """Redraws on ``Document.changed``; every edit goes through the Document's undo stack."""

    selectedBlocksChanged = Signal(list)  # ids of the selected blocks

    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.doc = doc
        self.blocks: dict[str, BlockItem] = {}
        self.wire_items: list[WireItem] = []
        self.states: dict[str, str] = {}
        self._drag_wire: QGraphicsPathItem | None = None
        self._drag_from: PortItem | None = None
        self._paste_count = 0
        self._syncing = False
        self.setSceneRect(_HOME)
        self.setBackgroundBrush(QColor(style.CANVAS_BG))
        doc.changed.connect(self.sync)
        doc.projectReplaced.connect(self._on_replaced)
        self.selectionChanged.connect(self._emit_selection)
        self.sync()

    # ---- model -> items -----------------------------------------------------------------
    def _on_replaced(self) -> None:
        self.states.clear()
        self._paste_count = 0

    def sync(self) -> None:
        self._syncing = True
        try:
            spec, report = self.doc.spec, self.doc.report
            ids = {b.id for b in spec.blocks}
            for block_id in list(self.blocks):
                if block_id not in ids:
                    item = self.blocks.pop(block_id)
                    self.removeItem(item)
            selected_wires = {w.wire for w in self.wire_items if w.isSelected()}
            for wire_item in self.wire_items:
                wire_item.detach()
                self.removeItem(wire_item)
            self.wire_items = []
            ports_used: dict[str, set[int]] = {}
            for wire in spec.wires:
                ports_used.setdefault(wire.target, set()).add(wire.port)
            for block in spec.blocks:
                item = self.blocks.get(block.id)
                if item is None:
                    item = BlockItem(block.id)
                    self.blocks[block.id] = item
                    self.addItem(item)
                item.state = self.states.get(block.id, "untrained")
                try:
                    decl = catalog.get(block.type)
                except KeyError:
                    decl = None
                used = ports_used.get(block.id, set())
                if decl is None:
                    in_count = max(1, len(used))
                elif decl.max_inputs == 0:
                    in_count = 0
                elif decl.max_inputs == 1:
                    in_count = 1
                else:
                    top = max(used, default=-1) + 2
                    in_count = min(decl.max_inputs, max(decl.min_inputs, top))
                in_count = max(in_count, max(used, default=-1) + 1)
                item.update_from(block, decl, report, in_count, used)
            for wire in spec.wires:
                source, target = self.blocks.get(wire.source), self.blocks.get(wire.target)
                if source is None or target is None:
                    continue
                wire_item = WireItem(wire, source, target)
                self.addItem(wire_item)
                wire_item.setSelected(wire in selected_wires)
                self.wire_items.append(wire_item)
        finally:
            self._syncing = False
        self._fit_scene_rect()
        self._emit_selection()

    def _fit_scene_rect(self) -> None:
        """Room for every block, however far a large network reaches."""
        points = [item.pos() for item in self.blocks.values()]
        if not points:
            return
        xs, ys = [p.x() for p in points], [p.y() for p in points]
        reach = QRectF(
            min(xs) - _MARGIN,
            min(ys) - _MARGIN,
            max(xs) - min(xs) + BLOCK_W + 2 * _MARGIN,
            max(ys) - min(ys) + BLOCK_H + 2 * _MARGIN,
        )
        self.setSceneRect(_HOME.united(reach))

    def set_block_state(self, block_id: str, state: str) -> None:
        self.states[block_id] = state
        item = self.blocks.get(block_id)
        if item is not None:
            item.set_state(state)

    def reset_states(self) -> None:
        self.states.clear()
        for item in self.blocks.values():
            item.set_state("untrained")

    # ---- selection ----------------------------------------------------------------------
    def selected_block_ids(self) -> list[str]:
        chosen = {i.block_id for i in self.selectedItems() if isinstance(i, BlockItem)}
        return [b.id for b in self.doc.spec.blocks if b.id in chosen]

    def selected_wires(self) -> list[Wire]:
        return [i.wire for i in self.selectedItems() if isinstance(i, WireItem)]

    def select_blocks(self, ids) -> None:
        ids = set(ids)
        self.blockSignals(True)
        self.clearSelection()
        for block_id, item in self.blocks.items():
            item.setSelected(block_id in ids)
        self.blockSignals(False)
        self._emit_selection()

    def _emit_selection(self) -> None:
        if not self._syncing:
            self.selectedBlocksChanged.emit(self.selected_block_ids())

    # ---- edits --------------------------------------------------------------------------
    def add_block(self, type_name: str, pos: QPointF | None = None) -> str:
        decl = catalog.get(type_name)
        block_id = self.doc.spec.new_id(type_name)
        if pos is None:
            pos = self._free_spot()
        else:
            pos = QPointF(pos.x() - BLOCK_W / 2, pos.y() - BLOCK_H / 2)
        params = input_params(self.doc.project.data) if decl.name == "Input" else decl.defaults()
        block = Block(block_id, decl.name, params, (round(pos.x()), round(pos.y())))
        self.doc.undo_stack.push(AddBlocks(self.doc, [block]))
        self.select_blocks([block_id])
        return block_id

    def _free_spot(self) -> QPointF:
        if not self.doc.spec.blocks:
            return QPointF(0, 0)
        # below the lowest block, where a stack grows
        lowest = max(self.doc.spec.blocks, key=lambda b: (b.position[1], b.position[0]))
        x, y = lowest.position
        taken = {tuple(b.position) for b in self.doc.spec.blocks}
        y += BLOCK_H + 50
        while (x, y) in taken:
            x += BLOCK_W + 40
        return QPointF(x, y)

    def connect_ports(self, source: str, target: str, port: int) -> bool:
        reason = self.doc.wire_refusal(source, target, port)
        if reason:
            self.doc.message.emit(reason)
            return False
        self.doc.undo_stack.push(AddWire(self.doc, Wire(source, target, port)))
        return True

    def delete_selection(self) -> bool:
        block_ids = self.selected_block_ids()
        wires = self.selected_wires()
        if not block_ids and not wires:
            return False
        if self.doc.locked_reason:
            self.doc.message.emit(self.doc.locked_reason)
            return False
        self.doc.undo_stack.push(Remove(self.doc, block_ids, wires))
        return True

    def commit_moves(self) -> None:
        moves = {}
        for block_id, item in self.blocks.items():
            if not self.doc.spec.has_block(block_id):
                continue
            old = self.doc.spec.block(block_id).position
            new = (round(item.pos().x()), round(item.pos().y()))
            if (abs(old[0] - new[0]) > 0.5) or (abs(old[1] - new[1]) > 0.5):
                moves[block_id] = (tuple(old), (float(new[0]), float(new[1])))
        if moves:
            self.doc.undo_stack.push(MoveBlocks(self.doc, moves))

    def tidy(self) -> bool:
        spec = self.doc.spec
        positions = tidy_positions(spec)
        moves = {
            b.id: (tuple(b.position), positions[b.id])
            for b in spec.blocks
            if tuple(b.position) != positions[b.id]
        }
        if not moves:
            self.doc.message.emit("The layout is already tidy.")
            return False
        self.doc.undo_stack.push(MoveBlocks(self.doc, moves, text="Tidy layout"))
        return True

    # ---- clipboard ----------------------------------------------------------------------
    def copy_selection(self) -> bool:
        ids = self.selected_block_ids()
        if not ids:
            return False
        spec = self.doc.spec
        payload = {
            "blocks": [spec.block(i).to_json() for i in ids],
            "wires": [w.to_json() for w in spec.wires if w.source in ids and w.target in ids],
        }
        mime = QMimeData()
        text = json.dumps(payload)
        mime.setData(CLIPBOARD_MIME, text.encode("utf-8"))
        mime.setText(text)
        QGuiApplication.clipboard().setMimeData(mime)
        self._paste_count = 0
        return True

    def paste(self) -> list[str]:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(CLIPBOARD_MIME):
            self.doc.message.emit("Nothing to paste: copy some blocks first.")
            return []
        try:
            payload = json.loads(bytes(mime.data(CLIPBOARD_MIME)).decode("utf-8"))
            raw_blocks, raw_wires = payload["blocks"], payload["wires"]
        except (ValueError, KeyError, TypeError):
            self.doc.message.emit("The clipboard does not hold Layerwise blocks.")
            return []
        self._paste_count += 1
        offset = PASTE_OFFSET * self._paste_count
        scratch = copy.deepcopy(self.doc.spec)
        renamed: dict[str, str] = {}
        blocks: list[Block] = []
        for raw in raw_blocks:
            new_id = scratch.new_id(raw["type"])
            renamed[raw["id"]] = new_id
            x, y = raw.get("position", (0, 0))
            block = Block(
                new_id,
                raw["type"],
                dict(raw.get("params", {})),
                (float(x) + offset, float(y) + offset),
            )
            scratch.blocks.append(block)
            blocks.append(block)
        wires = [
            Wire(renamed[w["from"]], renamed[w["to"]], int(w.get("port", 0)))
            for w in raw_wires
            if w["from"] in renamed and w["to"] in renamed
        ]
        if not blocks:
            return []
        self.doc.undo_stack.push(
            AddBlocks(
                self.doc,
                blocks,
                wires,
                text=f"Paste {len(blocks)} block" + ("s" if len(blocks) > 1 else ""),
            )
        )
        ids = [b.id for b in blocks]
        self.select_blocks(ids)
        return ids

    # ---- gestures -----------------------------------------------------------------------
    def _port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def mousePressEvent(self, event):
        if event.button() == Qt.MouseButton.LeftButton:
            port = self._port_at(event.scenePos())
            if port is not None:
                self._drag_from = port
                self._drag_wire = QGraphicsPathItem()
                pen = QPen(QColor(style.WIRE_SELECTED), 2, Qt.PenStyle.DashLine)
                self._drag_wire.setPen(pen)
                self._drag_wire.setZValue(5)
                self.addItem(self._drag_wire)
                self._update_drag(event.scenePos())
                event.accept()
                return
        super().mousePressEvent(event)

    def _update_drag(self, pos: QPointF) -> None:
        start = self._drag_from.scenePos()
        if self._drag_from.kind == "out":
            self._drag_wire.setPath(wire_path(start, pos))
        else:
            self._drag_wire.setPath(wire_path(pos, start))

    def mouseMoveEvent(self, event):
        if self._drag_wire is not None:
            self._update_drag(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._drag_wire is not None:
            start = self._drag_from
            self.removeItem(self._drag_wire)
            self._drag_wire = None
            self._drag_from = None
            end = self._port_at(event.scenePos())
            event.accept()
            self.finish_wire(start, end)
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.commit_moves()

    def finish_wire(self, start: PortItem, end: PortItem | None) -> bool:
        """Wire two ports (in either order); say why not when they cannot be wired."""
        if end is None or end is start:
            return False
        if start.kind == end.kind:
            self.doc.message.emit(
                "Wire an output port (bottom of a block) to an input port (top of a block)."
            )
            return False
        out, inp = (start, end) if start.kind == "out" else (end, start)
        return self.connect_ports(out.block_id, inp.block_id, inp.index)
