"""One editing widget per ``Param`` kind, built from its declaration: the inspector's rows.

An ``Editor`` shows a value (``set``: model -> widget) and hands every change the user makes
to its commit hook; it never writes to the project itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from core.catalog import Param


class FloatBox(QDoubleSpinBox):
    """A spin box that shows floats compactly (0.001, 1e-05) and steps by a sensible amount."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(10)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def _number(self, text: str) -> str:
        """The number in ``text``, without the box's prefix and suffix (a unit)."""
        return text.removeprefix(self.prefix()).removesuffix(self.suffix()).strip()

    def valueFromText(self, text: str) -> float:
        try:
            return float(self._number(text) or 0)
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        try:
            value = float(self._number(text))
        except ValueError:
            return (QValidator.State.Intermediate, text, pos)
        if self.minimum() <= value <= self.maximum():
            return (QValidator.State.Acceptable, text, pos)
        return (QValidator.State.Intermediate, text, pos)

    def stepBy(self, steps: int) -> None:
        value = self.value()
        magnitude = 10 ** math.floor(math.log10(abs(value))) if value else 0.01
        self.setValue(value + steps * magnitude)


_PLACEHOLDERS = {
    "shape": "e.g. 32, 48 (None: any length)",
    "ints": "e.g. 32, 48",
    "interval": "low, high (e.g. -5, 6)",
}


def _format_list(value) -> str:
    if not isinstance(value, list | tuple):
        return str(value)
    return ", ".join("None" if v is None else str(v) for v in value)


def _parse_list(text: str):
    items = [
        t.strip()
        for t in text.replace("(", "").replace(")", "").replace("[", "").replace("]", "").split(",")
        if t.strip()
    ]
    out = []
    for item in items:
        if item.lower() == "none":
            out.append(None)
            continue
        try:
            out.append(int(item))
        except ValueError:
            return text  # not a list of whole numbers: Param.check will say so
    return out


