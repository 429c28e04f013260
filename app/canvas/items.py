"""The graphics items the canvas draws: blocks with their ports, and wires."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsPathItem

from app import style

BLOCK_W = 200.0
BLOCK_H = 76.0
HEADER_H = 24.0
PORT_R = 6.0


def _fmt_shape(shape) -> str:
    if shape is None:
        return "?"
    inner = ", ".join("None" if n is None else str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


class PortItem(QGraphicsItem):
    """A connection point: ``kind`` is "in" (with its port ``index``) or "out"."""

    def __init__(self, block: BlockItem, kind: str, index: int = 0):
        super().__init__(block)
        self.block = block
        self.kind = kind
        self.index = index
        self.used = False
        self.hover = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
        if kind == "out":
            self.setToolTip("Output: drag from here to an input port to wire")
        else:
            self.setToolTip(f"Input {index + 1}: drag an output port here to wire")

    @property
    def block_id(self) -> str:
        return self.block.block_id

    def boundingRect(self) -> QRectF:
        r = PORT_R + 4
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(self.boundingRect())
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = PORT_R + (2 if self.hover else 0)
        colour = style.group_colour(self.block.group)
        painter.setPen(QPen(colour.darker(130), 2))
        painter.setBrush(QBrush(colour if self.used or self.hover else QColor("#ffffff")))
        painter.drawEllipse(QPointF(0, 0), r, r)

    def hoverEnterEvent(self, event):
        self.hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self.hover = False
        self.update()

    def centre(self) -> QPointF:
        return self.scenePos()


class BlockItem(QGraphicsObject):
    """One block: type, id, output shape, parameter count, training state, problems."""

    def __init__(self, block_id: str):
        super().__init__()
        self.block_id = block_id
        self.type_name = ""
        self.group: str | None = None
        self.shape_text = ""
        self.params_text = ""
        self.problems: list[str] = []
        self.state = "untrained"
        self.in_ports: list[PortItem] = []
        self.out_port: PortItem | None = None
        self.wires: list[WireItem] = []
        self._syncing = False
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setZValue(1)

    # ---- model -> item ------------------------------------------------------------------
    def update_from(self, block, decl, report, in_count: int, used_ports: set[int]) -> None:
        self.type_name = block.type
        self.group = decl.group if decl else None
        shape = report.shapes.get(block.id)
        self.shape_text = _fmt_shape(shape) if shape is not None else "—"
        count = report.params.get(block.id)
        self.params_text = f"{count:,} params" if count is not None else ""
        self.problems = [p.message for p in report.for_block(block.id)]
        self._set_ports(in_count, True, used_ports)
        self._syncing = True
        self.setPos(QPointF(*block.position))
        self._syncing = False
        tip = [f"<b>{block.type}</b> — {block.id}"]
        if decl is not None:
            tip.append(decl.help)
        tip.append(f"Output shape: {self.shape_text}")
        if self.params_text:
            tip.append(self.params_text)
        if self.problems:
            tip.append(
                "<span style='color:#c62828'><b>Problems:</b><br>"
                + "<br>".join("• " + _esc(m) for m in self.problems)
                + "</span>"
            )
        tip.append(f"Training state: {self.state}")
        self.setToolTip("<br>".join(tip))
        self.update()

    def _set_ports(self, in_count: int, has_output: bool, used_ports: set[int]) -> None:
        while len(self.in_ports) > in_count:
            port = self.in_ports.pop()
            port.setParentItem(None)
            if port.scene():
                port.scene().removeItem(port)
        while len(self.in_ports) < in_count:
            self.in_ports.append(PortItem(self, "in", len(self.in_ports)))
        n = len(self.in_ports)
        for i, port in enumerate(self.in_ports):
            port.setPos(BLOCK_W * (i + 1) / (n + 1), 0)
            port.used = i in used_ports
            port.update()
        if has_output and self.out_port is None:
            self.out_port = PortItem(self, "out")
            self.out_port.setPos(BLOCK_W / 2, BLOCK_H)

    def set_state(self, state: str) -> None:
        self.state = state
        tip = self.toolTip()
        marker = "Training state: "
        if marker in tip:
            self.setToolTip(tip[: tip.index(marker)] + marker + state)
        self.update()

    # ---- drawing ------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(-4, -4, BLOCK_W + 8, BLOCK_H + 8)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_frame(painter)
        font = QFont(painter.font())
        self._paint_title(painter, font)
        self._paint_details(painter, font)

    def _border(self, colour: QColor) -> QPen:
        if self.problems:
            return QPen(QColor(style.ERROR), 2.5)
        if self.isSelected():
            return QPen(QColor(style.SELECTION), 2.5)
        return QPen(colour.darker(115), 1.2)

    def _paint_frame(self, painter: QPainter) -> None:
        """Body, coloured header, training-state strip, and the border stroked over them."""
        rect = QRectF(0, 0, BLOCK_W, BLOCK_H)
        colour = style.group_colour(self.group)
        border = self._border(colour)
        painter.setPen(border)
        painter.setBrush(QColor(style.BLOCK_BG))
        painter.drawRoundedRect(rect, 7, 7)
        header = QPainterPath()
        header.setFillRule(Qt.FillRule.WindingFill)
        header.addRoundedRect(QRectF(0, 0, BLOCK_W, HEADER_H), 7, 7)
        header.addRect(QRectF(0, HEADER_H / 2, BLOCK_W, HEADER_H / 2))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.fillPath(header.simplified(), colour)
        painter.setBrush(style.state_colour(self.state))
        painter.drawRoundedRect(QRectF(8, BLOCK_H - 9, BLOCK_W - 16, 5), 2.5, 2.5)
        # The header was filled over the border: stroke it again on top.
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(border)
        painter.drawRoundedRect(rect, 7, 7)

    def _paint_title(self, painter: QPainter, font: QFont) -> None:
        """The block type in the header, elided, with a warning badge when it has problems."""
        font.setPointSizeF(9.5)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        right_pad = 28 if self.problems else 10
        title = QFontMetrics(font).elidedText(
            self.type_name, Qt.TextElideMode.ElideRight, int(BLOCK_W - 10 - right_pad)
        )
        painter.drawText(
            QRectF(10, 0, BLOCK_W - 10 - right_pad, HEADER_H),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            title,
        )
        if self.problems:
            self._paint_warning(painter, QPointF(BLOCK_W - 15, HEADER_H / 2))

    def _paint_details(self, painter: QPainter, font: QFont) -> None:
        """Two lines under the header: id and training state; output shape and parameters."""
        font.setBold(False)
        font.setPointSizeF(9.0)
        painter.setFont(font)
        fm = QFontMetrics(font)
        painter.setPen(QColor(style.TEXT))
        line_h = 17
        first = QRectF(10, HEADER_H + 3, BLOCK_W - 20, line_h)
        painter.drawText(
            first,
            Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(self.block_id, Qt.TextElideMode.ElideRight, self._id_width(fm)),
        )
        if self.state != "untrained":
            painter.setPen(style.state_colour(self.state).darker(135))
            painter.drawText(
                first,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                "● " + self.state,
            )
        painter.setPen(QColor(style.MUTED))
        second = first.translated(0, line_h)
        left = fm.elidedText(
            "→ " + self.shape_text, Qt.TextElideMode.ElideRight, int(BLOCK_W * 0.55)
        )
        painter.drawText(second, Qt.AlignmentFlag.AlignVCenter, left)
        painter.drawText(
            second, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, self.params_text
        )

    def _id_width(self, fm: QFontMetrics) -> int:
        if self.state == "untrained":
            return int(BLOCK_W - 20)
        return int(BLOCK_W - 26 - fm.horizontalAdvance("● " + self.state))

    @staticmethod
    def _paint_warning(painter: QPainter, centre: QPointF) -> None:
        painter.setPen(QPen(QColor("#ffffff"), 1.5))
        painter.setBrush(QColor(style.ERROR))
        painter.drawEllipse(centre, 8, 8)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(9)
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(
            QRectF(centre.x() - 8, centre.y() - 8, 16, 16), Qt.AlignmentFlag.AlignCenter, "!"
        )

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for wire in self.wires:
                wire.update_path()
        return super().itemChange(change, value)

    def input_port(self, index: int) -> PortItem | None:
        return self.in_ports[index] if 0 <= index < len(self.in_ports) else None


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    path = QPainterPath(start)
    dy = max(40.0, abs(end.y() - start.y()) * 0.5)
    path.cubicTo(QPointF(start.x(), start.y() + dy), QPointF(end.x(), end.y() - dy), end)
    return path


class WireItem(QGraphicsPathItem):
    """A wire from a block's output port into an input port of another block."""

    def __init__(self, wire, source: BlockItem, target: BlockItem):
        super().__init__()
        self.wire = wire
        self.source = source
        self.target = target
        source.wires.append(self)
        target.wires.append(self)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.setToolTip(
            f"{wire.source} → {wire.target} (input {wire.port + 1}); "
            "select and press Delete to remove"
        )
        self.update_path()

    def detach(self) -> None:
        for block in (self.source, self.target):
            if self in block.wires:
                block.wires.remove(self)

    def update_path(self) -> None:
        start = self.source.out_port.scenePos() if self.source.out_port else self.source.scenePos()
        port = self.target.input_port(self.wire.port)
        end = port.scenePos() if port else self.target.scenePos()
        self.setPath(wire_path(start, end))

    def shape(self) -> QPainterPath:
        from PySide6.QtGui import QPainterPathStroker

        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = self.isSelected()
        colour = QColor(style.WIRE_SELECTED if selected else style.WIRE)
        painter.setPen(
            QPen(colour, 3.0 if selected else 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        )
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
