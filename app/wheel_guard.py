"""The mouse wheel edits a field only when the field has focus.

Spin boxes, combo boxes and sliders take wheel events by default, so scrolling a form with
the wheel used to change whatever value passed under the pointer. ``guard_wheel`` gives such
fields strong focus (a click or Tab, never the wheel) and hands the wheel of an unfocused field
to the nearest scroll area, so the panel scrolls instead.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

GUARDED = (QAbstractSpinBox, QComboBox, QAbstractSlider)


class _WheelGuard(QObject):
    def eventFilter(self, watched, event) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus() or isinstance(watched, QScrollBar):
            return False
        area = _scroll_area_of(watched)
        if area is not None:
            QApplication.sendEvent(area.verticalScrollBar(), event)
        event.ignore()
        return True  # the value stays as it was


_GUARD: _WheelGuard | None = None


def _guard() -> _WheelGuard:
    global _GUARD
    if _GUARD is None:
        _GUARD = _WheelGuard(QApplication.instance())
    return _GUARD


def _scroll_area_of(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def guard_wheel(root: QWidget) -> int:
    """Guard every spin box, combo box and slider in ``root`` (and ``root`` itself); returns
    how many were guarded."""
    fields = [root] if isinstance(root, GUARDED) else []
    fields += [w for w in root.findChildren(QWidget) if isinstance(w, GUARDED)]
    fields = [w for w in fields if not isinstance(w, QScrollBar)]
    for widget in fields:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.removeEventFilter(_guard())
        widget.installEventFilter(_guard())
    return len(fields)
