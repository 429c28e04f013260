"""The audio folder import dialog: turns a folder's audio files (one subfolder per class)
into spectral frames on a worker thread with a count, shows the classes found, lists every
file it could not use with its reason, and settles the split.

What it makes is kept in the dataset cache (``core.data.audio_folder.load_audio_folder``),
so training reads the import instead of decoding again, and a second import is fast.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from app.midi_import_dialog import ImportCancelled, MidiImportWorker
from app.panels.param_editors import Editor
from app.wheel_guard import guard_wheel
from app.workers.session import one_line
from core.catalog.data import SPLIT_PARAMS
from core.data.representation import split_of


class AudioImportWorker(MidiImportWorker):
    """Runs one audio folder import on a thread; emits in the GUI thread. ``finished``
    carries (names, class of each, classes, skipped, from_cache)."""

    def start(self, folder: str, audio: dict) -> None:
        self._spawn(self._work, folder, dict(audio))

    def _work(self, folder: str, audio: dict) -> None:
        def progress(done, total, message):
            if self._cancel.is_set():
                raise ImportCancelled
            self._post(("progress", (done, total, message)))

        try:
            from core.audio.representation import SpectralFrames
            from core.data.audio_folder import load_audio_folder

            clips, from_cache = load_audio_folder(
                folder, SpectralFrames.from_settings(audio), progress
            )
        except ImportCancelled:
            return
        except Exception as exc:  # every failure is said in the dialog, in one line
            self._post(("failed", one_line(exc)))
            return
        classes = list(clips.classes)
        of = [classes[label] for label in clips.labels]
        self._post(("finished", (list(clips.names), of, classes, clips.skipped, from_cache)))


class AudioImportDialog(QDialog):
    """Import the folder ``data["path"]`` names with the project's sound settings."""

    def __init__(self, data: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Import an audio folder")
        self.resize(640, 560)
        self.folder = str(data["path"])
        self.clips: list[str] = []
        self.classes: dict[str, int] = {}  # class -> files
        self.skipped: list[tuple[str, str]] = []
        self.from_cache = False
        self.import_done = False  # finished or failed
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{self.folder}</b>"))
        layout.addWidget(QLabel(_settings_line(data.get("audio") or {})))
        self.status = QLabel("Looking for audio files…")
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        layout.addWidget(self.bar)
        self.class_label = QLabel()
        self.class_label.setObjectName("importClasses")
        self.class_label.setWordWrap(True)
        layout.addWidget(self.class_label)
        layout.addWidget(QLabel("Files that could not be used:"))
        self.skipped_list = QTreeWidget()
        self.skipped_list.setObjectName("skippedFiles")
        self.skipped_list.setHeaderLabels(["File", "Why it was not used"])
        self.skipped_list.setRootIsDecorated(False)
        layout.addWidget(self.skipped_list, 1)
        self._build_split(layout, split_of(data))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button.setText("Use this folder")
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        guard_wheel(self)
        self.worker = AudioImportWorker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.start(self.folder, data.get("audio") or {})

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _build_split(self, layout, split: dict) -> None:
        form = QFormLayout()
        self.split_editors = {}
        for param in SPLIT_PARAMS:
            editor = Editor(param, split[param.name], lambda v: None)
            self.split_editors[param.name] = editor
            form.addRow(f"Split by file: {param.title.lower()}", editor.row)
        layout.addLayout(form)

    # ---- the worker's news -----------------------------------------------------------------
    def _on_progress(self, done: int, total: int, name: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        if done < total:
            self.status.setText(f"Reading {done + 1} of {total} files: {name}")

    def _on_finished(self, result) -> None:
        self.clips, of, classes, self.skipped, self.from_cache = result
        counts = Counter(of)
        self.classes = {name: counts.get(name, 0) for name in classes}
        self.import_done = True
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        for name, reason in self.skipped:
            self.skipped_list.addTopLevelItem(QTreeWidgetItem([name, reason]))
        self.skipped_list.resizeColumnToContents(0)
        self.class_label.setText(
            "Classes: " + ", ".join(f"{name} ({n})" for name, n in self.classes.items())
            if self.classes
            else ""
        )
        where = " (from the cache)" if self.from_cache else ""
        unused = _count(len(self.skipped), "file") + " not used"
        self.status.setText(
            f"{_count(len(self.clips), 'clip')} in {_count(len(self.classes), 'class')} "
            f"imported, {unused}{where}."
            if self.clips
            else f"No usable audio files: {unused}."
        )
        self.ok_button.setEnabled(bool(self.clips))

    def _on_failed(self, message: str) -> None:
        self.import_done = True
        self.bar.setRange(0, 1)
        self.status.setText(f"⚠ Cannot import: {message}")

    # ---- the answer ------------------------------------------------------------------------
    def settled(self) -> dict:
        """The data settings to apply: keys are dotted paths in the project's data section."""
        split = {name: editor.widget.value() for name, editor in self.split_editors.items()}
        return {"path": self.folder, "split": split}

    def done(self, result: int) -> None:
        self.worker.cancel()
        super().done(result)


def _count(n: int, noun: str) -> str:
    plural = "es" if noun.endswith("s") else "s"
    return f"{n} {noun}" + ("" if n == 1 else plural)


def _settings_line(audio: dict) -> str:
    from core.catalog.data import AUDIO_DEFAULTS

    given = {**AUDIO_DEFAULTS, **audio}
    kind = "mel spectrogram" if given["kind"] == "mel" else "DFT magnitude"
    return (
        f"As {kind} frames at {given['sample_rate']} Hz, at most "
        f"{given['max_seconds_per_file']:g} s of each file (the Sound settings)"
    )