class Editor:
    """One editing widget for one Param, with ``set`` (model -> widget) and a commit hook.

    ``row`` is the layout a form shows: the field (and any buttons under it) over a message
    that says in words why the value is not acceptable (hidden while it is). ``widget``
    replaces the kind's plain widget (a spin box with a unit, say) by one of the same family."""

    def __init__(self, param: Param, value, commit: Callable[[object], None], widget=None):
        self.param = param
        self.commit = commit
        self.widget = widget if widget is not None else self._make(param)
        self.widget.setToolTip(param.help)
        self.widget.setObjectName(f"edit_{param.name}")
        self._own_problem: str | None = None  # the text typed does not parse or check
        self._report_problem: str | None = None  # the validator's word on the stored value
        self.row, self._buttons, self.message = self._make_row()
        self.set(value)
        self._connect()

    def _make_row(self) -> tuple[QVBoxLayout, QHBoxLayout, QLabel]:
        # a layout, not a widget: the field keeps the form's box as its parent
        row = QVBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(3)
        line = QHBoxLayout()  # the field grows with the form as a field of its own would
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.widget, 1)
        row.addLayout(line)
        buttons = QHBoxLayout()  # under the field, so a path keeps the row's width
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(4)
        row.addLayout(buttons)
        message = QLabel()
        message.setObjectName("fieldProblem")
        message.setWordWrap(True)
        message.setStyleSheet("color: #c62828;")
        message.hide()
        row.addWidget(message)
        return row, buttons, message

    def set_row_visible(self, form: QFormLayout, visible: bool) -> None:
        """Show or hide this editor's row of ``form`` (its message only when it has one)."""
        form.setRowVisible(self.row, visible)
        if visible:
            self._show_problem()

    def add_button(self, text: str, clicked: Callable[[], None]) -> QPushButton:
        """A button under the field (Browse…, Import…)."""
        button = QPushButton(text)
        button.setObjectName(f"{self.param.name}_{text.strip('…. ').lower()}")
        button.clicked.connect(lambda _=False: clicked())
        if not self._buttons.count():
            self._buttons.addStretch(1)
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        return button

    @property
    def problem(self) -> str | None:
        """Why the field is invalid, in words, or None."""
        return self._own_problem or self._report_problem

    def show_report_problem(self, message: str | None) -> None:
        """The validator's message about this field's stored value (None: no problem)."""
        self._report_problem = message
        self._show_problem()

    def _show_problem(self) -> None:
        problem = self.problem
        self.message.setText(f"⚠ {problem}" if problem else "")
        self.message.setVisible(bool(problem) and not self.widget.isHidden())
        tip = f"{problem}\n\n{self.param.help}" if problem else self.param.help
        self.widget.setToolTip(tip)
        if bool(self.widget.property("invalid")) != bool(problem):
            self.widget.setProperty("invalid", bool(problem))
            self.widget.style().unpolish(self.widget)
            self.widget.style().polish(self.widget)

    def _make(self, param: Param):
        kind = param.kind
        if kind == "int":
            return self._int_box(param)
        if kind == "float":
            box = FloatBox()
            box.setRange(
                -1e12 if param.minimum is None else float(param.minimum),
                1e12 if param.maximum is None else float(param.maximum),
            )
            return box
        if kind == "bool":
            return QCheckBox()
        if kind == "choice":
            combo = QComboBox()
            for choice in param.choices:
                combo.addItem(str(choice), choice)
            return combo
        edit = QLineEdit()
        edit.setPlaceholderText(_PLACEHOLDERS.get(kind, param.unset or ""))
        return edit

    @staticmethod
    def _int_box(param: Param) -> QSpinBox:
        box = QSpinBox()
        box.setKeyboardTracking(False)
        # a spin box holds 32-bit values: a wider declared range (seeds) is cut to fit
        lo = -(2**31) + 1 if param.minimum is None else max(int(param.minimum), -(2**31) + 1)
        hi = 2**31 - 1 if param.maximum is None else min(int(param.maximum), 2**31 - 1)
        if param.unset is not None:
            lo -= 1  # one step below the range stands for "unset"
            box.setSpecialValueText(param.unset)
        box.setRange(lo, hi)
        return box

    def _unset_value(self) -> int | None:
        """The spin box value that stands for None, for a parameter that may be unset."""
        if self.param.unset is None or not isinstance(self.widget, QSpinBox):
            return None
        return self.widget.minimum()

    def _connect(self) -> None:
        w = self.widget
        if isinstance(w, QSpinBox):
            unset = self._unset_value()
            w.valueChanged.connect(lambda v: self.commit(None if v == unset else v))
        elif isinstance(w, QDoubleSpinBox):
            w.valueChanged.connect(lambda v: self.commit(v))
        elif isinstance(w, QCheckBox):
            w.toggled.connect(lambda v: self.commit(bool(v)))
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(lambda i: self.commit(w.itemData(i)))
        else:
            w.editingFinished.connect(self._commit_text)

    def _commit_text(self) -> None:
        text = self.widget.text()
        if self.param.kind == "text":
            value = text.strip() or (None if self.param.unset is not None else "")
        else:
            value = _parse_list(text)
        problem = self.param.check(value)
        if problem:
            self._own_problem = f"{self.param.title} {problem}"
            self._show_problem()
            return
        self._mark_valid()
        self.commit(value)

    def _mark_valid(self) -> None:
        if self._own_problem:
            self._own_problem = None
            self._show_problem()

    def set(self, value) -> None:
        w = self.widget
        w.blockSignals(True)
        try:
            if isinstance(w, QSpinBox):
                if value is None and self._unset_value() is not None:
                    w.setValue(self._unset_value())
                elif isinstance(value, int) and not isinstance(value, bool):
                    w.setValue(value)
            elif isinstance(w, QDoubleSpinBox):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    w.setValue(float(value))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                index = w.findData(value)
                if index < 0:
                    w.addItem(f"{value} (unknown)", value)
                    index = w.count() - 1
                w.setCurrentIndex(index)
            elif self.param.kind == "text":
                if not w.hasFocus():
                    w.setText("" if value is None else str(value))
            else:
                text = _format_list(value)
                if not w.hasFocus() or _parse_list(w.text()) == value:
                    w.setText(text)
                    self._mark_valid()
        finally:
            w.blockSignals(False)
