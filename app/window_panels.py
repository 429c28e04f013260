"""The main window's heavy panels: the training dashboard and the audition panel.

They are loaded lazily and guarded: if their modules are missing or fail, the window still
opens and the dock says why. :class:`PanelHost` (a part of the main window) loads them,
starts and stops training through the dashboard, colours the blocks by what it reports, and
hands runs and audio settings to the audition panel.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
)

LOCKED_DURING_TRAINING = (
    "Cannot delete blocks while training runs: the run uses a snapshot of the project. "
    "Stop training first (Shift+F5)."
)


class PanelError(QLabel):
    """What an inert dock shows: which panel is missing, and why."""

    def __init__(self, what: str, reason: str):
        super().__init__(f"<b>{what} is not available.</b><br>{reason}")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("inertPanel")
        self.setMargin(16)


def default_panel_factories() -> dict:
    """The real panels, imported only when the window loads them (pyqtgraph is slow)."""

    def dashboard(parent):
        from app.panels.dashboard.widget import TrainingDashboard

        return TrainingDashboard(parent)

    def audition(parent):
        from app.panels.audition import AuditionPanel

        return AuditionPanel(parent)

    return {"dashboard": dashboard, "audition": audition}


def make_panel(factory, what: str, dock):
    """The panel ``factory(dock)`` makes, set in ``dock``; None (and an inert dock saying
    why) when there is no factory or it fails."""
    if factory is None:
        dock.setWidget(PanelError(what, "It is not part of this build yet."))
        return None
    try:
        widget = factory(dock)
    except Exception as exc:  # noqa: BLE001 - a broken panel must not stop the window
        reason = f"It failed to load: {type(exc).__name__}: {_esc(str(exc))}"
        dock.setWidget(PanelError(what, reason))
        return None
    # The panels are rich; a scroll area keeps their minimum size from squeezing the
    # canvas when the dock is short.
    scroller = QScrollArea(dock)
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QScrollArea.Shape.NoFrame)
    scroller.setWidget(widget)
    dock.setWidget(scroller)
    return widget


class PanelHost:
    """The main window's side of its dashboard and audition panels (a mixin of MainWindow:
    it uses the window's document, scene, docks, settings and status bar)."""

    def _init_panels(self, panels) -> None:
        self._panel_factories = default_panel_factories() if panels == "auto" else dict(panels)
        self._panels_loaded = False
        self.dashboard = None
        self.audition = None
        self.training_running = False

    def load_panels(self) -> None:
        if self._panels_loaded:
            return
        self._panels_loaded = True
        factories = self._panel_factories
        self.dashboard = make_panel(
            factories.get("dashboard"), "The training dashboard", self.dashboard_dock
        )
        self.audition = make_panel(
            factories.get("audition"), "The audition panel", self.audition_dock
        )
        if self.settings.window_state is None and self.dashboard is not None:
            height = max(220, int(self.height() * 0.42))
            self.resizeDocks([self.dashboard_dock], [height], Qt.Orientation.Vertical)
        QTimer.singleShot(0, self.view.fit)
        if self.dashboard is not None:
            self._connect_dashboard()
        self._give_audio_settings()
        self._connect_runs_to_panels()
        self._update_actions()

    def _connect_dashboard(self) -> None:
        dashboard = self.dashboard
        dashboard.blockStateChanged.connect(self._on_block_state)
        dashboard.runningChanged.connect(self._on_running_changed)
        dashboard.runStarted.connect(self._on_run_started)
        dashboard.runFinished.connect(self._on_run_finished)
        dashboard.runFailed.connect(self._on_run_failed)
        self.doc.projectReplaced.connect(self._give_dashboard_project)
        self.scene.selectedBlocksChanged.connect(self._give_dashboard_selection)
        self._give_dashboard_project()

    # ---- training -------------------------------------------------------------------------
    def start_training(self) -> bool:
        if self.dashboard is None:
            self.show_message("Training is not available: the training dashboard did not load.")
            return False
        if self.training_running:
            self.show_message("Training is already running.")
            return False
        if not self.doc.report.ok:
            first = self.doc.report.problems[0]
            self.show_message(f"Fix the network first: {first}", "warning")
            self.problems_dock.raise_()
            return False
        project = self.doc.project.copy()
        pretraining = bool(project.training.get("pretraining", {}).get("enabled", True))
        self.scene.reset_states()
        self.dashboard_dock.raise_()
        try:
            self.dashboard.start(project, pretraining=pretraining)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.show_message(f"Training could not start: {exc}", "error")
            return False
        self.show_message("Training started (Shift+F5 stops it).")
        return True

    def stop_training(self) -> None:
        if self.dashboard is not None and self.training_running:
            self.dashboard.stop()
            self.show_message("Stopping training…")

    def stop_training_and_wait(self, timeout_s: float) -> None:
        try:
            self.dashboard.stop_and_wait(timeout_s)
        except Exception as exc:  # noqa: BLE001
            self.show_message(f"Stopping training failed: {exc}")

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
        try:
            self.dashboard.set_project(self.doc.project)
        except Exception as exc:  # noqa: BLE001
            self.show_message(f"The training dashboard could not take the project: {exc}")

    @Slot(list)
    def _give_dashboard_selection(self, ids: list) -> None:
        with contextlib.suppress(Exception):  # a view nicety only
            self.dashboard.select_block(ids[0] if len(ids) == 1 else None)

    @Slot(str, str)
    def _on_run_failed(self, message: str, block: str = "") -> None:
        self.show_message(f"Training failed{' in ' + block if block else ''}: {message}", "error")
        if block and block in self.scene.blocks:
            self.scene.select_blocks([block])

    @Slot(str)
    def _on_run_started(self, run_dir: str) -> None:
        # Snapshots of earlier epochs can be auditioned while the run goes on.
        self._give_audition_run(run_dir)

    @Slot(str)
    def _on_run_finished(self, run_dir: str) -> None:
        self.show_message(f"Training finished: {run_dir}", "success")
        self._give_audition_run(run_dir)

    # ---- audition -------------------------------------------------------------------------
    def _give_audition_run(self, run_dir: str) -> None:
        if self.audition is None:
            return
        try:
            self.audition.set_run(run_dir)
        except Exception as exc:  # noqa: BLE001
            self.show_message(f"The audition panel could not open the run: {exc}")

    def _give_audio_settings(self) -> None:
        """Hand the audio device and SoundFont to the audition panel."""
        if self.audition is None:
            return
        for method, value in (
            ("set_audio_device", self.settings.audio_device),
            ("set_soundfont", self.settings.soundfont),
        ):
            try:
                getattr(self.audition, method)(value or None)
            except Exception as exc:  # noqa: BLE001
                self.show_message(f"The audition panel refused {method}: {exc}")

    def toggle_play(self) -> None:
        """Space: play or stop the piece, unless the focused widget has a use for Space."""
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
            self.show_message(f"Cannot play: {exc}", "error")


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
