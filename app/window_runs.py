"""The main window's runs: the runs browser dock, opening a run folder (menu, dropped folder,
command line), showing a run from disk in the dashboard and Audition, resuming a stopped
run, and comparing runs.

:class:`RunsHost` is a part of the main window (a mixin): it uses the window's dialogs,
docks, dashboard, audition panel and status bar. A folder that is not a run is said in one
dialog; the window keeps what it showed.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QLabel

from app.panels.runs_browser import RunsBrowser
from core.errors import LayerwiseError
from core.project import project_from_json
from core.run_info import NotARunError
from core.runs import RunFolder, read_json

BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
REFRESH_AFTER_END_MS = 2500


class RunsHost:
    """The runs part of MainWindow."""

    runs_root = None  # None: the user's runs folder (tests point it elsewhere)

    def _make_runs_dock(self) -> None:
        self.runs_browser = RunsBrowser(self, root=self.runs_root)
        self.runs_dock = self._dock("Runs", "runsDock", self.runs_browser, BOTTOM)
        self.compare_panel = None
        hint = QLabel("Select two or more runs in the Runs browser (Ctrl+click), then Compare.")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.compare_dock = self._dock("Compare", "compareDock", hint, BOTTOM)
        self.tabifyDockWidget(self.runs_dock, self.compare_dock)
        self._pending_open: list[str] = []  # opened once the panels are loaded
        browser = self.runs_browser
        browser.runActivated.connect(self.show_run)
        browser.resumeRequested.connect(self.resume_run)
        browser.compareRequested.connect(self.compare_runs)
        self.doc.projectReplaced.connect(self._give_runs_project)
        self._give_runs_project()

    def _connect_runs_to_panels(self) -> None:
        """Once the panels are loaded: the list follows the runs they start and end."""
        if self.dashboard is not None:
            self.dashboard.runStarted.connect(self._refresh_runs)
            self.dashboard.runningChanged.connect(self._refresh_runs)
            if hasattr(self.dashboard, "compareRequested"):  # the twin run's pair
                self.dashboard.compareRequested.connect(self.compare_runs)
        QTimer.singleShot(0, self._open_pending)

    def open_later(self, paths) -> None:
        """Open ``paths`` (runs, models, MIDI files, projects) once the panels are loaded."""
        self._pending_open += [os.fspath(p) for p in paths]
        if self._panels_loaded:
            QTimer.singleShot(0, self._open_pending)

    @Slot()
    def _open_pending(self) -> None:
        paths, self._pending_open = self._pending_open, []
        for path in paths:
            self.open_path(path)

    @Slot()
    def _give_runs_project(self) -> None:
        self.runs_browser.set_project_name(self.doc.project.name)

    @Slot()
    def _refresh_runs(self, *_) -> None:
        # Read on a worker: a run starts or ends in this turn, and there may be many runs.
        self.runs_browser.refresh_later()
        # A run's last event comes a moment before its process has ended and cleared the
        # folder's mark: look again once it has.
        QTimer.singleShot(REFRESH_AFTER_END_MS, self.runs_browser.refresh_later)

    # ---- opening a run --------------------------------------------------------------------
    def open_run_dialog(self) -> bool:
        path = self.dialogs.open_run_folder(str(self.runs_browser.root_folder()))
        return self.open_run(path) if path else False

    def open_run(self, path) -> bool:
        """List a run folder in the browser and show it; a folder that is not a run is one
        clear message, and nothing else changes."""
        try:
            info = self.runs_browser.add_run(path)
        except NotARunError as exc:
            self.dialogs.error("Cannot open run", str(exc))
            return False
        self.runs_dock.show()
        self.runs_dock.raise_()
        self.show_run(str(info.path))
        return True

    @Slot(str)
    def show_run(self, run_dir: str) -> bool:
        """The run in the dashboard (curves, filters, reconstructions, histograms) and in
        Audition."""
        shown = False
        if self.dashboard is not None and not self.training_running:
            shown = bool(self.dashboard.show_run(run_dir))
        if self.audition is not None:
            self._give_audition_run(run_dir)
        name = os.path.basename(str(run_dir).rstrip(os.sep))
        if shown:
            self.show_message(f"Showing run {name}")
        elif self.training_running:
            self.show_message(f"Run {name} is in Audition; the dashboard shows the training")
        return shown

    # ---- resuming ---------------------------------------------------------------------------
    @Slot(str)
    def resume_run(self, run_dir: str) -> bool:
        """Go on training a stopped run from its last checkpoint (the CLI's ``--resume``)."""
        if self.dashboard is None or self.training_running:
            self.show_message("Cannot resume now: training runs or the dashboard did not load.")
            return False
        run = RunFolder(run_dir)
        try:
            project = project_from_json(run.read_project_json(), None)
            state = read_json(run.state) if run.state.is_file() else None
        except (LayerwiseError, OSError, ValueError) as exc:
            self.dialogs.error("Cannot resume run", f"{run_dir}: {exc}")
            return False
        if not isinstance(state, dict):
            self.dialogs.error("Cannot resume run", f"{run_dir} holds no checkpoint to resume from")
            return False
        self.dashboard_dock.raise_()
        started = self.dashboard.start(
            project,
            run_dir=run_dir,
            resume=True,
            pretraining=bool(state.get("pretraining", True)),
            epochs_scale=float(state.get("epochs_scale", 1.0)),
        )
        if started:
            self.show_message(f"Resuming {Path(run_dir).name} (Shift+F5 stops it).")
        return bool(started)

    # ---- comparing --------------------------------------------------------------------------
    @Slot(list)
    def compare_runs(self, run_dirs: list) -> bool:
        from app.panels.compare import ComparePanel

        if self.compare_panel is None:
            self.compare_panel = ComparePanel(self)
            self.compare_panel.closeRequested.connect(self._close_compare)
            self.compare_dock.setWidget(self.compare_panel)
        try:
            self.compare_panel.set_runs(run_dirs)
        except NotARunError as exc:
            self.dialogs.error("Cannot compare runs", str(exc))
            return False
        if hasattr(self, "set_mode"):
            self.set_mode("compare")
        self.compare_dock.show()
        self.compare_dock.raise_()
        self.show_message(f"Comparing {len(run_dirs)} runs")
        return True

    @Slot()
    def _close_compare(self) -> None:
        self.compare_panel.stop()
        self.compare_dock.hide()
