"""The runs browser: the open project's runs, every run in the user's runs folder, and the
run folders opened from elsewhere, each with its date, status, phases, key metric, device
and duration (read by :mod:`core.run_info`).

Picking one run asks the window to show it (dashboard and audition); picking two or more
offers a comparison; a stopped run can be resumed. While training, the window asks for the
list again at each run's start and end: the folders are then read on a worker
(:meth:`RunsBrowser.refresh_later`), so a long list costs the GUI thread only its rows.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.workers.calls import CallWorker
from core.run_info import NotARunError, RunInfo, RunState, format_duration, read_run_info
from core.runs import list_runs, runs_root

COLUMNS = ("Run", "Date", "Status", "Phases", "Key metric", "Device", "Duration")
GROUPS = ("This project", "All runs", "Opened")
PATH_ROLE = Qt.ItemDataRole.UserRole
STATE_COLOURS = {
    RunState.RUNNING: "#1565c0",
    RunState.FINISHED: "#2e7d32",
    RunState.STOPPED: "#b26a00",
    RunState.FAILED: "#c62828",
}


def row_texts(info: RunInfo) -> list[str]:
    """The cells of one run's row, in COLUMNS order."""
    phases = ", ".join(info.phases) if info.phases else "—"
    date = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.started))
    return [
        info.name,
        date,
        info.state.value,
        f"{len(info.phases)}: {phases}" if info.phases else phases,
        info.describe_metric(),
        info.device or "—",
        format_duration(info.duration),
    ]


def read_listing(root, opened: list[Path]) -> tuple[list[RunInfo], list[RunInfo]]:
    """Every run under ``root`` (newest first) and the ``opened`` folders not among them;
    folders that are no run (any more) are left out. Safe on any thread."""
    everything = [i for i in (_read(run.path) for run in list_runs(root)) if i is not None]
    listed = {i.path.resolve() for i in everything}
    opened_infos = [_read(p) for p in opened if p not in listed]
    return everything, [i for i in opened_infos if i is not None]


def _read(path) -> RunInfo | None:
    try:
        return read_run_info(path)
    except (NotARunError, OSError):
        return None


