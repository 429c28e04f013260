"""The inspector: edits the selected block's parameters (and its pretraining settings), or,
with nothing selected, the project's fine-tuning, data and pretraining switch.

One widget per ``Param`` kind, built from the catalog declaration; every change is an undo
command on the Document's stack, so the inspector never writes to the project itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.canvas.commands import SetParam, SetSetting
from core import catalog
from core.catalog import FINETUNE_PARAMS, PRETRAIN_PARAMS, Param

# The data sources core.data.representation accepts (kept here so the inspector does not
# import core.data, which pulls in numpy and the corpus code, on the way to the window).
SOURCES = ("bach-chorales", "folk-tunes", "maple-leaf-rag", "digits", "midi-folder", "npz")

DATA_PARAMS = (
    Param(
        "source", "choice", "bach-chorales", "where the training pieces come from", choices=SOURCES
    ),
    Param(
        "limit",
        "int",
        0,
        "use at most this many pieces (0: all of them)",
        minimum=0,
        maximum=1_000_000,
    ),
)
REPRESENTATION_PARAMS = (
    Param("steps_per_quarter", "int", 4, "time steps per quarter note", minimum=1, maximum=96),
    Param(
        "lowest_pitch",
        "int",
        36,
        "MIDI pitch of the piano roll's lowest row",
        minimum=0,
        maximum=127,
    ),
    Param(
        "pitch_count", "int", 48, "rows of the piano roll (pitches kept)", minimum=1, maximum=128
    ),
    Param("window_steps", "int", 16, "time steps in one training window", minimum=1, maximum=4096),
    Param(
        "hop_steps", "int", 4, "steps between the starts of two windows", minimum=1, maximum=4096
    ),
    Param("velocity", "bool", False, "keep note velocities (else notes are on or off)"),
)
PROJECT_PARAMS = (
    Param(
        "seed",
        "int",
        0,
        "random seed of the run (same seed, same result)",
        minimum=0,
        maximum=2**31 - 1,
    ),
)
PRETRAIN_SWITCH = Param(
    "enabled",
    "bool",
    True,
    "pretrain the pretrainable blocks greedily before fine-tuning",
    label="Greedy pretraining",
)


class FloatBox(QDoubleSpinBox):
    """A spin box that shows floats compactly (0.001, 1e-05) and steps by a sensible amount."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setDecimals(10)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip() or 0)
        except ValueError:
            return self.value()

    def validate(self, text, pos):
        try:
            value = float(text.strip())
        except ValueError:
            return (QValidator.State.Intermediate, text, pos)
        if self.minimum() <= value <= self.maximum():
            return (QValidator.State.Acceptable, text, pos)
        return (QValidator.State.Intermediate, text, pos)

    def stepBy(self, steps: int) -> None:
        value = self.value()
        magnitude = 10 ** math.floor(math.log10(abs(value))) if value else 0.01
        self.setValue(value + steps * magnitude)


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
    """One editing widget for one Param, with ``set`` (model -> widget) and a commit hook."""

    def __init__(self, param: Param, value, commit: Callable[[object], None]):
        self.param = param
        self.commit = commit
        self.widget = self._make(param)
        self.widget.setToolTip(param.help)
        self.widget.setObjectName(f"edit_{param.name}")
        self.set(value)
        self._connect()

    def _make(self, param: Param):
        kind = param.kind
        if kind == "int":
            box = QSpinBox()
            box.setKeyboardTracking(False)
            lo = -(2**31) if param.minimum is None else int(param.minimum)
            hi = 2**31 - 1 if param.maximum is None else int(param.maximum)
            box.setRange(lo, hi)
            return box
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
        edit.setPlaceholderText("e.g. 32, 48" + (" (None: any length)" if kind == "shape" else ""))
        return edit

    def _connect(self) -> None:
        w = self.widget
        if isinstance(w, QSpinBox | QDoubleSpinBox):
            w.valueChanged.connect(lambda v: self.commit(v))
        elif isinstance(w, QCheckBox):
            w.toggled.connect(lambda v: self.commit(bool(v)))
        elif isinstance(w, QComboBox):
            w.currentIndexChanged.connect(lambda i: self.commit(w.itemData(i)))
        else:
            w.editingFinished.connect(self._commit_text)

    def _commit_text(self) -> None:
        value = _parse_list(self.widget.text())
        problem = self.param.check(value)
        if problem:
            self.widget.setProperty("invalid", True)
            self.widget.setToolTip(f"{self.param.title} {problem}\n\n{self.param.help}")
            self.widget.style().unpolish(self.widget)
            self.widget.style().polish(self.widget)
            return
        self._mark_valid()
        self.commit(value)

    def _mark_valid(self) -> None:
        if self.widget.property("invalid"):
            self.widget.setProperty("invalid", False)
            self.widget.setToolTip(self.param.help)
            self.widget.style().unpolish(self.widget)
            self.widget.style().polish(self.widget)

    def set(self, value) -> None:
        w = self.widget
        w.blockSignals(True)
        try:
            if isinstance(w, QSpinBox):
                if isinstance(value, int) and not isinstance(value, bool):
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
            else:
                text = _format_list(value)
                if not w.hasFocus() or _parse_list(w.text()) == value:
                    w.setText(text)
                    self._mark_valid()
        finally:
            w.blockSignals(False)


