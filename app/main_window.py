"""The main window: palette, canvas, inspector and docks; title, status and validity; the
editing commands; settings and closing.

It owns no model state of its own: the Document holds the core Project and its undo stack;
the scene, the inspector and the problems list are views over it. Its other parts live
beside it: the questions it asks (app.dialogs), its actions and menus (app.window_actions),
its project files (app.window_files), its dashboard and audition panels
(app.window_panels), and loading TensorFlow after the first show (app.keras_warm_up).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QLabel, QListWidget, QListWidgetItem, QMainWindow

from app import audio, autosave, window_actions
from app.autosave import Autosaver
from app.canvas.commands import SetSetting
from app.canvas.document import Document
from app.canvas.scene import NetworkScene
from app.canvas.view import CanvasView
from app.dialogs import Dialogs
from app.keras_warm_up import KerasWarmUp
from app.panels.dashboard.blocks import pretraining_enabled
from app.panels.inspector import Inspector
from app.panels.palette import Palette
from app.settings import Settings
from app.style import icon
from app.window_files import ProjectFiles
from app.window_modes import ModeHost
from app.window_panels import PanelError, PanelHost
from app.window_runs import RunsHost

APP_NAME = "Layerwise"

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea


def first_window_size() -> tuple[int, int]:
    """Most of the screen (the window is a workbench); 1400×880 when there is no screen."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return 1400, 880
    room = screen.availableGeometry()
    return max(800, int(room.width() * 0.92)), max(600, int(room.height() * 0.92))


