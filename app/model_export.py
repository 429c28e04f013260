"""File › Export Model…: the dialog that asks what, as what and where, and the exporter
that writes it on a worker thread with a progress dialog.

Every format ``layerwise export`` has is offered (:data:`core.export.FORMATS`), from the run
shown in the window (its trained model) or from the project (freshly built, or starting from
imported weights). The writing is :func:`core.export.export_model`, which stages everything
beside the target and renames it into place, so a failure (a read-only folder, a full disk)
leaves nothing half-written; the window says it in one line.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
)

from app.workers.calls import CallWorker

# format: (label, default file name, is a folder)
FORMAT_INFO = {
    "keras": ("Keras model (.keras)", "model.keras", False),
    "savedmodel": ("TensorFlow SavedModel (folder)", "model_savedmodel", True),
    "onnx": ("ONNX (.onnx)", "model.onnx", False),
    "python": ("Python code (.py, weights beside it)", "model.py", False),
    "report": ("Report (folder: summary, curves, filters)", "report", True),
}
RUN_ONLY = ("report",)


@dataclass(frozen=True)
class ExportSource:
    """What can be exported: a trained run folder, or the project (a Project)."""

    label: str
    value: object
    is_run: bool


@dataclass(frozen=True)
class ExportChoice:
    source: ExportSource
    fmt: str
    out: str


def export_job(source, fmt: str, out: str) -> str:
    """Worker: export ``source`` as ``fmt`` to ``out``; a LayerwiseError with one line on
    any failure (the disk's own words for a write that failed)."""
    from app.workers.gate import TF_GATE
    from core.errors import LayerwiseError
    from core.export import export_model

    try:
        with TF_GATE.exclusive():  # never beside a training session's tracing
            return str(export_model(source, fmt, out))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise LayerwiseError(f"cannot write {out}: {reason}") from None


class ExportDialog(QDialog):
    """Source, format and destination; :meth:`choice` is what was chosen."""

    def __init__(self, sources: list[ExportSource], folder: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export model")
        self.sources = sources
        self.folder = folder
        self.source_combo = QComboBox()
        for source in sources:
            self.source_combo.addItem(source.label)
        self.format_combo = QComboBox()
        for fmt, (label, _, _) in FORMAT_INFO.items():
            self.format_combo.addItem(label, fmt)
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.note = QLabel()
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Export", self.source_combo)
        form.addRow("As", self.format_combo)
        form.addRow("To", row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.format_combo.currentIndexChanged.connect(self._on_format)
        self.source_combo.currentIndexChanged.connect(self._check)
        self.path_edit.textChanged.connect(self._check)
        self._on_format()
        self.resize(560, 180)

    @property
    def fmt(self) -> str:
        return self.format_combo.currentData()

    def _on_format(self, *_) -> None:
        current = self.path_edit.text().strip()
        folder = os.path.dirname(current) if current else self.folder
        self.path_edit.setText(os.path.join(folder, FORMAT_INFO[self.fmt][1]))
        self._check()

    def _check(self, *_) -> None:
        source = self.sources[self.source_combo.currentIndex()]
        problem = ""
        if self.fmt in RUN_ONLY and not source.is_run:
            problem = "A report needs a trained run: train the project or open a run first."
        elif not self.path_edit.text().strip():
            problem = "Choose where to write the export."
        self.note.setText(problem)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)

    def _browse(self) -> None:
        what = "the folder" if FORMAT_INFO[self.fmt][2] else "the file"
        path = QFileDialog.getSaveFileName(self, f"Export to {what}", self.path_edit.text())[0]
        if path:
            self.path_edit.setText(path)

    def choice(self) -> ExportChoice:
        source = self.sources[self.source_combo.currentIndex()]
        return ExportChoice(source, self.fmt, self.path_edit.text().strip())


def export_sources(window) -> list[ExportSource]:
    """The run shown (when it has a trained model), then the project."""
    from core.runs import RunFolder

    sources = []
    run_dir = shown_run(window)
    if run_dir and RunFolder(run_dir).has_model():
        name = os.path.basename(run_dir.rstrip(os.sep))
        sources.append(ExportSource(f"the trained run {name}", run_dir, True))
    project = window.doc.project
    weights = "imported weights" if project.training.get("initial_weights") else "untrained"
    label = f"the project {project.name or 'Untitled'} ({weights})"
    sources.append(ExportSource(label, None, False))
    return sources


def shown_run(window) -> str | None:
    """The run the window shows: the audition panel's, else the dashboard's."""
    for panel in (window.audition, window.dashboard):
        run_dir = getattr(panel, "run_dir", None) if panel is not None else None
        if run_dir:
            return str(run_dir)
    return None


class ModelExporter(QObject):
    """Exports for a window, one at a time, on a worker; a progress dialog while it runs."""

    finished = Signal(str)  # the path written
    failed = Signal(str)  # one line

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.progress: QProgressDialog | None = None
        self._started = 0.0
        self._what = ""
        self._worker = CallWorker(self)
        self._worker.result.connect(self._on_result)
        self._worker.failed.connect(self._on_failed)
        self._clock = QTimer(self)
        self._clock.setInterval(500)
        self._clock.timeout.connect(self._tick)

    @property
    def busy(self) -> bool:
        return self._worker.busy

    def ask_and_export(self) -> bool:
        """Ask what to export and start it; False when cancelled or already exporting."""
        if self.busy:
            self.window.show_message("An export is already running.")
            return False
        sources = export_sources(self.window)
        choice = self.window.dialogs.ask_export(sources, self._folder(sources[0]))
        if choice is None:
            return False
        self.start(choice)
        return True

    def _folder(self, source: ExportSource) -> str:
        if source.is_run:
            return str(source.value)
        path = self.window.doc.project.path
        return str(Path(path).parent) if path else str(Path.home())

    def start(self, choice: ExportChoice) -> None:
        source = choice.source.value if choice.source.is_run else self.window.doc.project.copy()
        self._what = f"Exporting {choice.source.label} as {choice.fmt}"
        self._started = time.monotonic()
        self.progress = QProgressDialog(self._what + "…", "", 0, 0, self.window)
        self.progress.setWindowTitle("Export model")
        self.progress.setCancelButton(None)  # an export cannot stop half-way: it is staged
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.show()
        self._clock.start()
        self.window.show_message(self._what + "…")
        self._worker.call(("export", choice.out), export_job, source, choice.fmt, choice.out)

    def _tick(self) -> None:
        if self.progress is not None:
            seconds = int(time.monotonic() - self._started)
            self.progress.setLabelText(f"{self._what}… {seconds} s")

    def _done(self) -> None:
        self._clock.stop()
        if self.progress is not None:
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _on_result(self, tag, path) -> None:
        self._done()
        self.window.show_message(f"Exported {path}")
        self.finished.emit(str(path))

    def _on_failed(self, tag, message: str) -> None:
        self._done()
        self.window.show_message(f"Export failed: {message}")
        self.window.dialogs.error("Export failed", message)
        self.failed.emit(message)


def exporter_of(window) -> ModelExporter:
    """The window's exporter, made on first use."""
    exporter = getattr(window, "model_exporter", None)
    if exporter is None:
        exporter = window.model_exporter = ModelExporter(window)
    return exporter
