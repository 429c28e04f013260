"""The inspector's sound rows (a part of :class:`app.panels.inspector.Inspector`): an audio
source's spectral-frame settings, with editors that speak in units (Hz, seconds) and name the
kind of frames in words, and Import… of an audio folder (:mod:`app.audio_import_dialog`),
which settles the folder and the split as one undoable edit.
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QSpinBox

from app.panels.param_editors import FloatBox
from core.catalog.data import AUDIO_PARAMS, SOURCE_INDEX

AUDIO_FOLDER = "audio-folder"
CHOOSE_FOLDER = "Choose a folder of audio files (one subfolder per class)"
KIND_LABELS = {"mel": "Mel spectrogram", "dft": "DFT magnitude"}
COMMON_RATES = (8000, 11025, 16000, 22050, 32000, 44100, 48000)


class RateBox(QSpinBox):
    """A sample rate in Hz; the arrows step from one common rate to the next."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSuffix(" Hz")
        self.setKeyboardTracking(False)

    def stepBy(self, steps: int) -> None:
        value = self.value()
        if steps > 0:
            higher = [r for r in COMMON_RATES if r > value and r <= self.maximum()]
            target = higher[min(steps, len(higher)) - 1] if higher else self.maximum()
        else:
            lower = [r for r in reversed(COMMON_RATES) if r < value and r >= self.minimum()]
            target = lower[min(-steps, len(lower)) - 1] if lower else self.minimum()
        self.setValue(target)


def audio_widget(param):
    """The editing widget of an audio setting where the plain one would not say enough."""
    if param.name == "sample_rate":
        box = RateBox()
        box.setRange(int(param.minimum), int(param.maximum))
        return box
    if param.name == "max_seconds_per_file":
        box = FloatBox()
        box.setRange(float(param.minimum), float(param.maximum))
        box.setSuffix(" s")
        return box
    return None


class AudioForm:
    """The "Sound" section of the project form and the audio folder import (a mixin of
    Inspector, beside DataForm)."""

    def _build_audio(self, layout) -> None:
        form = self._section(layout, "Sound")
        self._audio_form = form
        self._audio_box = form.parentWidget()
        for param in AUDIO_PARAMS:
            editor = self._add(
                form,
                "audio",
                param,
                lambda p=param: self.doc.project.data.get("audio", {}).get(p.name, p.default),
                self._setting_writer(("data", "audio", param.name)),
                widget=audio_widget(param),
            )
            if isinstance(editor.widget, QComboBox):
                for i in range(editor.widget.count()):
                    data = editor.widget.itemData(i)
                    editor.widget.setItemText(i, KIND_LABELS.get(data, str(data)))

    def _show_audio_rows(self, source) -> None:
        """The sound rows for a sound source only; the mel bands only for mel frames."""
        if getattr(self, "_audio_box", None) is None:
            return
        self._audio_box.setVisible(source is None or bool(getattr(source, "audio", False)))
        mels = self.editor("n_mels", "audio")
        if mels is not None:
            kind = self.doc.project.data.get("audio", {}).get("kind", "mel")
            mels.set_row_visible(self._audio_form, kind == "mel")

    # ---- Import audio folder… ---------------------------------------------------------------
    def choose_and_import_audio_folder(self) -> None:
        """File › Import Audio Folder…: ask for a folder, then import it."""
        chosen = self.dialogs().choose_folder(CHOOSE_FOLDER, self._start_folder())
        if chosen:
            self.import_audio_folder(chosen)

    def import_audio_folder(self, folder: str | None = None) -> None:
        """The import dialog for ``folder`` (else the project's) with the project's sound
        settings; what it settles (the source, the folder, the split) is one undoable edit."""
        data = copy.deepcopy(self.doc.project.data)
        folder = folder or (data.get("path") if data.get("source") == AUDIO_FOLDER else None)
        if not folder:
            self.choose_and_import_audio_folder()
            return
        data["source"] = AUDIO_FOLDER
        data["path"] = str(folder)
        settled = self.dialogs().import_audio_folder(data)
        if not settled:
            return
        changes: dict[tuple, object] = {}
        if self.doc.project.data.get("source") != AUDIO_FOLDER:
            changes[("data", "source")] = AUDIO_FOLDER
        changes.update({("data", *key.split(".")): value for key, value in settled.items()})
        self._push_data_settings(changes, f"Import audio folder {Path(folder).name}")


def is_audio_source(name) -> bool:
    source = SOURCE_INDEX.get(name)
    return bool(source is not None and getattr(source, "audio", False))
