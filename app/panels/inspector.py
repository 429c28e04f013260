"""The inspector: edits the selected block's parameters (and its pretraining settings), or,
with nothing selected, the project's training plan and data.

Every form is built from the catalog's declarations, one ``Editor`` per ``Param``; every
change is an undo command on the Document's stack, so the inspector never writes to the
project itself.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.canvas.commands import SetParam, SetSetting
from app.panels.field_problems import field_problems
from app.panels.inspector_audio import AudioForm
from app.panels.inspector_data import DataForm
from app.panels.param_editors import Editor
from app.wheel_guard import guard_wheel
from core import catalog
from core.catalog import (
    FINETUNE_PARAMS,
    PRETRAIN_PARAMS,
    PRETRAINING_SWITCH,
    TRAINING_PARAMS,
    Param,
)


class Inspector(DataForm, AudioForm, QScrollArea):
    """``dialogs`` gives the window's ``Dialogs`` when asked (Browse…, the MIDI import), so
    the answer always comes from the window's current one."""

    def __init__(self, doc, parent=None, dialogs: Callable[[], object] | None = None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.doc = doc
        self._dialogs = dialogs
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.selection: list[str] = []
        self._editors: list[tuple[Editor, Callable[[], object]]] = []
        self._problem_label: QLabel | None = None
        self._shown: tuple | None = None
        self._data_form: QFormLayout | None = None  # the project form's, to hide rows
        self._representation_box: QWidget | None = None
        self._audio_box: QWidget | None = None
        self._import_button = None
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
        self._data_form = None
        self._representation_box = None
        self._audio_box = None
        self._import_button = None
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
        guard_wheel(page)  # scrolling the panel never changes a value
        self._show_field_problems()

    def _add_problem_label(self, layout) -> None:
        self._problem_label = QLabel()
        self._problem_label.setObjectName("problems")
        self._problem_label.setTextFormat(Qt.TextFormat.RichText)
        self._problem_label.setWordWrap(True)
        layout.addWidget(self._problem_label)
        self._update_summary()

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

    def _add(
        self, form: QFormLayout, section: str, param: Param, read, commit, widget=None
    ) -> Editor:
        editor = Editor(param, read(), commit, widget)
        editor.section = section
        label = QLabel(param.title)
        label.setToolTip(param.help)
        form.addRow(label, editor.row)
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
        self._add_problem_label(layout)
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
            method = {"rbm": "RBM", "rnn-rbm": "RNN-RBM", "conv-rbm": "convolutional RBM"}.get(
                decl.pretrain, decl.pretrain
            )
            form = self._section(layout, f"Pretraining ({method})")
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
        self._add_problem_label(layout)
        self._build_training(layout)
        self._build_data(layout)

    def _build_training(self, layout) -> None:
        form = self._section(layout, "Training")
        self._add(
            form,
            "pretraining",
            PRETRAINING_SWITCH,
            lambda: self.doc.project.training.get("pretraining", {}).get("enabled", True),
            self._setting_writer(("training", "pretraining", "enabled"), "pretraining switch"),
        )
        for param in TRAINING_PARAMS:
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

    def _setting_writer(self, path: tuple, label: str | None = None):
        def write(value):
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
        if path[0] == "data":
            self._push_data_settings({path: value}, text)  # the Input follows the data
        else:
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
        self._show_data_rows()
        self._update_summary()
        self._show_field_problems()

    def _show_field_problems(self) -> None:
        """Under each field, the validator's word on its value (in the summary too)."""
        ids = [i for i in self.selection if self.doc.spec.has_block(i)]
        if len(ids) > 1:
            return
        found = field_problems(self.doc.report.problems, ids[0] if ids else None)
        for editor, _ in self._editors:
            text = found.get((editor.section, editor.param.name))
            editor.show_report_problem(f"{editor.param.title}: {text}" if text else None)

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
