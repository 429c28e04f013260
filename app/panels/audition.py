"""The audition panel: generate pieces from a run or a model, see them as a piano roll,
listen, export.

Generation and rendering run on workers (:class:`app.workers.calls.CallWorker`, the jobs in
:mod:`app.panels.audition_jobs`); the playhead is drawn by a QTimer polling the player's
position. With no audio device the panel says so and everything else (generation, export)
still works. The main window hands it the audio output (:meth:`AuditionPanel.
set_audio_device`) and the SoundFont (:meth:`AuditionPanel.set_soundfont`) from its
preferences; its sources (runs, models, MIDI files) are in
:mod:`app.panels.audition_sources`, its playback (a piece heard while it renders) in
:mod:`app.panels.audition_playback`.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QListWidget,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.panels.audition_clip import ClipAudition
from app.panels.audition_export import SAMPLE_RATE, ExportMixin
from app.panels.audition_jobs import generate as _generate
from app.panels.audition_jobs import load_model_info as _load_model_info
from app.panels.audition_jobs import render as _render
from app.panels.audition_pieces import PieceListMixin
from app.panels.audition_playback import PlaybackMixin
from app.panels.audition_sources import SourceMixin
from app.panels.audition_stats import PieceStatistics
from app.panels.audition_transport import (
    ExportRow,
    MessageBanner,
    TransportRow,
    renderer_text,
)
from app.panels.generation_controls import (
    LATENT_METHODS,
    LOADING,
    GenerationControls,
    piece_name,
)
from app.pianoroll_view import PianoRollView
from app.steady_label import SteadyLabel
from app.wheel_guard import guard_wheel
from app.workers.calls import CallWorker
from app.workers.gate import TF_GATE

__all__ = ["SAMPLE_RATE", "AuditionPanel"]


def import_run_readers() -> None:
    """Import what :meth:`AuditionPanel.set_run` reads a run with (tens of milliseconds)."""
    import core.audio.audition  # noqa: F401


class AuditionPanel(SourceMixin, PieceListMixin, PlaybackMixin, ExportMixin, QWidget):
    """Generate, look, listen, export. ``set_run(run_dir)`` points it at a run folder,
    ``open_model(path)`` at a .keras file; ``open_midi(path)`` adds a piece."""

    pieceChanged = Signal()
    exported = Signal(str)  # path written
    messageChanged = Signal(str)

    POLL_MS = 30

    def __init__(self, parent=None):
        super().__init__(parent)
        self.run_dir: str | None = None
        self.piece = None  # the PianoRoll shown
        self.pieces: list = []  # (name, PianoRoll)
        self.player = None  # app.audio.AudioPlayer, made on first Play (tests inject)
        self.audio_device: str | None = None  # None: the system's default output
        self.soundfont: str | None = None  # None: the bundled General MIDI SoundFont
        self.renderer_name: str | None = None
        self._init_sources()
        self._audio = None  # (key, audio)
        self._seek_to = 0.0  # seconds where the next Play starts
        self._pending_play = False
        self._snapshot_files: list[str] = []
        self._worker = CallWorker(self)
        self._worker.result.connect(self._on_result)
        self._worker.failed.connect(self._on_failed)
        self._build()
        self._poll = QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        self._snap_timer = QTimer(self)
        self._snap_timer.setInterval(2000)
        self._snap_timer.timeout.connect(self.refresh_snapshots)
        self._show_renderer(self._available_renderer())
        # What a run's first showing needs, loaded now rather than in the turn a run starts.
        QTimer.singleShot(0, self, import_run_readers)

    # ---- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        self.run_label = SteadyLabel("No run selected")  # a new run repaints only this line
        bold = self.run_label.font()
        bold.setBold(True)
        self.run_label.setFont(bold)
        self.message_label = MessageBanner()
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self._build_left())
        split.addWidget(self._build_right())
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 800])
        layout = QVBoxLayout(self)
        layout.addWidget(self.run_label)
        layout.addWidget(self.message_label.room)
        layout.addWidget(split, 1)
        guard_wheel(self)  # the wheel scrolls the controls; it edits only the focused field
        self._update_controls()

    def _build_left(self) -> QScrollArea:
        """Generation controls, the run's snapshots and the pieces, scrolling when short."""
        self.controls = GenerationControls()
        self.controls.generateClicked.connect(self.generate)
        self.controls.latentReleased.connect(self._on_latent_released)
        self.controls.method_combo.currentTextChanged.connect(self._on_method_changed)
        for name in ("method_combo", "seed_spin", "bars_spin", "temperature_spin"):
            setattr(self, name, getattr(self.controls, name))
        for name in ("threshold_spin", "latent_box", "latent_sliders", "interp_box", "start_combo"):
            setattr(self, name, getattr(self.controls, name))
        for name in ("piece_a", "piece_b", "interp_steps", "generate_button"):
            setattr(self, name, getattr(self.controls, name))
        snaps = QGroupBox("Snapshots of this run (earlier epochs)")
        self.snapshot_list = QListWidget()
        self.snapshot_list.itemActivated.connect(self._on_snapshot_activated)
        self.snapshot_list.itemClicked.connect(self._on_snapshot_activated)
        QVBoxLayout(snaps).addWidget(self.snapshot_list)
        pieces = QGroupBox("Pieces")
        self.piece_list = QListWidget()
        self.piece_list.currentRowChanged.connect(self._on_piece_row)
        QVBoxLayout(pieces).addWidget(self.piece_list)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.controls)
        column.addWidget(snaps, 1)
        column.addWidget(pieces, 1)
        self.snapshot_list.setMinimumHeight(80)
        self.piece_list.setMinimumHeight(80)
        # The controls scroll when the dock is short; the roll and transport stay in view.
        left = QScrollArea()
        left.setWidget(inner)
        left.setWidgetResizable(True)
        left.setFrameShape(QFrame.NoFrame)
        left.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        left.setMinimumWidth(inner.sizeHint().width() + 20)
        return left

    def _build_right(self) -> QWidget:
        """A sound run's clips, the piano roll, the transport row and the export row."""
        self.clip_audition = ClipAudition()
        self.clip_audition.playRequested.connect(self.play_sound)
        self.clip_audition.stopRequested.connect(self.stop)
        self.roll_view = PianoRollView()
        self.roll_view.setMinimumHeight(120)
        self.roll_view.seekRequested.connect(self.seek)
        self.transport = TransportRow()
        self.transport.play_button.clicked.connect(self.toggle_play)
        self.transport.stop_button.clicked.connect(self.stop)
        self.transport.loop_check.toggled.connect(self._on_loop)
        self.transport.tempo_spin.valueChanged.connect(self._on_sound_changed)
        self.transport.program_combo.currentIndexChanged.connect(self._on_sound_changed)
        for name in ("play_button", "stop_button", "loop_check", "tempo_spin"):
            setattr(self, name, getattr(self.transport, name))
        self.program_combo = self.transport.program_combo
        self.position_label = self.transport.position_label
        self.export_row = ExportRow()
        self.export_row.midi_button.clicked.connect(self._ask_midi)
        self.export_row.wav_button.clicked.connect(self._ask_wav)
        self.export_row.png_button.clicked.connect(self._ask_png)
        for name in ("renderer_label", "midi_button", "wav_button", "png_button"):
            setattr(self, name, getattr(self.export_row, name))
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.clip_audition, 1)
        column.addWidget(self.roll_view, 1)
        column.addLayout(self.transport)
        column.addLayout(self.export_row)
        self.statistics = PieceStatistics(self)  # follows pieceChanged
        column.addWidget(self.statistics)
        return right

    # ---- settings from the window ---------------------------------------------------------
    def set_audio_device(self, name: str | None) -> None:
        """Play through the output device ``name`` (None: the system default) from now on."""
        self.audio_device = name or None
        if self.player is not None and getattr(self.player, "device", None) != self.audio_device:
            self.stop()
            self.player = None  # made again, on the new device, at the next Play

    def set_soundfont(self, path: str | None) -> None:
        """Render with the SoundFont ``path`` (None: the bundled one) from now on."""
        self.soundfont = os.fspath(path) if path else None
        self._drop_audio()  # rendered again on the next Play
        self._show_renderer(self._available_renderer())

    @Slot()
    def generate(self) -> None:
        if not self.model_source:
            self._set_message("Choose a trained run or open a model first", "info")
            return
        method = self.controls.method
        if not method or method == LOADING or self.controls.busy:
            return
        try:
            request = self.controls.request(self.pieces, self.transport.sound())
        except ValueError as exc:
            self._set_message(str(exc), "warning")
            return
        self.controls.set_busy(True)
        if TF_GATE.busy:
            self._set_message(
                "The piece is generated when the training run now going ends (TensorFlow "
                "cannot train and generate at once here); snapshots can be played meanwhile",
                "info",
            )
        label = piece_name(request, self.controls.start_name(self.pieces))
        tag = ("generate", label, self.model_source)
        self._worker.call(tag, self._job("generate"), self.model_source, request)

    @Slot()
    def _on_latent_released(self) -> None:
        """A latent slider let go: hear the new code at once."""
        if self.controls.method in LATENT_METHODS and self.latent_box.isChecked():
            self.generate()

    @staticmethod
    def _job(name: str):
        """The worker function for ``name``, looked up when called (tests replace them)."""
        return {"load": _load_model_info, "generate": _generate, "render": _render}[name]

    # ---- worker answers (GUI thread) --------------------------------------------------------
    @Slot(object, object)
    def _on_result(self, tag, value) -> None:
        handler = {
            "load": self._loaded,
            "generate": self._generated,
            "render": self._rendered,
            "wav": self._wav_written,
        }[tag[0]]
        handler(tag, value)

    def _generated(self, tag, roll) -> None:
        self.controls.set_busy(False)
        self.controls.update_enabled()
        if tag[2] != self.model_source:
            return  # made for a run no longer shown: it is not this run's piece
        self._clear_message()
        self.set_roll(roll, tag[1])
        if not (roll.roll > 0).any():
            self._set_message(
                "The piece is silent: no note passed the threshold. Lower the threshold "
                "or train longer.",
                "warning",
            )

    def _wav_written(self, tag, value) -> None:
        path, renderer, audio = value
        self._show_renderer(renderer)
        if tag[2] == self._sound_key():
            self._audio = (tag[2], audio)
        self._set_message(f"Saved {path}", "success")
        self.exported.emit(path)

    @Slot(object, str)
    def _on_failed(self, tag, message: str) -> None:
        what = tag[0]
        if what == "load":
            if tag[1] != self.model_source:
                return
            self.controls.set_methods([], None)
            self._set_message(f"Cannot generate from this model: {message}", "error")
        elif what == "generate":
            self.controls.set_busy(False)
            self._set_message(f"Generation failed: {message}", "error")
        elif what == "render":
            self._pending_play = False
            self.play_button.setEnabled(True)
            self._set_message(f"Rendering failed: {message}", "error")
        elif what == "wav":
            self._set_message(f"Could not save {tag[1]}: {message}", "error")
        self._update_controls()

    # ---- small things ---------------------------------------------------------------------
    @Slot(str)
    def _on_method_changed(self, method: str) -> None:
        self._update_controls()

    def _update_controls(self) -> None:
        self.controls.update_enabled()
        has_piece = self.piece is not None
        for w in (
            self.play_button,
            self.stop_button,
            self.midi_button,
            self.wav_button,
            self.png_button,
        ):
            w.setEnabled(has_piece)

    def _available_renderer(self) -> str | None:
        try:
            from core.music.render import available_renderer

            return available_renderer()
        except Exception:
            return None

    def _show_renderer(self, name: str | None) -> None:
        self.renderer_name = name
        self.renderer_label.setText(renderer_text(name, self.soundfont))

    def _set_message(self, text: str, kind: str = "error") -> None:
        """Say ``text`` in the banner, styled by ``kind``: error, warning, success or info."""
        self.message_label.say(text, kind)
        self.messageChanged.emit(text)

    def _clear_message(self) -> None:
        self.message_label.clear_message()

    def hideEvent(self, event) -> None:
        self._snap_timer.stop()
        super().hideEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.run_dir:
            self._snap_timer.start()

    def closeEvent(self, event) -> None:
        self.stop()
        super().closeEvent(event)
