"""The MIDI folder import dialog: converts a folder's files on a worker thread with a count,
lists each skipped file with its reason, and settles the transposition and the split.

What it converts is kept in the dataset cache (``core.data.midi_folder.load_midi_folder``),
so training reads the import instead of converting again, and a second import is fast.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from app.panels.param_editors import Editor
from app.wheel_guard import guard_wheel
from app.workers.mailbox import Mailbox
from app.workers.session import one_line
from core.catalog.data import SPLIT_PARAMS
from core.data.representation import representation_of, split_of


class ImportCancelled(Exception):
    """The dialog was closed while the import ran."""


class MidiImportWorker(Mailbox):
    """Runs one folder import on a thread; emits in the GUI thread."""

    progress = Signal(int, int, str)  # done, total, file
    finished = Signal(object)  # (names, skipped, from_cache)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cancel = threading.Event()

    def start(self, folder: str, representation: dict) -> None:
        self._spawn(self._work, folder, dict(representation))

    def cancel(self) -> None:
        self._cancel.set()

    def _work(self, folder: str, representation: dict) -> None:
        from core.data.midi_folder import load_midi_folder

        def progress(done, total, message):
            if self._cancel.is_set():
                raise ImportCancelled
            self._post(("progress", (done, total, message)))

        try:
            _, names, skipped, from_cache = load_midi_folder(folder, representation, progress)
        except ImportCancelled:
            return
        except Exception as exc:  # every failure is said in the dialog, in one line
            self._post(("failed", one_line(exc)))
            return
        self._post(("finished", (names, skipped, from_cache)))

    def _deliver(self, item) -> None:
        kind, value = item
        if kind == "progress":
            self.progress.emit(*value)
        elif kind == "finished":
            self.finished.emit(value)
        else:
            self.failed.emit(value)


class MidiImportDialog(QDialog):
    """Import the folder ``data["path"]`` names with the project's representation."""

    def __init__(self, data: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Import a MIDI folder")
        self.resize(620, 520)
        self.folder = str(data["path"])
        self.pieces: list[str] = []
        self.skipped: list[tuple[str, str]] = []
        self.from_cache = False
        self.import_done = False  # finished or failed
        self._representation = representation_of(data)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{self.folder}</b>"))
        self.status = QLabel("Looking for MIDI files…")
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(QLabel("Skipped files:"))
        self.skipped_list = QTreeWidget()
        self.skipped_list.setObjectName("skippedFiles")
        self.skipped_list.setHeaderLabels(["File", "Why it was skipped"])
        self.skipped_list.setRootIsDecorated(False)
        layout.addWidget(self.skipped_list, 1)
        self._build_settings(layout, self._representation["transpose"], split_of(data))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use this folder")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        guard_wheel(self)
        self.worker = MidiImportWorker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.start(self.folder, self._representation)

    def _build_settings(self, layout, transpose, split: dict) -> None:
        form = QFormLayout()
        shifts = QHBoxLayout()
        self.transpose_low = Editor(_shift_param("low"), transpose[0], lambda v: None).widget
        self.transpose_high = Editor(_shift_param("high"), transpose[1], lambda v: None).widget
        shifts.addWidget(self.transpose_low)
        shifts.addWidget(QLabel("to"))
        shifts.addWidget(self.transpose_high)
        shifts.addWidget(QLabel("semitones"))
        form.addRow("Transpose training pieces", shifts)
        self.split_editors = {}
        for param in SPLIT_PARAMS:
            editor = Editor(param, split[param.name], lambda v: None)
            self.split_editors[param.name] = editor
            form.addRow(f"Split: {param.title.lower()}", editor.row)
        layout.addLayout(form)

    # ---- the worker's news -----------------------------------------------------------------
    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        if done < total:
            self.status.setText(f"Converting {done + 1} of {total} files: {name}")

    def _on_finished(self, result) -> None:
        self.pieces, self.skipped, self.from_cache = result
        self.import_done = True
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        for name, reason in self.skipped:
            self.skipped_list.addTopLevelItem(QTreeWidgetItem([name, reason]))
        self.skipped_list.resizeColumnToContents(0)
        where = " (from the cache)" if self.from_cache else ""
        skipped = _count(len(self.skipped), "file") + " skipped"
        self.status.setText(
            f"{_count(len(self.pieces), 'piece')} imported, {skipped}{where}."
            if self.pieces
            else f"No usable pieces: {skipped}."
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.pieces))

    def _on_failed(self, message: str) -> None:
        self.import_done = True
        self.bar.setRange(0, 1)
        self.status.setText(f"⚠ Cannot import: {message}")

    # ---- the answer ------------------------------------------------------------------------
    def settled(self) -> dict:
        """The data settings to apply: keys are dotted paths in the project's data section."""
        low, high = self.transpose_low.value(), self.transpose_high.value()
        return {
            "path": self.folder,
            "representation.transpose": [min(low, high), max(low, high)],
            "split": {name: editor.widget.value() for name, editor in self.split_editors.items()},
        }

    def done(self, result: int) -> None:
        self.worker.cancel()
        super().done(result)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _shift_param(end: str):
    from core.catalog import Param

    return Param(f"transpose_{end}", "int", 0, f"the {end} end of the shifts", -24, 24)
