"""The audition panel's exports: MIDI, WAV (rendered on a worker) and PNG, and the file
dialogs that ask where. Mixed into :class:`AuditionPanel`."""

from __future__ import annotations

import os

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFileDialog

from app.panels.audition_jobs import render_and_write

SAMPLE_RATE = 44100


class ExportMixin:
    """Exports of an AuditionPanel's current piece."""

    # ---- export ---------------------------------------------------------------------------
    def export_midi(self, path: str) -> str:
        from core.music.pianoroll import write_midi

        roll = self.current_roll()
        if roll is None:
            raise ValueError("nothing to export yet")
        write_midi(roll, path)
        self.exported.emit(str(path))
        return str(path)

    def export_wav(self, path: str) -> None:
        """Render on a worker and write; :attr:`exported` tells when it is there."""
        roll = self.current_roll()
        if roll is None:
            raise ValueError("nothing to export yet")
        tag = ("wav", str(path), self._sound_key())
        self._worker.call(tag, render_and_write, roll, SAMPLE_RATE, str(path), self.soundfont)

    def export_png(self, path: str) -> str:
        if not self.roll_view.grab().save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
        self.exported.emit(str(path))
        return str(path)

    def _ask(self, title: str, pattern: str, suffix: str) -> str | None:
        start = os.path.join(self.run_dir or os.path.expanduser("~"), f"piece{suffix}")
        path, _ = QFileDialog.getSaveFileName(self, title, start, pattern)
        if path and not path.lower().endswith(suffix):
            path += suffix
        return path or None

    def _save(self, export, path: str | None) -> None:
        if path:
            try:
                export(path)
                self._set_message(f"Saved {path}", "success")
            except Exception as exc:
                self._set_message(f"Could not save {path}: {exc}", "error")

    @Slot()
    def _ask_midi(self) -> None:
        self._save(self.export_midi, self._ask("Export MIDI", "MIDI files (*.mid)", ".mid"))

    @Slot()
    def _ask_wav(self) -> None:
        path = self._ask("Export WAV", "WAV audio (*.wav)", ".wav")
        if path:
            self.export_wav(path)

    @Slot()
    def _ask_png(self) -> None:
        self._save(self.export_png, self._ask("Export PNG", "PNG images (*.png)", ".png"))