class RunsBrowser(QWidget):
    """``root``: the user's runs folder (default :func:`core.runs.runs_root`)."""

    runActivated = Signal(str)  # one run picked: show it
    resumeRequested = Signal(str)
    compareRequested = Signal(list)

    def __init__(self, parent=None, root: str | os.PathLike | None = None):
        super().__init__(parent)
        self.setObjectName("runsBrowser")
        self.root = Path(root) if root is not None else None
        self.project_name = ""
        self.opened: list[Path] = []  # run folders opened from elsewhere, newest first
        self.infos: dict[str, RunInfo] = {}
        self._asked = 0  # readings of the runs asked for; only the last one is shown
        self._reader = CallWorker(self)
        self._reader.result.connect(self._on_listing_read)
        self._reader.failed.connect(self._on_listing_failed)
        self.tree = QTreeWidget()
        self.tree.setObjectName("runsTree")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setRootIsDecorated(True)
        self.tree.itemSelectionChanged.connect(self._on_selection)
        self.tree.itemActivated.connect(self._on_activated)
        self.groups = {name: QTreeWidgetItem([name]) for name in GROUPS}
        for item in self.groups.values():
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            self.tree.addTopLevelItem(item)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Go on training a stopped run from its last checkpoint")
        self.resume_button.clicked.connect(self._on_resume)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Overlay two or more runs (select them with Ctrl)")
        self.compare_button.clicked.connect(self._on_compare)
        self.message = QLabel("")
        self.message.setObjectName("runsMessage")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.resume_button, self.compare_button):
            buttons.addWidget(button)
        buttons.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        self._update_buttons()

    # ---- what it lists -----------------------------------------------------------------
    def set_project_name(self, name: str) -> None:
        self.project_name = name or ""
        self.refresh()

    def add_run(self, path) -> RunInfo:
        """List a run folder under "Opened" and select it; NotARunError when it is none."""
        info = read_run_info(path)
        resolved = info.path.resolve()
        self.opened = [resolved] + [p for p in self.opened if p != resolved]
        self.refresh()
        self.select_runs([str(info.path)])
        return info

    @Slot()
    def refresh(self) -> None:
        """Read every listed run again now (keeping the selection)."""
        self._asked += 1  # a reading still on its way is older than this one
        self._show_listing(read_listing(self.root, self.opened))

    @Slot()
    def refresh_later(self) -> None:
        """Read every listed run again on a worker; the list changes once they are read."""
        self._asked += 1
        self._reader.call(self._asked, read_listing, self.root, list(self.opened))

    @Slot(object, object)
    def _on_listing_read(self, asked, listing) -> None:
        if asked == self._asked:  # else a newer reading is coming, or was shown
            self._show_listing(listing)

    @Slot(object, str)
    def _on_listing_failed(self, asked, message: str) -> None:
        if asked == self._asked:
            self.say(f"Could not read the runs: {message}")

    def _show_listing(self, listing: tuple[list[RunInfo], list[RunInfo]]) -> None:
        everything, opened = listing
        selected = self.selected_runs()
        self.infos = {str(i.path): i for i in (*everything, *opened)}
        mine = [i for i in everything if self.project_name and i.project == self.project_name]
        self.tree.blockSignals(True)
        try:
            for name, infos in zip(GROUPS, (mine, everything, opened), strict=True):
                self._fill(self.groups[name], infos)
            self.select_runs(selected)
        finally:
            self.tree.blockSignals(False)
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)
        self._update_buttons()

    def _fill(self, group: QTreeWidgetItem, infos: list[RunInfo]) -> None:
        group.takeChildren()
        group.setText(0, f"{group.text(0).split(' (')[0]} ({len(infos)})")
        for info in infos:
            item = QTreeWidgetItem(row_texts(info))
            item.setData(0, PATH_ROLE, str(info.path))
            item.setToolTip(0, str(info.path))
            item.setForeground(2, QBrush(QColor(STATE_COLOURS[info.state])))
            group.addChild(item)
        group.setExpanded(bool(infos))

    # ---- selection ------------------------------------------------------------------------
    def run_items(self) -> list[QTreeWidgetItem]:
        return [g.child(i) for g in self.groups.values() for i in range(g.childCount())]

    def selected_runs(self) -> list[str]:
        """The selected runs' folders, each once, in the order they are listed."""
        seen: list[str] = []
        for item in self.tree.selectedItems():
            path = item.data(0, PATH_ROLE)
            if path and path not in seen:
                seen.append(path)
        return seen

    def select_runs(self, paths: list[str]) -> None:
        wanted = set(paths)
        self.tree.clearSelection()
        for item in self.run_items():
            if item.data(0, PATH_ROLE) in wanted:
                item.setSelected(True)
                wanted.discard(item.data(0, PATH_ROLE))  # once, in the first group listing it
                self.tree.scrollToItem(item)

    @Slot()
    def _on_selection(self) -> None:
        self._update_buttons()
        runs = self.selected_runs()
        if len(runs) == 1:
            self.runActivated.emit(runs[0])

    @Slot(QTreeWidgetItem, int)
    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        path = item.data(0, PATH_ROLE)
        if path:
            self.runActivated.emit(path)

    def _update_buttons(self) -> None:
        runs = self.selected_runs()
        info = self.infos.get(runs[0]) if len(runs) == 1 else None
        self.resume_button.setEnabled(info is not None and info.resumable)
        self.compare_button.setEnabled(len(runs) >= 2)

    @Slot()
    def _on_resume(self) -> None:
        runs = self.selected_runs()
        if len(runs) == 1:
            self.resumeRequested.emit(runs[0])

    @Slot()
    def _on_compare(self) -> None:
        runs = self.selected_runs()
        if len(runs) >= 2:
            self.compareRequested.emit(runs)

    def say(self, text: str) -> None:
        self.message.setText(text)

    def root_folder(self) -> Path:
        return self.root if self.root is not None else runs_root()