class MainWindow(ModeHost, ProjectFiles, PanelHost, RunsHost, QMainWindow):
    """``panels``: ``"auto"`` loads the real dashboard and audition panels; a dict of
    factories (``{"dashboard": f, "audition": g}``, each ``f(parent) -> QWidget``) replaces
    them; missing keys leave an inert dock. ``defer_panels`` loads them after the first show
    (the launcher does this so the window appears before pyqtgraph loads)."""

    keras_ready = Signal(bool)
    modeChanged = Signal(str)
    audioUnderrun = (
        Signal()
    )  # emitted on the audio thread: playback stuttered  # the mode's value: "build", "train", ...

    def __init__(
        self,
        project_path=None,
        *,
        settings: Settings | None = None,
        dialogs: Dialogs | None = None,
        panels="auto",
        defer_panels: bool = False,
        warm_up: bool = False,
        autosave_interval_ms: int = autosave.INTERVAL_MS,
    ):
        super().__init__()
        self.setObjectName("MainWindow")
        self.settings = settings or Settings()
        self.dialogs = dialogs or Dialogs(self)
        self._init_panels(panels)
        self._warm_up_wanted = warm_up
        self.warm_up_thread: KerasWarmUp | None = None
        self.keras_loaded = False
        self._after_show_done = False
        self.started = False  # after_show() has run: panels loaded, questions asked
        self._startup_error: str | None = None
        self.last_message = ""
        self.last_message_kind = "info"
        self._make_views()
        self._make_docks()
        self._make_mode_bar()
        self._make_status_bar()
        window_actions.make_actions(self)
        window_actions.make_menus(self)
        self.add_mode_menu_items()
        self._connect_views()
        self.autosaver = Autosaver(self.doc, self, interval_ms=autosave_interval_ms)
        self.autosaver.failed.connect(self.show_message)
        self._load_initial(project_path)
        self._restore_settings()
        if not defer_panels:
            self.load_panels()
        self._on_doc_changed()
        self._update_actions()

    # ---- construction -----------------------------------------------------------------
    def _make_views(self) -> None:
        self.setAcceptDrops(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks
        )
        self.setWindowIcon(icon("layerwise"))
        self.doc = Document(parent=self)
        self.scene = NetworkScene(self.doc, self)
        self.view = CanvasView(self.scene, self)
        self.setCentralWidget(self.view)
        self.palette = Palette(self)
        self.inspector = Inspector(self.doc, self, dialogs=lambda: self.dialogs)
        self.problems = QListWidget(self)
        self.problems.setObjectName("problems")

    def _make_docks(self) -> None:
        self.palette_dock = self._dock("Blocks", "paletteDock", self.palette, LEFT)
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector, RIGHT)
        loading = PanelError("The training dashboard", "Loading…")
        self.dashboard_dock = self._dock("Training", "dashboardDock", loading, BOTTOM)
        loading = PanelError("The audition panel", "Loading…")
        self.audition_dock = self._dock("Audition", "auditionDock", loading, BOTTOM)
        self.problems_dock = self._dock("Problems", "problemsDock", self.problems, BOTTOM)
        self.tabifyDockWidget(self.dashboard_dock, self.audition_dock)
        self.tabifyDockWidget(self.audition_dock, self.problems_dock)
        self._make_runs_dock()
        self.tabifyDockWidget(self.problems_dock, self.runs_dock)
        self.dashboard_dock.raise_()
        self.resizeDocks(
            [self.palette_dock, self.inspector_dock], [210, 320], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.dashboard_dock], [250], Qt.Orientation.Vertical)

    def _dock(self, title, name, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        # Not floatable: grabbing a splitter handle slightly low lands on a dock's title, and
        # a drag from there must not tear the panel out of the window.
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _make_status_bar(self) -> None:
        self.status_label = QLabel()
        self.status_label.setObjectName("validity")
        self.statusBar().addPermanentWidget(self.status_label)
        self.keras_label = QLabel("TensorFlow: not loaded")
        self.keras_label.setObjectName("kerasState")
        self.statusBar().addPermanentWidget(self.keras_label)
        self.statusBar().setProperty("kind", "info")
        self.statusBar().messageChanged.connect(self._on_status_message_changed)
        # The audio thread reports an underrun by emitting; the slot runs in the GUI thread.
        self.audioUnderrun.connect(self._on_audio_underrun)
        audio.add_underrun_listener(self.audioUnderrun.emit)

    def _connect_views(self) -> None:
        self.doc.changed.connect(self._on_doc_changed)
        self.doc.message.connect(self.show_message)
        self.doc.undo_stack.cleanChanged.connect(self._update_title)
        self.scene.selectedBlocksChanged.connect(self.inspector.set_selection)
        self.scene.selectedBlocksChanged.connect(self._update_actions)
        self.palette.blockActivated.connect(self.add_block)
        self.view.spaceTapped.connect(self.toggle_play)
        self.problems.itemActivated.connect(self._on_problem_activated)
        self.problems.itemClicked.connect(self._on_problem_activated)

    # ---- start-up ---------------------------------------------------------------------
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
            self.show_message(f"TensorFlow could not be loaded: {error}", "error")
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
    def show_message(self, text: str, kind: str = "info") -> None:
        """Say ``text`` in the status bar, styled by ``kind``: info, success, warning or error
        (errors stay up longer)."""
        self.last_message, self.last_message_kind = text, kind
        bar = self.statusBar()
        bar.setProperty("kind", kind)
        bar.style().unpolish(bar)
        bar.style().polish(bar)
        bar.showMessage(text, 20000 if kind == "error" else 10000)

    @Slot(str)
    def _on_status_message_changed(self, text: str) -> None:
        if not text and self.statusBar().property("kind") != "info":
            self.statusBar().setProperty("kind", "info")  # the tint goes with its message
            self.statusBar().style().unpolish(self.statusBar())
            self.statusBar().style().polish(self.statusBar())

    @Slot()
    def _on_audio_underrun(self) -> None:
        self.show_message(
            "Playback stuttered: the audio buffer ran dry (the machine is busy). "
            "A larger latency or a quieter machine helps.",
            "warning",
        )

    def _on_doc_changed(self) -> None:
        problems = self.doc.report.problems
        self.problems.clear()
        for problem in problems:
            item = QListWidgetItem(
                ("⚠ " + problem.block + ": " if problem.block else "⚠ ") + problem.message
            )
            item.setData(Qt.ItemDataRole.UserRole, problem.block)
            item.setToolTip(problem.message)
            self.problems.addItem(item)
        self._show_validity()
        self._update_title()

    def _show_validity(self) -> None:
        report = self.doc.report
        n = len(report.problems)
        if n:
            self.status_label.setText(f"⚠ {n} problem{'s' if n > 1 else ''}")
            self.status_label.setToolTip("\n".join(str(p) for p in report.problems[:20]))
            self.problems_dock.setWindowTitle(f"Problems ({n})")
        else:
            self.status_label.setText(f"✓ Valid · {report.total_params:,} parameters")
            self.status_label.setToolTip("")
            self.problems_dock.setWindowTitle("Problems")
        self.status_label.setProperty("bad", bool(n))
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)

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

    # ---- the pretraining switch: the dashboard's and the project's are one -------------------
    def load_panels(self) -> None:
        loaded = self._panels_loaded
        super().load_panels()
        if loaded or self.dashboard is None:
            return
        toggled = getattr(self.dashboard, "pretrainingToggled", None)
        if toggled is not None:
            toggled.connect(self.set_pretraining)
        self.doc.changed.connect(self._give_dashboard_pretraining)

    @Slot(bool)
    def set_pretraining(self, enabled: bool) -> None:
        """Turn greedy pretraining on or off in the project (an undoable edit)."""
        if pretraining_enabled(self.doc.project) == bool(enabled):
            return
        path = ("training", "pretraining", "enabled")
        text = "Set pretraining switch: enabled"
        self.doc.undo_stack.push(SetSetting(self.doc, path, bool(enabled), text=text))

    @Slot()
    def _give_dashboard_pretraining(self) -> None:
        check = getattr(self.dashboard, "pretraining_check", None)
        enabled = pretraining_enabled(self.doc.project)
        if check is not None and check.isEnabled() and check.isChecked() != enabled:
            check.setChecked(enabled)
            with contextlib.suppress(Exception):  # a view nicety only
                self.dashboard.show_estimate()

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

    # ---- settings, preferences and closing ----------------------------------------------
    def _restore_settings(self) -> None:
        geometry = self.settings.geometry
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(*first_window_size())
        state = self.settings.window_state
        if state is not None:
            self.restoreState(state)
            self.restore_mode()
        self.unclip_dock_tabs()

    def save_settings(self) -> None:
        self.settings.geometry = self.saveGeometry()
        self.settings.window_state = self.saveState()
        self.save_mode_state()
        self.settings.sync()

    def closeEvent(self, event):
        if self.training_running and self.dashboard is not None:
            if not self.dialogs.ask_stop_training():
                event.ignore()
                return
            self.stop_training_and_wait(30.0)
        if not self.maybe_save_changes():
            event.ignore()
            return
        self.save_settings()
        audio.remove_underrun_listener(self.audioUnderrun.emit)
        self.autosaver.stop()
        self.autosaver.discard()
        event.accept()

    def preferences(self) -> bool:
        if not self.dialogs.edit_preferences(self.settings):
            return False
        self._give_audio_settings()
        self.show_message("Preferences saved.", "success")
        return True

    def about(self) -> None:
        import core

        self.dialogs.about(core.__version__)

    def event(self, event):
        if event.type() == QEvent.Type.WindowActivate:
            self._update_actions()
        return super().event(event)
