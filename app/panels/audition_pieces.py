"""The audition panel's pieces: the list of pieces (generated or from snapshots), the
run's snapshot files, and which piece is shown. Mixed into :class:`AuditionPanel`, whose
widgets (``piece_list``, ``snapshot_list``, ``roll_view``, ``controls``) it uses."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QListWidgetItem

from app.panels.audition_jobs import snapshot_pieces
from core.runs import RunFolder, SnapshotName


def snapshot_label(path: str) -> str:
    """How a snapshot file reads in the list: phase, block, epoch."""
    name = SnapshotName.parse(path)
    return name.describe() if name is not None else os.path.basename(path)


class PieceListMixin:
    """Pieces and snapshots of an AuditionPanel."""

    # ---- pieces ---------------------------------------------------------------------------
    def set_roll(self, piano_roll, name: str = "piece") -> None:
        """Add a piece to the current source's list and show it."""
        self._own_pieces().append((name, piano_roll))
        self.pieces.append((name, piano_roll))
        self.piece_list.addItem(QListWidgetItem(name))
        self.controls.add_piece(name)
        self.piece_list.setCurrentRow(len(self.pieces) - 1)

    def current_roll(self):
        """The current piece with the panel's tempo and instrument."""
        from core.music.pianoroll import PianoRoll

        p = self.piece
        if p is None:
            return None
        sound = self.transport.sound()
        return PianoRoll(p.roll, p.steps_per_quarter, p.lowest_pitch, **sound)

    @Slot(int)
    def _on_piece_row(self, row: int) -> None:
        if not 0 <= row < len(self.pieces):
            return
        self.stop()
        self.piece = self.pieces[row][1]
        self._drop_audio()
        self.roll_view.set_roll(self.piece)
        self._update_position(0.0)
        self._update_controls()
        self.pieceChanged.emit()

    # ---- snapshots ------------------------------------------------------------------------
    @Slot()
    def refresh_snapshots(self) -> None:
        if not self.run_dir:
            return
        self._check_model_appeared()
        files = [str(path) for path in RunFolder(self.run_dir).snapshot_files()]
        if files == self._snapshot_files:
            return
        new = [f for f in files if f not in self._snapshot_files]
        self._snapshot_files = files
        for path in new:
            item = QListWidgetItem(snapshot_label(path))
            item.setData(Qt.UserRole, path)
            self.snapshot_list.addItem(item)

    @Slot(QListWidgetItem)
    def _on_snapshot_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.UserRole)
        try:
            found = snapshot_pieces(path, self.run_dir)
        except Exception as exc:
            self._set_message(f"{item.text()}: {exc}", "error")
            return
        for name, roll in found:
            self.set_roll(roll, f"{item.text()} · {name}")
