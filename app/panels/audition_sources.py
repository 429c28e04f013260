"""What the audition panel listens to: a run folder, a bare ``.keras`` model, MIDI files.

Mixed into :class:`AuditionPanel`. Each source (a run folder or a model file) keeps its own
list of pieces, so the pieces of one run are never shown with, nor interpolated against, those
of another; MIDI files the user opened stay available whichever source is chosen. A run that
has no model yet is watched: once its ``model.keras`` appears (the run finished) the model is
loaded and the "no trained model yet" note goes away.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QListWidgetItem

from app.panels.audition_jobs import representation
from core.runs import MODEL, RunFolder

NO_MODEL_YET = "This run has no trained model yet: audition its snapshots while it trains"
SOUND_RUN = "This run learns sound: hear a clip of its data and the model's reconstruction"


class SourceMixin:
    """Sources of an AuditionPanel and its per-source piece lists."""

    def _init_sources(self) -> None:
        self.model_source: str | None = None  # run folder or .keras file generated from
        self.geometry: dict = {}  # the loaded model's piano-roll geometry
        self.opened: list = []  # (name, PianoRoll) of the MIDI files opened
        self._pieces_of: dict[str | None, list] = {None: []}
        self._awaiting_model = False

    # ---- the agreed interface -------------------------------------------------------------
    def set_run(self, run_dir: str) -> None:
        """Point the panel at a run folder: its methods, its snapshots, its pieces."""
        run_dir = str(run_dir)
        same = run_dir == self.run_dir and self.model_source == run_dir
        self._switch_source(run_dir)
        self.run_dir = run_dir
        self.run_label.setText(f"Run: {os.path.basename(run_dir.rstrip(os.sep))}")
        if not same:
            self._snapshot_files = []
            self.snapshot_list.clear()
        self.refresh_snapshots()
        self._snap_timer.start()
        self._clear_message()
        if self._show_sound(run_dir):
            return
        if RunFolder(run_dir).has_model():
            self._load_model()
        else:
            self._awaiting_model = True
            self.controls.set_methods([], None)
            self._set_message(NO_MODEL_YET, "info")
        self._update_controls()

    def open_model(self, path) -> bool:
        """Generate from a ``.keras`` file (loaded in safe mode); a run's own model.keras
        opens its run. False (and a message) when it is not a model file."""
        path = Path(os.fspath(path))
        if path.name == MODEL and RunFolder(path.parent).has_model():
            self.set_run(str(path.parent))
            return True
        if path.suffix != ".keras" or not path.is_file():
            self._set_message(f"{path}: not a .keras model file", "error")
            return False
        self._switch_source(str(path))
        self.run_dir = None
        self._snap_timer.stop()
        self._snapshot_files = []
        self.snapshot_list.clear()
        self.run_label.setText(f"Model: {path.name}")
        self._show_sound(None)
        self._clear_message()
        self._load_model()
        self._update_controls()
        return True

    def open_midi(self, path) -> bool:
        """Add a MIDI file as a piece to play, and choose it as the start piece (Gibbs,
        fixed-point, attribute) and the first interpolation end. False (and one message)
        when it cannot be read or holds no notes."""
        from core.errors import LayerwiseError
        from core.music.pianoroll import read_midi

        name = os.path.basename(os.fspath(path))
        try:
            roll = read_midi(path, **self._midi_geometry())
        except LayerwiseError as exc:
            self._set_message(f"Cannot open {name}: {exc}", "error")
            return False
        if roll.steps == 0 or not (roll.roll > 0).any():
            self._set_message(f"{name} has no notes to play or start from", "error")
            return False
        self.opened.append((name, roll))
        self._show_pieces(select=len(self.opened) - 1)
        self.controls.choose_start(len(self.opened) - 1)
        self._set_message(
            f"Opened {name}: it plays, and generation starts from it where the method can",
            "success",
        )
        return True

    def _show_sound(self, run_dir: str | None) -> bool:
        """A run that learns sound shows its clips instead of piano rolls, generation and the
        piece's transport, exports and statistics (True)."""
        sound = self.clip_audition.set_run(run_dir)
        for widget in self._piano_roll_widgets():
            if widget.isHidden() != sound:  # a widget shown again is laid out and repainted
                widget.setVisible(not sound)
        if sound:
            self.controls.set_methods([], None)
            self._set_message(SOUND_RUN, "info")
            self._update_controls()
        return sound

    def _piano_roll_widgets(self) -> list:
        rows = (self.transport, self.export_row)
        in_rows = [row.itemAt(i).widget() for row in rows for i in range(row.count())]
        fixed = [self.roll_view, self.controls, self.statistics]
        return fixed + [w for w in in_rows if w is not None]

    # ---- pieces of the current source -------------------------------------------------------
    def _switch_source(self, key: str) -> None:
        if key == self.model_source:
            return
        self.model_source = key
        self.geometry = {}
        self._awaiting_model = False
        self._pieces_of.setdefault(key, [])
        self.stop()
        self._show_pieces()

    def _own_pieces(self) -> list:
        return self._pieces_of.setdefault(self.model_source, [])

    def _show_pieces(self, select: int | None = None) -> None:
        """Fill the piece list and the piece choices with the opened files and this source's
        pieces; show piece ``select`` (default: the last), or none."""
        self.pieces = [*self.opened, *self._own_pieces()]
        self.piece_list.blockSignals(True)
        self.piece_list.clear()
        for name, _ in self.pieces:
            self.piece_list.addItem(QListWidgetItem(name))
        self.piece_list.blockSignals(False)
        self.controls.set_pieces([name for name, _ in self.pieces])
        if not self.pieces:
            self.piece = None
            self._drop_audio()
            self.roll_view.set_roll(None)
            self._update_position(0.0)
            self._update_controls()
            return
        row = len(self.pieces) - 1 if select is None else select
        self.piece_list.setCurrentRow(row)
        self._on_piece_row(row)

    # ---- loading the model ----------------------------------------------------------------
    def _load_model(self) -> None:
        self._awaiting_model = False
        source = self.model_source
        self._worker.call(("load", source), self._job("load"), source)
        self.controls.set_loading()

    def _check_model_appeared(self) -> None:
        """A watched run whose model.keras has appeared is loaded (its run finished)."""
        if self._awaiting_model and self.run_dir and RunFolder(self.run_dir).has_model():
            if self.message_label.text() == NO_MODEL_YET:
                self._clear_message()
            self._load_model()

    def _loaded(self, tag, info: dict) -> None:
        if tag[1] != self.model_source or tag[1] == self.clip_audition.run_dir:
            return  # another source's, or a sound run's (loaded before its data was known)
        methods = info.get("methods") or []
        self.controls.set_methods(methods, info.get("code_size"))
        self.geometry = dict(info.get("geometry") or {})
        if not methods:
            self._set_message(info.get("why_not") or "this model cannot generate music", "error")
        if info.get("tempo"):
            self.tempo_spin.setValue(int(round(info["tempo"])))
        if info.get("program") is not None:
            self.program_combo.setCurrentIndex(int(info["program"]))
        self._update_controls()

    def _midi_geometry(self) -> dict:
        """The grid a MIDI file is read onto: the loaded model's, else the run's, else the
        default one."""
        rep = dict(self.geometry)
        if not rep and self.run_dir:
            rep = representation(self.run_dir)
        grid = {k: int(rep[k]) for k in ("steps_per_quarter", "pitch_count") if rep.get(k)}
        if rep.get("lowest_pitch") is not None:
            grid["lowest_pitch"] = int(rep["lowest_pitch"])
        return grid
