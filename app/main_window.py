"""The main window: palette, canvas, inspector and docks; menus, files, shortcuts, settings.

It owns no model state of its own: the Document holds the core Project and its undo stack;
the scene, the inspector and the problems list are views over it. The training dashboard and
the audition panel are loaded lazily and guarded: if their modules are missing or fail, the
window still opens and the dock says why.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app import autosave as autosave_mod
from app.autosave import Autosaver
from app.canvas.document import Document
from app.canvas.scene import NetworkScene
from app.canvas.view import CanvasView
from app.panels.inspector import Inspector
from app.panels.palette import Palette
from app.settings import Settings
from core import project as project_io
from core import templates
from core.errors import ProjectError
from core.project import Project

APP_NAME = "Layerwise"
LOCKED_DURING_TRAINING = (
    "Cannot delete blocks while training runs: the run uses a snapshot of the project. "
    "Stop training first (Shift+F5)."
)


# ---- prompts (one place, so tests can answer them) -----------------------------------------
class Dialogs:
    """Every question the window asks. Tests replace methods or monkeypatch QMessageBox."""

    def __init__(self, parent: QWidget):
        self.parent = parent

    def error(self, title: str, text: str) -> None:
        QMessageBox.critical(self.parent, title, text)

    def ask_save_changes(self, name: str) -> str:
        """ "save", "discard" or "cancel"."""
        answer = QMessageBox.question(
            self.parent,
            "Unsaved changes",
            f"Save the changes to {name}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        return {
            QMessageBox.StandardButton.Save: "save",
            QMessageBox.StandardButton.Discard: "discard",
        }.get(answer, "cancel")

    def ask_recover(self, autosave_file: Path, project_path) -> bool:
        what = f"“{project_path}”" if project_path else "an unsaved project"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(autosave_file.stat().st_mtime))
        answer = QMessageBox.question(
            self.parent,
            "Recover unsaved work?",
            f"Layerwise did not close cleanly last time. An autosave of {what} from {when} is "
            "newer than the saved project.\n\nRecover it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_stop_training(self) -> bool:
        answer = QMessageBox.question(
            self.parent,
            "Training is running",
            "A training run is in progress. Stop it and close? The last checkpoint is kept.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def open_file(self, folder: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self.parent, "Open project", folder, "Layerwise projects (*.json);;All files (*)"
        )
        return path or None

    def save_file(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self.parent, "Save project as", suggested, "Layerwise projects (*.json)"
        )
        return path or None

    def choose_template(self) -> str | None:
        dialog = TemplateDialog(self.parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


class TemplateDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("New project from a template")
        self.resize(560, 380)
        self.list = QListWidget(self)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        for name, description in templates.describe():
            item = QListWidgetItem(f"{name}\n{description}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(description)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda *_: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Start from one of the built-in projects:"))
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None


class PreferencesDialog(QDialog):
    """The audio output device and the SoundFont, kept in the settings file."""

    def __init__(self, settings: Settings, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.device = QComboBox(self)
        self.device.setEditable(True)
        self.device.addItem("")
        for name in _output_devices():
            self.device.addItem(name)
        self.device.setCurrentText(settings.audio_device)
        self.device.lineEdit().setPlaceholderText("the system default")
        self.device.setToolTip("The sound card to play through; empty: the system default")
        self.soundfont = QLineEdit(settings.soundfont, self)
        self.soundfont.setPlaceholderText("the built-in General MIDI SoundFont")
        self.soundfont.setToolTip("A .sf2 file FluidSynth renders MIDI with")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.soundfont, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Audio output", self.device)
        form.addRow("SoundFont", row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 140)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a SoundFont", self.soundfont.text(), "SoundFonts (*.sf2 *.sf3)"
        )
        if path:
            self.soundfont.setText(path)

    def accept(self) -> None:
        self.settings.audio_device = self.device.currentText().strip()
        self.settings.soundfont = self.soundfont.text().strip()
        self.settings.sync()
        super().accept()


def _output_devices() -> list[str]:
    """Names of the audio outputs, when sounddevice and PortAudio are there."""
    try:
        import sounddevice

        return [d["name"] for d in sounddevice.query_devices() if d["max_output_channels"] > 0]
    except Exception:  # noqa: BLE001 - no PortAudio, no devices: type a name instead
        return []


# ---- TensorFlow warm-up --------------------------------------------------------------------
class KerasWarmUp(QThread):
    """Imports Keras/TensorFlow on a worker thread after the window is shown."""

    finished_loading = Signal(str)  # "" on success, else the error

    def run(self):
        try:
            from core.keras_env import load_keras

            load_keras()
        except Exception as exc:  # noqa: BLE001 - reported in the status bar
            self.finished_loading.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished_loading.emit("")


class _PanelError(QLabel):
    def __init__(self, what: str, reason: str):
        super().__init__(f"<b>{what} is not available.</b><br>{reason}")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("inertPanel")
        self.setMargin(16)


def _default_panel_factories() -> dict:
    def dashboard(parent):
        from app.panels.dashboard import TrainingDashboard

        return TrainingDashboard(parent)

    def audition(parent):
        from app.panels.audition import AuditionPanel

        return AuditionPanel(parent)

    return {"dashboard": dashboard, "audition": audition}


class MainWindow(QMainWindow):
    """``panels``: ``"auto"`` loads the real dashboard and audition panels; a dict of
    factories (``{"dashboard": f, "audition": g}``, each ``f(parent) -> QWidget``) replaces
    them; missing keys leave an inert dock. ``defer_panels`` loads them after the first show
    (the launcher does this so the window appears before pyqtgraph loads)."""

    keras_ready = Signal(bool)

    def __init__(
        self,
        project_path=None,
        *,
        settings: Settings | None = None,
        dialogs: Dialogs | None = None,
        panels="auto",
        defer_panels: bool = False,
        warm_up: bool = False,
        autosave_interval_ms: int = autosave_mod.INTERVAL_MS,
    ):
        super().__init__()
        self.setObjectName("MainWindow")
        self.settings = settings or Settings()
        self.dialogs = dialogs or Dialogs(self)
        self._panel_factories = _default_panel_factories() if panels == "auto" else dict(panels)
        self._panels_loaded = False
        self._warm_up_wanted = warm_up
        self.warm_up_thread: KerasWarmUp | None = None
        self.keras_loaded = False
        self._after_show_done = False
        self.started = False  # after_show() has run: panels loaded, questions asked
        self._startup_error: str | None = None
        self.dashboard = None
        self.audition = None
        self.training_running = False
        self.last_message = ""
        self.setAcceptDrops(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )
        self.setWindowIcon(_icon("layerwise"))

        self.doc = Document(parent=self)
        self.scene = NetworkScene(self.doc, self)
        self.view = CanvasView(self.scene, self)
        self.setCentralWidget(self.view)
        self.palette = Palette(self)
        self.inspector = Inspector(self.doc, self)
        self.problems = QListWidget(self)
        self.problems.setObjectName("problems")

        self.palette_dock = self._dock(
            "Blocks", "paletteDock", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.inspector_dock = self._dock(
            "Inspector", "inspectorDock", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.dashboard_dock = self._dock(
            "Training",
            "dashboardDock",
            _PanelError("The training dashboard", "Loading…"),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.audition_dock = self._dock(
            "Audition",
            "auditionDock",
            _PanelError("The audition panel", "Loading…"),
            Qt.DockWidgetArea.BottomDockWidgetArea,
        )
        self.problems_dock = self._dock(
            "Problems", "problemsDock", self.problems, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.dashboard_dock, self.audition_dock)
        self.tabifyDockWidget(self.audition_dock, self.problems_dock)
        self.dashboard_dock.raise_()
        self.resizeDocks(
            [self.palette_dock, self.inspector_dock], [210, 320], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.dashboard_dock], [250], Qt.Orientation.Vertical)

        self.status_label = QLabel()
        self.status_label.setObjectName("validity")
        self.statusBar().addPermanentWidget(self.status_label)
        self.keras_label = QLabel("TensorFlow: not loaded")
        self.keras_label.setObjectName("kerasState")
        self.statusBar().addPermanentWidget(self.keras_label)

        self._make_actions()
        self._make_menus()
        self.view.context_actions = [
            self.act_copy,
            self.act_paste,
            self.act_delete,
            None,
            self.act_tidy,
            self.act_fit,
        ]

        self.doc.changed.connect(self._on_doc_changed)
        self.doc.message.connect(self.show_message)
        self.doc.undo_stack.cleanChanged.connect(self._update_title)
        self.scene.selectedBlocksChanged.connect(self.inspector.set_selection)
        self.scene.selectedBlocksChanged.connect(self._update_actions)
        self.palette.blockActivated.connect(self.add_block)
        self.view.spaceTapped.connect(self.toggle_play)
        self.problems.itemActivated.connect(self._on_problem_activated)
        self.problems.itemClicked.connect(self._on_problem_activated)
        self.autosaver = Autosaver(self.doc, self, interval_ms=autosave_interval_ms)
        self.autosaver.failed.connect(self.show_message)

        self._load_initial(project_path)
        self._restore_settings()
        if not defer_panels:
            self.load_panels()
        self._on_doc_changed()
        self._update_actions()

    # ---- construction -----------------------------------------------------------------
    def _dock(self, title, name, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text, slot, shortcuts=(), tip="", icon=None) -> QAction:
        action = QAction(text, self)
        if shortcuts:
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if icon:
            action.setIcon(_icon(icon))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _make_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.act_new = self._action(
            "&New from template…",
            self.new_from_template,
            [QKeySequence(K.New)],
            "Start a project from a template",
        )
        self.act_open = self._action(
            "&Open…", self.open_dialog, [QKeySequence(K.Open)], "Open a project file"
        )
        self.act_save = self._action("&Save", self.save, [QKeySequence(K.Save)], "Save the project")
        self.act_save_as = self._action(
            "Save &As…", self.save_as, ["Ctrl+Shift+S"], "Save the project under a new name"
        )
        self.act_quit = self._action("&Quit", self.close, [QKeySequence(K.Quit)])
        self.act_undo = self.doc.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.act_redo = self.doc.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addAction(self.act_undo)
        self.addAction(self.act_redo)
        self.act_copy = self._action(
            "&Copy", self.copy, ["Ctrl+C"], "Copy the selected blocks and the wires between them"
        )
        self.act_paste = self._action("&Paste", self.paste, ["Ctrl+V"], "Paste blocks")
        self.act_delete = self._action(
            "&Delete",
            self.delete_selection,
            ["Delete", "Backspace"],
            "Delete the selected blocks and wires",
        )
        self.act_select_all = self._action("Select &All", self.select_all, ["Ctrl+A"])
        self.act_zoom_in = self._action("Zoom &In", self.view.zoom_in, ["Ctrl+=", "Ctrl++"])
        self.act_zoom_out = self._action("Zoom &Out", self.view.zoom_out, ["Ctrl+-"])
        self.act_fit = self._action(
            "&Fit Network", self.view.fit, ["Ctrl+0"], "Zoom to show the whole network"
        )
        self.act_actual = self._action("Actual Si&ze", self.view.reset_zoom, ["Ctrl+1"])
        self.act_tidy = self._action(
            "&Tidy Layout",
            self.tidy,
            ["Ctrl+L"],
            "Arrange the blocks in layers from input to output",
        )
        self.act_train = self._action(
            "&Start Training",
            self.start_training,
            ["F5"],
            "Pretrain and fine-tune the network (F5)",
        )
        self.act_stop = self._action(
            "S&top Training",
            self.stop_training,
            ["Shift+F5"],
            "Stop the run; the last checkpoint is kept",
        )
        self.act_play = self._action(
            "&Play / Stop", self.toggle_play, ["Space"], "Play or stop the generated piece"
        )
        self.act_about = self._action("&About Layerwise", self.about)
        self.act_preferences = self._action(
            "Pre&ferences…", self.preferences, tip="Audio output and SoundFont"
        )

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.act_new)
        file_menu.addAction(self.act_open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.act_save)
        file_menu.addAction(self.act_save_as)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit = bar.addMenu("&Edit")
        for action in (
            self.act_undo,
            self.act_redo,
            None,
            self.act_copy,
            self.act_paste,
            self.act_delete,
            None,
            self.act_select_all,
            None,
            self.act_preferences,
        ):
            edit.addSeparator() if action is None else edit.addAction(action)
        view = bar.addMenu("&View")
        for action in (
            self.act_zoom_in,
            self.act_zoom_out,
            self.act_fit,
            self.act_actual,
            None,
            self.act_tidy,
            None,
        ):
            view.addSeparator() if action is None else view.addAction(action)
        for dock in (
            self.palette_dock,
            self.inspector_dock,
            self.dashboard_dock,
            self.audition_dock,
            self.problems_dock,
        ):
            view.addAction(dock.toggleViewAction())
        run = bar.addMenu("&Run")
        run.addAction(self.act_train)
        run.addAction(self.act_stop)
        run.addSeparator()
        run.addAction(self.act_play)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_about)
        self._fill_recent_menu()

    # ---- start-up ---------------------------------------------------------------------
    def _load_initial(self, project_path) -> None:
        project = None
        if project_path:
            try:
                project = project_io.load(project_path)
                self.settings.add_recent(project_path)
            except ProjectError as exc:
                self._startup_error = str(exc)
        if project is None:
            project = templates.load(templates.EXAMPLE)
        self.doc.set_project(project)
        self._update_title()
        QTimer.singleShot(0, self.view.fit)

    def showEvent(self, event):
        super().showEvent(event)
        if not self._after_show_done:
            self._after_show_done = True
            QTimer.singleShot(0, self.after_show)

    @Slot()
    def after_show(self) -> None:
        """Work that must not delay the first frame: panels, questions, TensorFlow."""
        self.view.fit()
        if not self._panels_loaded:
            self.load_panels()
        if self._startup_error:
            message, self._startup_error = self._startup_error, None
            self.dialogs.error("Cannot open project", message)
        self.check_autosave()
        if self._warm_up_wanted:
            self.start_warm_up()
        self.started = True

    def load_panels(self) -> None:
        if self._panels_loaded:
            return
        self._panels_loaded = True
        self.dashboard = self._make_panel(
            "dashboard", "The training dashboard", self.dashboard_dock
        )
        self.audition = self._make_panel("audition", "The audition panel", self.audition_dock)
        if self.settings.window_state is None and self.dashboard is not None:
            self.resizeDocks(
                [self.dashboard_dock],
                [max(220, int(self.height() * 0.42))],
                Qt.Orientation.Vertical,
            )
        QTimer.singleShot(0, self.view.fit)
        if self.dashboard is not None:
            for name, slot in (
                ("blockStateChanged", self._on_block_state),
                ("runningChanged", self._on_running_changed),
                ("runStarted", self._on_run_started),
                ("runFinished", self._on_run_finished),
            ):
                signal = getattr(self.dashboard, name, None)
                if signal is not None:
                    signal.connect(slot)
            failed = getattr(self.dashboard, "runFailed", None)
            if failed is not None:
                failed.connect(self._on_run_failed)
            self.doc.projectReplaced.connect(self._give_dashboard_project)
            self.scene.selectedBlocksChanged.connect(self._give_dashboard_selection)
            self._give_dashboard_project()
        self._give_audio_settings()
        self._update_actions()

    def _make_panel(self, key, what, dock):
        factory = self._panel_factories.get(key)
        if factory is None:
            dock.setWidget(_PanelError(what, "It is not part of this build yet."))
            return None
        try:
            widget = factory(dock)
        except Exception as exc:  # noqa: BLE001 - a broken panel must not stop the window
            dock.setWidget(
                _PanelError(what, f"It failed to load: {type(exc).__name__}: {_esc(str(exc))}")
            )
            return None
        # The panels are rich; a scroll area keeps their minimum size from squeezing the
        # canvas when the dock is short.
        scroller = QScrollArea(dock)
        scroller.setWidgetResizable(True)
        scroller.setFrameShape(QScrollArea.Shape.NoFrame)
        scroller.setWidget(widget)
        dock.setWidget(scroller)
        return widget

    def check_autosave(self) -> bool:
        """Offer back an autosave newer than the open project (left by a crash)."""
        path = self.doc.project.path
        pending = autosave_mod.pending_autosave(path)
        if pending is None:
            return False
        if not self.dialogs.ask_recover(pending, path):
            autosave_mod.discard(path)
            return False
        try:
            project = autosave_mod.load_autosave(pending)
        except ProjectError as exc:
            self.dialogs.error("Cannot recover the autosave", str(exc))
            autosave_mod.discard(path)
            return False
        self.doc.set_project(project)
        self.doc.undo_stack.resetClean()  # recovered work is unsaved work
        self._update_title()
        self.show_message("Recovered the autosaved project. Save it to keep it.")
        return True

    def start_warm_up(self) -> None:
        if self.warm_up_thread is not None:
            return
        self.keras_label.setText("TensorFlow: loading…")
        self.warm_up_thread = KerasWarmUp(self)
        self.warm_up_thread.finished_loading.connect(self._on_keras_loaded)
        self.warm_up_thread.start(QThread.Priority.LowPriority)

    @Slot(str)
    def _on_keras_loaded(self, error: str) -> None:
        self.keras_loaded = not error
        if error:
            self.keras_label.setText("TensorFlow: failed")
            self.keras_label.setToolTip(error)
            self.show_message(f"TensorFlow could not be loaded: {error}")
        else:
            self.keras_label.setText("TensorFlow: ready")
        self.keras_ready.emit(self.keras_loaded)

    # ---- title, status, validity --------------------------------------------------------
    def _display_name(self) -> str:
        path = self.doc.project.path
        return Path(path).name if path else f"{self.doc.project.name} (unsaved)"

    def _update_title(self, *_):
        self.setWindowTitle(f"{self._display_name()}[*] — {APP_NAME}")
        self.setWindowModified(not self.doc.undo_stack.isClean())

    @Slot(str)
    def show_message(self, text: str) -> None:
        self.last_message = text
        self.statusBar().showMessage(text, 10000)

    def _on_doc_changed(self) -> None:
        report = self.doc.report
        self.problems.clear()
        for problem in report.problems:
            item = QListWidgetItem(
                ("⚠ " + problem.block + ": " if problem.block else "⚠ ") + problem.message
            )
            item.setData(Qt.ItemDataRole.UserRole, problem.block)
            item.setToolTip(problem.message)
            self.problems.addItem(item)
        n = len(report.problems)
        if n:
            self.status_label.setText(f"⚠ {n} problem{'s' if n > 1 else ''}")
            self.status_label.setProperty("bad", True)
            self.status_label.setToolTip("\n".join(str(p) for p in report.problems[:20]))
            self.problems_dock.setWindowTitle(f"Problems ({n})")
        else:
            self.status_label.setText(f"✓ Valid · {report.total_params:,} parameters")
            self.status_label.setProperty("bad", False)
            self.status_label.setToolTip("")
            self.problems_dock.setWindowTitle("Problems")
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self._update_title()

    def _on_problem_activated(self, item) -> None:
        block_id = item.data(Qt.ItemDataRole.UserRole)
        if block_id and block_id in self.scene.blocks:
            self.scene.select_blocks([block_id])
            self.view.centerOn(self.scene.blocks[block_id])

    def _update_actions(self, *_) -> None:
        running = self.training_running
        has_dashboard = self.dashboard is not None
        self.act_train.setEnabled(has_dashboard and not running)
        self.act_stop.setEnabled(has_dashboard and running)

    # ---- editing ------------------------------------------------------------------------
    @Slot(str)
    def add_block(self, type_name: str) -> str:
        block_id = self.scene.add_block(type_name)
        item = self.scene.blocks.get(block_id)
        if item is not None:
            self.view.ensureVisible(item)
        return block_id

    def delete_selection(self) -> None:
        self.scene.delete_selection()

    def copy(self) -> None:
        if self.scene.copy_selection():
            self.show_message(f"Copied {len(self.scene.selected_block_ids())} block(s).")

    def paste(self) -> None:
        self.scene.paste()

    def select_all(self) -> None:
        for item in self.scene.items():
            if item.flags() & item.GraphicsItemFlag.ItemIsSelectable:
                item.setSelected(True)

    def tidy(self) -> None:
        if self.scene.tidy():
            QTimer.singleShot(0, self.view.fit)

    # ---- files --------------------------------------------------------------------------
    def maybe_save_changes(self) -> bool:
        """True when it is fine to replace or close the project."""
        if self.doc.undo_stack.isClean():
            return True
        answer = self.dialogs.ask_save_changes(self._display_name())
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _replace_project(self, project: Project) -> None:
        old_path = self.doc.project.path
        self.autosaver.discard(old_path)
        self.scene.reset_states()
        self.doc.set_project(project)
        self._update_title()
        QTimer.singleShot(0, self.view.fit)

    def new_from_template(self) -> bool:
        name = self.dialogs.choose_template()
        if not name:
            return False
        if not self.maybe_save_changes():
            return False
        try:
            project = templates.load(name)
        except ProjectError as exc:
            self.dialogs.error("Cannot create project", str(exc))
            return False
        self._replace_project(project)
        self.show_message(f"New project from the template {name}.")
        return True

    def open_dialog(self) -> bool:
        folder = str(Path(self.doc.project.path).parent) if self.doc.project.path else ""
        path = self.dialogs.open_file(folder or str(Path.home()))
        return self.open_path(path) if path else False

    def open_path(self, path) -> bool:
        """Open a project file; on any problem say why and keep the current project."""
        try:
            project = project_io.load(path)
        except ProjectError as exc:
            self.dialogs.error("Cannot open project", str(exc))
            return False
        if not self.maybe_save_changes():
            return False
        self._replace_project(project)
        self.settings.add_recent(path)
        self._fill_recent_menu()
        self.show_message(f"Opened {path}")
        self.check_autosave()
        return True

    def save(self) -> bool:
        if self.doc.project.path is None:
            return self.save_as()
        return self.save_to(self.doc.project.path)

    def save_as(self) -> bool:
        project = self.doc.project
        suggested = (
            str(project.path) if project.path else str(Path.home() / f"{_slug(project.name)}.json")
        )
        path = self.dialogs.save_file(suggested)
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"
        return self.save_to(path)

    def save_to(self, path) -> bool:
        old_path = self.doc.project.path
        try:
            project_io.save(self.doc.project, path)
        except ProjectError as exc:
            self.dialogs.error("Cannot save project", str(exc))
            return False
        self.autosaver.discard(old_path)
        self.autosaver.discard(path)
        self.doc.undo_stack.setClean()
        self.settings.add_recent(path)
        self._fill_recent_menu()
        self._update_title()
        self.show_message(f"Saved {path}")
        return True

    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_files()
        for path in recent:
            action = menu.addAction(_short(path))
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        if recent:
            menu.addSeparator()
            menu.addAction("Clear Menu", self._clear_recent)
        else:
            menu.addAction("(no recent projects)").setEnabled(False)

    def _open_recent(self, path: str) -> None:
        if not os.path.exists(path):
            self.settings.remove_recent(path)
        self.open_path(path)

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._fill_recent_menu()

    # ---- drag and drop of project files ---------------------------------------------------
    def dragEnterEvent(self, event):
        mime = event.mimeData()
        if mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        self.dragEnterEvent(event)

    def dropEvent(self, event):
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        QTimer.singleShot(0, lambda: self.open_path(files[0]))

    # ---- training and audition --------------------------------------------------------
    def start_training(self) -> bool:
        if self.dashboard is None:
            self.show_message("Training is not available: the training dashboard did not load.")
            return False
        if self.training_running:
            self.show_message("Training is already running.")
            return False
        if not self.doc.report.ok:
            first = self.doc.report.problems[0]
            self.show_message(f"Fix the network first: {first}")
            self.problems_dock.raise_()
            return False
        project = self.doc.project.copy()
        pretraining = bool(project.training.get("pretraining", {}).get("enabled", True))
        self.scene.reset_states()
        self.dashboard_dock.raise_()
        try:
            self.dashboard.start(project, pretraining=pretraining)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_message(f"Training could not start: {exc}")
            return False
        self.show_message("Training started (Shift+F5 stops it).")
        return True

    def stop_training(self) -> None:
        if self.dashboard is not None and self.training_running:
            self.dashboard.stop()
            self.show_message("Stopping training…")

    @Slot(str, str)
    def _on_block_state(self, block_id: str, state: str) -> None:
        self.scene.set_block_state(block_id, state)

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        self.training_running = bool(running)
        self.doc.locked_reason = LOCKED_DURING_TRAINING if running else None
        self._update_actions()

    @Slot()
    def _give_dashboard_project(self) -> None:
        if self.dashboard is not None and hasattr(self.dashboard, "set_project"):
            try:
                self.dashboard.set_project(self.doc.project)
            except Exception as exc:  # noqa: BLE001
                self.show_message(f"The training dashboard could not take the project: {exc}")

    @Slot(list)
    def _give_dashboard_selection(self, ids: list) -> None:
        if self.dashboard is not None and hasattr(self.dashboard, "select_block"):
            with contextlib.suppress(Exception):  # a view nicety only
                self.dashboard.select_block(ids[0] if len(ids) == 1 else None)

    @Slot(str, str)
    def _on_run_failed(self, message: str, block: str = "") -> None:
        self.show_message(f"Training failed{' in ' + block if block else ''}: {message}")
        if block and block in self.scene.blocks:
            self.scene.select_blocks([block])

    @Slot(str)
    def _on_run_started(self, run_dir: str) -> None:
        # Snapshots of earlier epochs can be auditioned while the run goes on.
        self._give_audition_run(run_dir)

    @Slot(str)
    def _on_run_finished(self, run_dir: str) -> None:
        self.show_message(f"Training finished: {run_dir}")
        self._give_audition_run(run_dir)

    def _give_audition_run(self, run_dir: str) -> None:
        if self.audition is not None and hasattr(self.audition, "set_run"):
            try:
                self.audition.set_run(run_dir)
            except Exception as exc:  # noqa: BLE001
                self.show_message(f"The audition panel could not open the run: {exc}")

    def toggle_play(self) -> None:
        focus = self.focusWidget()
        if isinstance(focus, QLineEdit | QAbstractSpinBox | QTextEdit | QPlainTextEdit) or (
            isinstance(focus, QComboBox) and focus.isEditable()
        ):
            return
        if isinstance(focus, QAbstractButton) and focus.window() is self:
            focus.click()  # Space on a focused button or check box keeps its meaning
            return
        if isinstance(focus, QComboBox) and focus.window() is self:
            focus.showPopup()
            return
        if self.audition is None:
            self.show_message("Playback is not available: the audition panel did not load.")
            return
        try:
            self.audition.toggle_play()
        except Exception as exc:  # noqa: BLE001
            self.show_message(f"Cannot play: {exc}")

    # ---- settings and closing ---------------------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.geometry
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 880)
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)

    def save_settings(self) -> None:
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.settings.sync()

    def closeEvent(self, event):
        if self.training_running and self.dashboard is not None:
            if not self.dialogs.ask_stop_training():
                event.ignore()
                return
            try:
                self.dashboard.stop_and_wait(30.0)
            except Exception as exc:  # noqa: BLE001
                self.show_message(f"Stopping training failed: {exc}")
        if not self.maybe_save_changes():
            event.ignore()
            return
        self.save_settings()
        self.autosaver.stop()
        self.autosaver.discard()
        event.accept()

    def preferences(self) -> bool:
        dialog = PreferencesDialog(self.settings, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        self._give_audio_settings()
        self.show_message("Preferences saved.")
        return True

    def _give_audio_settings(self) -> None:
        """Hand the audio device and SoundFont to the audition panel if it takes them."""
        panel = self.audition
        for method, value in (
            ("set_audio_device", self.settings.audio_device),
            ("set_soundfont", self.settings.soundfont),
        ):
            if panel is not None and hasattr(panel, method):
                try:
                    getattr(panel, method)(value or None)
                except Exception as exc:  # noqa: BLE001
                    self.show_message(f"The audition panel refused {method}: {exc}")

    def about(self) -> None:
        import core

        QMessageBox.about(
            self,
            "About Layerwise",
            f"<b>Layerwise {core.__version__}</b><br>A workbench for deep learning on music: "
            "build a network from blocks, pretrain it layer by layer, fine-tune it, listen to "
            "what it learned and export it.",
        )

    def event(self, event):
        if event.type() == QEvent.Type.WindowActivate:
            self._update_actions()
        return super().event(event)


def _icon(name: str) -> QIcon:
    from importlib import resources

    try:
        path = resources.files("resources") / "icons" / f"{name}.svg"
        return QIcon(str(path)) if path.is_file() else QIcon()
    except (FileNotFoundError, OSError, ModuleNotFoundError):
        return QIcon()


def _short(path: str) -> str:
    home = str(Path.home())
    return "~" + path[len(home) :] if path.startswith(home + os.sep) else path


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-") or (
        "project"
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
