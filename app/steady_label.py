"""A line of text that changes many times a second without re-laying out the window.

``QLabel.setText`` asks its parent layout for a new geometry at every change, whatever the
label's size policy, and that request climbs to the window: the dashboard's layout is then
computed anew, and when a label's new size hint moves a column by a few pixels every plot is
resized, repainted and has its axes drawn again (tens of milliseconds in one event-loop turn
while training). A :class:`SteadyLabel` only repaints itself: its size hint is fixed when it
is made, and text wider than the widget is cut short with an ellipsis (the tooltip can hold
the rest).
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

MARGIN = 2  # pixels left and right of the text


class SteadyLabel(QWidget):
    """One line of text. ``sample``: the text whose width the size hint asks for (none: the
    widget takes the width its layout gives and asks for nothing)."""

    def __init__(
        self,
        text: str = "",
        *,
        sample: str = "",
        alignment: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        colour: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._text = text
        self._alignment = alignment | Qt.AlignmentFlag.AlignVCenter
        self._hint = QSize(self.fontMetrics().horizontalAdvance(sample) + 2 * MARGIN, 0)
        self._hint.setHeight(self.fontMetrics().height() + 2)
        if colour is not None:
            palette = self.palette()
            palette.setColor(QPalette.ColorRole.WindowText, QColor(colour))
            self.setPalette(palette)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update()

    def clear(self) -> None:
        self.setText("")

    def sizeHint(self) -> QSize:
        return QSize(self._hint)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._hint.height())

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        rect = self.rect().adjusted(MARGIN, 0, -MARGIN, 0)
        shown = self.fontMetrics().elidedText(self._text, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(self._alignment), shown)


class SteadyRoom(QWidget):
    """A fixed-height place for a widget whose contents change (a rich-text legend): the
    widget sits outside any layout, so its new size hints stop here instead of re-laying out
    the window; it always fills the room."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.widget = widget
        widget.setParent(self)
        self.setFixedHeight(max(widget.sizeHint().height(), widget.fontMetrics().height() + 4))
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(0, self.height())

    def resizeEvent(self, event) -> None:
        self.widget.setGeometry(self.rect())
        super().resizeEvent(event)