class Inspector(QScrollArea):
    def __init__(self, doc, parent=None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.doc = doc
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.selection: list[str] = []
        self._editors: list[tuple[Editor, Callable[[], object]]] = []
        self._problem_label: QLabel | None = None
        self._shown: tuple | None = None
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        doc.changed.connect(self.refresh)
        doc.projectReplaced.connect(self._on_replaced)
        self.rebuild()

    def _on_replaced(self) -> None:
        self.selection = []
        self.rebuild()

    # ---- selection ----------------------------------------------------------------------
    def set_selection(self, ids: list[str]) -> None:
        ids = list(ids)
        if ids != self.selection:
            self.selection = ids
            self.rebuild()
        else:
            self.refresh()

    def editor(self, name: str, section: str | None = None) -> Editor | None:
        """The editor for parameter ``name`` (tests and keyboard users)."""
        for editor, _ in self._editors:
            if editor.param.name == name and (section is None or editor.section == section):
                return editor
        return None

    # ---- building -----------------------------------------------------------------------
    def rebuild(self) -> None:
        self._editors = []
        self._problem_label = None
        page = QWidget()
        page.setObjectName("inspectorPage")
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 8, 12, 8)
        layout.setSpacing(10)
        spec = self.doc.spec
        ids = [i for i in self.selection if spec.has_block(i)]
        if len(ids) == 1:
            self._build_block(layout, spec.block(ids[0]))
            self._shown = ("block", ids[0], spec.block(ids[0]).type)
        elif len(ids) > 1:
            title = QLabel(f"<b>{len(ids)} blocks selected</b>")
            layout.addWidget(title)
            hint = QLabel(
                "Select one block to edit its parameters. Delete removes them; "
                "Ctrl+C copies them with the wires between them."
            )
            hint.setWordWrap(True)
            hint.setObjectName("hint")
            layout.addWidget(hint)
            self._shown = ("many", tuple(ids))
        else:
            self._build_project(layout)
            self._shown = ("project",)
        layout.addStretch(1)
        self.setWidget(page)

    def _section(self, layout, title: str) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setContentsMargins(8, 6, 8, 8)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(5)
        layout.addWidget(box)
        return form

    def _add(self, form: QFormLayout, section: str, param: Param, read, commit) -> Editor:
        editor = Editor(param, read(), commit)
        editor.section = section
        label = QLabel(param.title)
        label.setToolTip(param.help)
        form.addRow(label, editor.widget)
        self._editors.append((editor, read))
        return editor

    def _build_block(self, layout, block) -> None:
        try:
            decl = catalog.get(block.type)
        except KeyError:
            decl = None
        head = QLabel(
            f"<span style='font-size:13pt'><b>{block.type}</b></span>"
            f"&nbsp;&nbsp;<span style='color:#5f6675'>{block.id}</span>"
        )
        head.setObjectName("inspectorTitle")
        layout.addWidget(head)
        if decl is not None:
            about = QLabel(decl.help)
            about.setWordWrap(True)
            about.setObjectName("hint")
            layout.addWidget(about)
        self._problem_label = QLabel()
        self._problem_label.setObjectName("problems")
        self._problem_label.setTextFormat(Qt.TextFormat.RichText)
        self._problem_label.setWordWrap(True)
        layout.addWidget(self._problem_label)
        self._update_summary()
        if decl is None:
            layout.addWidget(QLabel(f"Unknown block type '{block.type}': nothing to edit."))
            return
        if decl.params:
            form = self._section(layout, "Parameters")
            for param in decl.params:
                self._add(
                    form,
                    "params",
                    param,
                    self._block_reader(block.id, param),
                    self._block_writer(block.id, param.name),
                )
        if decl.pretrain:
            form = self._section(
                layout,
                f"Pretraining ({decl.pretrain.upper()})"
                if decl.pretrain == "rbm"
                else "Pretraining (autoencoder)",
            )
            for param in PRETRAIN_PARAMS[decl.pretrain]:
                self._add(
                    form,
                    "pretraining",
                    param,
                    self._pretrain_reader(block.id, param),
                    self._setting_writer(
                        ("training", "pretraining", "blocks", block.id, param.name),
                        f"{block.id} pretraining",
                    ),
                )

    def _build_project(self, layout) -> None:
        project = self.doc.project
        head = QLabel(f"<span style='font-size:13pt'><b>{project.name}</b></span>")
        head.setObjectName("inspectorTitle")
        layout.addWidget(head)
        hint = QLabel(
            "Nothing selected: these are the project's settings. Select a block "
            "to edit its parameters."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        layout.addWidget(hint)
        self._problem_label = QLabel()
        self._problem_label.setObjectName("problems")
        self._problem_label.setTextFormat(Qt.TextFormat.RichText)
        self._problem_label.setWordWrap(True)
        layout.addWidget(self._problem_label)
        self._update_summary()

        form = self._section(layout, "Training")
        self._add(
            form,
            "pretraining",
            PRETRAIN_SWITCH,
            lambda: self.doc.project.training.get("pretraining", {}).get("enabled", True),
            self._setting_writer(("training", "pretraining", "enabled"), "pretraining switch"),
        )
        for param in PROJECT_PARAMS:
            self._add(
                form,
                "training",
                param,
                lambda p=param: self.doc.project.training.get(p.name, p.default),
                self._setting_writer(("training", param.name)),
            )

        form = self._section(layout, "Fine-tuning")
        for param in FINETUNE_PARAMS:
            self._add(
                form,
                "finetune",
                param,
                lambda p=param: self.doc.project.finetune_settings().get(p.name, p.default),
                self._setting_writer(("training", "finetune", param.name)),
            )

        form = self._section(layout, "Data")
        self._add(
            form,
            "data",
            DATA_PARAMS[0],
            lambda: self.doc.project.data.get("source"),
            self._setting_writer(("data", "source")),
        )
        self._add(
            form,
            "data",
            DATA_PARAMS[1],
            lambda: self.doc.project.data.get("limit") or 0,
            self._setting_writer(("data", "limit"), convert=lambda v: v or None),
        )
        path_param = Param(
            "path",
            "shape",
            None,
            "the MIDI folder or .npz file (for the midi-folder and npz sources)",
        )
        path_edit = QLineEdit(self.doc.project.data.get("path") or "")
        path_edit.setPlaceholderText("folder or file (midi-folder / npz sources)")
        path_edit.setToolTip(path_param.help)
        path_edit.setObjectName("edit_path")
        path_edit.editingFinished.connect(
            lambda: self._commit_setting(("data", "path"), path_edit.text().strip() or None)
        )
        form.addRow(QLabel("Path"), path_edit)

        form = self._section(layout, "Representation")
        for param in REPRESENTATION_PARAMS:
            self._add(
                form,
                "representation",
                param,
                lambda p=param: self.doc.project.data.get("representation", {}).get(
                    p.name, p.default
                ),
                self._setting_writer(("data", "representation", param.name)),
            )

    # ---- readers and writers ------------------------------------------------------------
    def _block_reader(self, block_id: str, param: Param):
        def read():
            if not self.doc.spec.has_block(block_id):
                return param.default
            return self.doc.spec.block(block_id).params.get(param.name, param.default)

        return read

    def _block_writer(self, block_id: str, name: str):
        def write(value):
            if not self.doc.spec.has_block(block_id):
                return
            decl = catalog.get(self.doc.spec.block(block_id).type)
            current = decl.with_defaults(self.doc.spec.block(block_id).params).get(name)
            if current == value and name in self.doc.spec.block(block_id).params:
                return
            if current == value and type(current) is type(value):
                return
            self.doc.undo_stack.push(SetParam(self.doc, block_id, name, value))

        return write

    def _pretrain_reader(self, block_id: str, param: Param):
        def read():
            if not self.doc.spec.has_block(block_id):
                return param.default
            return self.doc.project.pretrain_settings(block_id).get(param.name, param.default)

        return read

    def _setting_writer(self, path: tuple, label: str | None = None, convert=None):
        def write(value):
            if convert is not None:
                value = convert(value)
            self._commit_setting(path, value, label)

        return write

    def _commit_setting(self, path: tuple, value, label: str | None = None) -> None:
        node = self.doc.project
        current = getattr(node, path[0], None)
        for key in path[1:]:
            current = current.get(key) if isinstance(current, dict) else None
        if current == value and type(current) is type(value):
            return
        if path[:3] == ("training", "pretraining", "blocks") and current is None:
            # an unset per-block setting shows its default; the same value changes nothing
            block_id, name = path[3], path[4]
            if self.doc.project.pretrain_settings(block_id).get(name) == value:
                return
        text = f"Set {label or '.'.join(str(p) for p in path[:-1])}: {path[-1]}"
        self.doc.undo_stack.push(SetSetting(self.doc, path, value, text=text))

    # ---- model -> widgets ---------------------------------------------------------------
    def refresh(self) -> None:
        spec = self.doc.spec
        ids = [i for i in self.selection if spec.has_block(i)]
        if ids != self.selection:
            self.selection = ids
            self.rebuild()
            return
        if (len(ids) == 1 and self._shown != ("block", ids[0], spec.block(ids[0]).type)) or (
            not ids and self._shown != ("project",)
        ):
            self.rebuild()
            return
        for editor, read in self._editors:
            editor.set(read())
        self._update_summary()

    def _update_summary(self) -> None:
        if self._problem_label is None:
            return
        report = self.doc.report
        ids = [i for i in self.selection if self.doc.spec.has_block(i)]
        if len(ids) == 1:
            block_id = ids[0]
            shape = report.shapes.get(block_id)
            count = report.params.get(block_id)
            lines = [
                f"Output shape: <b>{shape if shape is not None else '—'}</b>"
                + (f" &nbsp;·&nbsp; {count:,} parameters" if count is not None else "")
            ]
            problems = report.for_block(block_id)
        else:
            lines = [
                f"{len(self.doc.spec.blocks)} blocks &nbsp;·&nbsp; "
                f"{report.total_params:,} parameters"
            ]
            problems = [p for p in report.problems if p.block is None]
        for p in problems:
            lines.append(f"<span style='color:#c62828'>⚠ {_esc(p.message)}</span>")
        self._problem_label.setText("<br>".join(lines))


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
