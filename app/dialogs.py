"""Every question the window asks, in one place (:class:`Dialogs`), and the window's dialogs.

Tests answer the questions by subclassing :class:`Dialogs` (tests/app/conftest.py), so no
modal ever blocks them.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.settings import Settings
from core import templates


class Dialogs:
    """Every question the window asks, and every modal it shows. Tests subclass it to answer
    them, or monkeypatch QMessageBox."""

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

    def open_run_folder(self, folder: str) -> str | None:
        path = QFileDialog.getExistingDirectory(self.parent, "Open run folder", folder)
        return path or None

    def save_file(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self.parent, "Save project as", suggested, "Layerwise projects (*.json)"
        )
        return path or None

    def open_model_file(self, folder: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            self.parent, "Import Keras model", folder, "Keras models (*.keras);;All files (*)"
        )
        return path or None

    def ask_export(self, sources: list, folder: str):
        """What to export, as what and where (an ``ExportChoice``), or None."""
        from app.model_export import ExportDialog

        dialog = ExportDialog(sources, folder, self.parent)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def show_unmapped(self, name: str, layers: list[str]) -> None:
        """The layers of an imported model that no block expresses."""
        QMessageBox.information(
            self.parent,
            "Layers left out",
            f"These layers of {name} have no block and were left out:\n\n"
            + "\n".join(f"• {line}" for line in layers),
        )

    def choose_folder(self, title: str, start: str) -> str | None:
        path = QFileDialog.getExistingDirectory(self.parent, title, start)
        return path or None

    def choose_file(self, title: str, start: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, start, filters)
        return path or None

    def import_midi_folder(self, data: dict) -> dict | None:
        """The MIDI import dialog for ``data["path"]``: the data settings it settles (dotted
        keys: "path", "representation.transpose", "split"), or None when cancelled."""
        from app.midi_import_dialog import MidiImportDialog

        dialog = MidiImportDialog(data, self.parent)
        return dialog.settled() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def import_audio_folder(self, data: dict) -> dict | None:
        """The audio import dialog for ``data["path"]`` with ``data["audio"]``'s settings: the
        data settings it settles (dotted keys: "path", "split"), or None when cancelled."""
        from app.audio_import_dialog import AudioImportDialog

        dialog = AudioImportDialog(data, self.parent)
        return dialog.settled() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def choose_template(self) -> str | None:
        dialog = TemplateDialog(self.parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def edit_preferences(self, settings: Settings) -> bool:
        """True when the user saved new preferences into ``settings``."""
        dialog = PreferencesDialog(settings, self.parent)
        return dialog.exec() == QDialog.DialogCode.Accepted

    def show_command(self, title: str, text: str, command: str) -> None:
        """Say ``text`` with a shell command the user can select and copy."""
        box = QMessageBox(QMessageBox.Icon.Information, title, f"{text}\n\n{command}")
        box.setParent(self.parent, box.windowFlags())
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.exec()

    def about(self, version: str) -> None:
        QMessageBox.about(
            self.parent,
            "About Layerwise",
            f"<b>Layerwise {version}</b><br>A workbench for deep learning on music: "
            "build a network from blocks, pretrain it layer by layer, fine-tune it, listen to "
            "what it learned and export it.",
        )


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
        self.renderer = QLabel(self)
        self.renderer.setObjectName("rendererInUse")
        self.soundfont.textChanged.connect(self._show_renderer)
        self._show_renderer()
        form = QFormLayout()
        form.addRow("Audio output", self.device)
        form.addRow("SoundFont", row)
        form.addRow("", self.renderer)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 140)

    def _show_renderer(self, *_) -> None:
        """Which renderer plays, with which SoundFont (FluidSynth reads it; the built-in
        synthesiser, used without FluidSynth, does not)."""
        from app.panels.audition_transport import renderer_text

        self.renderer.setText(renderer_text(_renderer(), self.soundfont.text().strip() or None))

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


def _renderer() -> str | None:
    """The renderer that plays and exports pieces here, or None when none works."""
    try:
        from core.music.render import available_renderer

        return available_renderer()
    except Exception:  # noqa: BLE001 - shown as "unavailable"
        return None
