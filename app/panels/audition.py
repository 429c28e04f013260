"""The audition panel: generate pieces from a run, see them as a piano roll, listen, export.

Generation and rendering run on workers (:class:`app.workers.calls.CallWorker`); the playhead is
drawn by a QTimer polling the player's position. With no audio device the panel says so and
everything else (generation, export) still works.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.pianoroll_view import PianoRollView
from app.workers.calls import CallWorker
from app.workers.gate import TF_GATE

SAMPLE_RATE = 44100
LATENT_SLIDERS = 8
LATENT_METHODS = ("decode", "vae-prior")
SNAPSHOT_RE = re.compile(r"(\d+)-(.+)-e(\d+)\.npz$")


def gm_program_names() -> list[str]:
    try:
        import pretty_midi

        return [pretty_midi.program_to_instrument_name(i) for i in range(128)]
    except Exception:
        return [f"Program {i}" for i in range(128)]


def _generation_api():
    """core.music.generate, or None while it is not there yet."""
    try:
        from core.music import generate
    except ImportError:
        return None
    return generate


def _load_model_info(run_dir: str) -> dict:
    """Worker: load a run for generation; what the panel needs to know about it."""
    gen = _generation_api()
    if gen is None:
        return {"methods": [], "why_not": "generation is not available in this build"}
    with TF_GATE.exclusive():  # never beside a training session's tracing
        gm = gen.load(run_dir)
    info = {
        "methods": list(gm.methods),
        "why_not": getattr(gm, "why_not", ""),
        "tempo": getattr(gm, "tempo", 120.0),
        "program": getattr(gm, "program", 0),
        "code_size": None,
    }
    if any(m in gm.methods for m in LATENT_METHODS + ("vae-interpolate",)):
        try:
            with TF_GATE.exclusive():
                info["code_size"] = int(gm.code_size())
        except Exception:
            info["code_size"] = None
    return info


def _generate(run_dir: str, kwargs: dict):
    gen = _generation_api()
    if gen is None:
        raise RuntimeError("generation is not available in this build")
    with TF_GATE.exclusive():
        return gen.generate(run_dir, **kwargs)


def _render(roll, sample_rate: int):
    from core.music.render import render

    return render(roll, sample_rate)


def _render_and_write(roll, sample_rate: int, path: str):
    from core.music.render import render, write_wav

    audio, renderer = render(roll, sample_rate)
    write_wav(audio, sample_rate, path)
    return path, renderer, audio


def _representation(run_dir: str) -> dict:
    """Piano-roll geometry of a run: steps per quarter, lowest pitch, pitch count."""
    rep: dict = {}
    for name in ("summary.json", "project.json"):
        try:
            with open(os.path.join(run_dir, name)) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        data = doc.get("data") or {}
        rep = dict(data.get("representation") or data)
        rep.setdefault("source", data.get("source"))
        if rep.get("steps_per_quarter") or rep.get("pitch_count"):
            break
    return rep


def snapshot_pieces(path: str, run_dir: str) -> list:
    """PianoRolls (reconstructions, then inputs) held by a snapshot .npz of music data."""
    from core.music.pianoroll import PianoRoll

    rep = _representation(run_dir)
    spq = int(rep.get("steps_per_quarter") or 4)
    low = int(rep.get("lowest_pitch") if rep.get("lowest_pitch") is not None else 36)
    count = int(rep.get("pitch_count") or 0)
    window = int(rep.get("window_steps") or 0)
    pieces = []
    with np.load(path, allow_pickle=False) as z:
        kind = str(z["sample_kind"]) if "sample_kind" in z.files else ""
        if kind == "image" or rep.get("source") == "digits":
            raise ValueError("this run learns images, not music: nothing to play")
        for key, label in (("reconstructions", "reconstruction"), ("inputs", "input")):
            if key not in z.files:
                continue
            arr = np.asarray(z[key], np.float32)
            for i, x in enumerate(arr):
                x = np.squeeze(x)
                if x.ndim == 1 and count and window and x.size == window * count:
                    x = x.reshape(window, count)
                if x.ndim != 2 or (count and x.shape[1] != count):
                    continue  # a hidden layer's code, not a piano roll
                if low + x.shape[1] > 128:
                    low = max(0, 128 - x.shape[1])
                pieces.append((f"{label} {i + 1}", PianoRoll(np.clip(x, 0, 1), spq, low)))
    if not pieces:
        raise ValueError("this snapshot holds no piano rolls")
    return pieces


class AuditionPanel(QWidget):
    """Generate, look, listen, export. ``set_run(run_dir)`` points it at a run folder."""

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
        self.renderer_name: str | None = None
        self._audio = None  # (key, audio)
        self._pending_play = False
        self._code_size: int | None = None
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
        try:
            from core.music.render import available_renderer

            self._show_renderer(available_renderer())
        except Exception:
            self._show_renderer(None)

    # ---- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        self.run_label = QLabel("No run selected")
        self.run_label.setStyleSheet("font-weight: bold;")
        self.renderer_label = QLabel()
        self.renderer_label.setStyleSheet("color: #555;")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(
            "QLabel { background: #fff4e5; color: #7a4a00; border: 1px solid #f0c27a;"
            " border-radius: 4px; padding: 4px; }"
        )
        self.message_label.hide()

        # Generation.
        gen = QGroupBox("Generate")
        form = QFormLayout(gen)
        self.method_combo = QComboBox()
        self.method_combo.currentTextChanged.connect(self._on_method_changed)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.bars_spin = QSpinBox()
        self.bars_spin.setRange(1, 64)
        self.bars_spin.setValue(4)
        self.temperature_spin = QDoubleSpinBox()
        self.temperature_spin.setRange(0.0, 5.0)
        self.temperature_spin.setSingleStep(0.1)
        self.temperature_spin.setValue(1.0)
        self.threshold_spin = QDoubleSpinBox()
        self.threshold_spin.setRange(0.0, 1.0)
        self.threshold_spin.setSingleStep(0.05)
        self.threshold_spin.setValue(0.5)
        form.addRow("Method", self.method_combo)
        form.addRow("Seed", self.seed_spin)
        form.addRow("Bars", self.bars_spin)
        form.addRow("Temperature", self.temperature_spin)
        form.addRow("Threshold", self.threshold_spin)
        self.latent_box = QGroupBox("Latent code (first dimensions)")
        self.latent_box.setCheckable(True)
        self.latent_box.setChecked(False)
        latent = QGridLayout(self.latent_box)
        self.latent_sliders: list[QSlider] = []
        for i in range(LATENT_SLIDERS):
            s = QSlider(Qt.Horizontal)
            s.setRange(-300, 300)
            s.setValue(0)
            s.setToolTip(f"dimension {i + 1}")
            latent.addWidget(QLabel(f"z{i + 1}"), i // 2, 2 * (i % 2))
            latent.addWidget(s, i // 2, 2 * (i % 2) + 1)
            self.latent_sliders.append(s)
        form.addRow(self.latent_box)
        self.interp_box = QGroupBox("Interpolate between two pieces")
        interp = QFormLayout(self.interp_box)
        self.piece_a = QComboBox()
        self.piece_b = QComboBox()
        self.interp_steps = QSpinBox()
        self.interp_steps.setRange(2, 32)
        self.interp_steps.setValue(5)
        interp.addRow("From", self.piece_a)
        interp.addRow("To", self.piece_b)
        interp.addRow("Points", self.interp_steps)
        form.addRow(self.interp_box)
        self.generate_button = QPushButton("Generate")
        self.generate_button.clicked.connect(self.generate)
        form.addRow(self.generate_button)

        # Snapshots and pieces.
        snaps = QGroupBox("Snapshots of this run (earlier epochs)")
        sl = QVBoxLayout(snaps)
        self.snapshot_list = QListWidget()
        self.snapshot_list.itemActivated.connect(self._on_snapshot_activated)
        self.snapshot_list.itemClicked.connect(self._on_snapshot_activated)
        sl.addWidget(self.snapshot_list)
        pieces = QGroupBox("Pieces")
        pl = QVBoxLayout(pieces)
        self.piece_list = QListWidget()
        self.piece_list.currentRowChanged.connect(self._on_piece_row)
        pl.addWidget(self.piece_list)

        inner = QWidget()
        ll = QVBoxLayout(inner)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(gen)
        ll.addWidget(snaps, 1)
        ll.addWidget(pieces, 1)
        self.snapshot_list.setMinimumHeight(80)
        self.piece_list.setMinimumHeight(80)
        # The controls scroll when the dock is short; the roll and transport stay in view.
        left = QScrollArea()
        left.setWidget(inner)
        left.setWidgetResizable(True)
        left.setFrameShape(QFrame.NoFrame)
        left.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        left.setMinimumWidth(inner.sizeHint().width() + 20)

        # Piano roll, transport and export.
        self.roll_view = PianoRollView()
        self.roll_view.setMinimumHeight(120)
        self.play_button = QPushButton("Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.loop_check = QCheckBox("Loop")
        self.loop_check.toggled.connect(self._on_loop)
        self.tempo_spin = QSpinBox()
        self.tempo_spin.setRange(20, 300)
        self.tempo_spin.setValue(100)
        self.tempo_spin.setSuffix(" BPM")
        self.tempo_spin.valueChanged.connect(self._on_sound_changed)
        self.program_combo = QComboBox()
        for i, name in enumerate(gm_program_names()):
            self.program_combo.addItem(f"{i + 1}. {name}", i)
        self.program_combo.currentIndexChanged.connect(self._on_sound_changed)
        self.position_label = QLabel("0:00.0 / 0:00.0")
        transport = QHBoxLayout()
        for w in (self.play_button, self.stop_button, self.loop_check):
            transport.addWidget(w)
        transport.addWidget(QLabel("Tempo"))
        transport.addWidget(self.tempo_spin)
        transport.addWidget(QLabel("Instrument"))
        transport.addWidget(self.program_combo, 1)
        transport.addWidget(self.position_label)
        self.midi_button = QPushButton("Export MIDI…")
        self.wav_button = QPushButton("Export WAV…")
        self.png_button = QPushButton("Export PNG…")
        self.midi_button.clicked.connect(self._ask_midi)
        self.wav_button.clicked.connect(self._ask_wav)
        self.png_button.clicked.connect(self._ask_png)
        export = QHBoxLayout()
        export.addWidget(self.renderer_label, 1)
        for w in (self.midi_button, self.wav_button, self.png_button):
            export.addWidget(w)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.roll_view, 1)
        rl.addLayout(transport)
        rl.addLayout(export)

        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 800])

        layout = QVBoxLayout(self)
        layout.addWidget(self.run_label)
        layout.addWidget(self.message_label)
        layout.addWidget(split, 1)
        self._update_controls()

    # ---- the agreed interface -------------------------------------------------------------
    def set_run(self, run_dir: str) -> None:
        """Point the panel at a run folder: its methods, its snapshots, its settings."""
        self.run_dir = str(run_dir)
        self.run_label.setText(f"Run: {os.path.basename(self.run_dir.rstrip(os.sep))}")
        self.method_combo.clear()
        self._snapshot_files = []
        self.snapshot_list.clear()
        self.refresh_snapshots()
        self._snap_timer.start()
        if os.path.exists(os.path.join(self.run_dir, "model.keras")):
            self._worker.call(("load", self.run_dir), _load_model_info, self.run_dir)
            self.method_combo.addItem("loading…")
            self.method_combo.setEnabled(False)
        else:
            self._set_message(
                "This run has no trained model yet: audition its snapshots while it trains"
            )
        self._update_controls()

    def toggle_play(self) -> None:
        """Play the current piece (rendering it first on a worker), or pause / resume."""
        player = self.player
        if player is not None and player.state == "playing":
            player.pause()
            self._poll.stop()
            self.play_button.setText("Play")
            return
        if player is not None and player.state == "paused":
            player.resume()
            self._poll.start()
            self.play_button.setText("Pause")
            return
        if self.piece is None:
            self._set_message("Nothing to play yet: generate a piece or pick a snapshot")
            return
        key = self._sound_key()
        if self._audio is not None and self._audio[0] == key:
            self._start_playback(self._audio[1])
        else:
            self._pending_play = True
            self.play_button.setEnabled(False)
            self._worker.call(("render", key), _render, self.current_roll(), SAMPLE_RATE)

    # ---- pieces ---------------------------------------------------------------------------
    def set_roll(self, piano_roll, name: str = "piece") -> None:
        """Add a piece to the list and show it."""
        self.pieces.append((name, piano_roll))
        self.piece_list.addItem(QListWidgetItem(name))
        for combo in (self.piece_a, self.piece_b):
            combo.addItem(name)
        if self.piece_b.count() >= 2 and self.piece_b.currentIndex() == 0:
            self.piece_b.setCurrentIndex(1)
        self.piece_list.setCurrentRow(len(self.pieces) - 1)

    def current_roll(self):
        """The current piece with the panel's tempo and instrument."""
        from core.music.pianoroll import PianoRoll

        p = self.piece
        if p is None:
            return None
        return PianoRoll(
            p.roll,
            p.steps_per_quarter,
            p.lowest_pitch,
            tempo=float(self.tempo_spin.value()),
            program=int(self.program_combo.currentData() or 0),
        )

    @Slot(int)
    def _on_piece_row(self, row: int) -> None:
        if not 0 <= row < len(self.pieces):
            return
        self.stop()
        self.piece = self.pieces[row][1]
        self._audio = None
        self.roll_view.set_roll(self.piece)
        self._update_position(0.0)
        self._update_controls()
        self.pieceChanged.emit()

    @Slot()
    def generate(self) -> None:
        if not self.run_dir:
            self._set_message("Choose a trained run first")
            return
        method = self.method_combo.currentText()
        if not method or method == "loading…":
            return
        kwargs = dict(
            method=method,
            seed=self.seed_spin.value(),
            bars=self.bars_spin.value(),
            temperature=self.temperature_spin.value(),
            threshold=self.threshold_spin.value(),
            tempo=float(self.tempo_spin.value()),
            program=int(self.program_combo.currentData() or 0),
        )
        if method in LATENT_METHODS and self.latent_box.isChecked() and self._code_size:
            code = np.zeros(self._code_size, np.float32)
            n = min(self._code_size, LATENT_SLIDERS)
            code[:n] = [s.value() / 100.0 for s in self.latent_sliders[:n]]
            kwargs["code"] = code
        if method == "vae-interpolate":
            a, b = self.piece_a.currentIndex(), self.piece_b.currentIndex()
            if a < 0 or b < 0 or a == b:
                self._set_message("Pick two different pieces to interpolate between")
                return
            kwargs["pieces"] = [self.pieces[a][1], self.pieces[b][1]]
            kwargs["steps"] = self.interp_steps.value()
        self.generate_button.setEnabled(False)
        self.generate_button.setText("Generating…")
        if TF_GATE.busy:
            self._set_message(
                "The piece is generated when the training run now going ends (TensorFlow "
                "cannot train and generate at once here); snapshots can be played meanwhile",
                error=False,
            )
        label = f"{method} seed {kwargs['seed']}"
        self._worker.call(("generate", label), _generate, self.run_dir, kwargs)

    # ---- snapshots ------------------------------------------------------------------------
    @Slot()
    def refresh_snapshots(self) -> None:
        if not self.run_dir:
            return
        files = sorted(glob.glob(os.path.join(self.run_dir, "snapshots", "*.npz")))
        if files == self._snapshot_files:
            return
        new = [f for f in files if f not in self._snapshot_files]
        self._snapshot_files = files
        for path in new:
            m = SNAPSHOT_RE.search(os.path.basename(path))
            if m:
                text = f"phase {int(m.group(1)) + 1} · {m.group(2)} · epoch {int(m.group(3))}"
            else:
                text = os.path.basename(path)
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, path)
            self.snapshot_list.addItem(item)

    @Slot(QListWidgetItem)
    def _on_snapshot_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.UserRole)
        try:
            found = snapshot_pieces(path, self.run_dir)
        except Exception as exc:
            self._set_message(f"{item.text()}: {exc}")
            return
        for name, roll in found:
            self.set_roll(roll, f"{item.text()} · {name}")

    # ---- transport ------------------------------------------------------------------------
    def _sound_key(self):
        return (id(self.piece), self.tempo_spin.value(), self.program_combo.currentIndex())

    def _ensure_player(self):
        if self.player is None:
            from app.audio import AudioPlayer

            self.player = AudioPlayer()
        return self.player

    def _start_playback(self, audio) -> None:
        from app.audio import AudioUnavailable

        self.play_button.setEnabled(True)
        try:
            player = self._ensure_player()
            player.play(audio, SAMPLE_RATE, loop=self.loop_check.isChecked())
        except AudioUnavailable as exc:
            self._set_message(f"No sound: {exc}. Export still works.")
            self.play_button.setText("Play")
            return
        except Exception as exc:  # a broken device must not take the window down
            self._set_message(f"No sound: the audio output failed ({exc}). Export still works.")
            self.play_button.setText("Play")
            return
        self._clear_message()
        self.play_button.setText("Pause")
        self._poll.start()

    @Slot()
    def stop(self) -> None:
        if self.player is not None:
            with contextlib.suppress(Exception):
                self.player.stop()
        self._poll.stop()
        self._pending_play = False
        self.play_button.setText("Play")
        self.play_button.setEnabled(self.piece is not None)
        self.roll_view.set_playhead(0.0)
        self._update_position(0.0)

    @Slot(bool)
    def _on_loop(self, on: bool) -> None:
        if self.player is not None:
            self.player.loop = on

    def _on_sound_changed(self, *_):
        self._audio = None  # rendered again on the next Play

    @Slot()
    def _on_poll(self) -> None:
        player = self.player
        if player is None:
            self._poll.stop()
            return
        pos = float(player.position)
        stream = getattr(player, "_stream", None)
        if stream is not None and player.state == "playing":
            try:  # a device that vanished leaves an inactive stream behind
                if not stream.active:
                    player._stream_finished()
            except Exception:
                pass
        error = getattr(player, "error", None)
        if error:
            self._poll.stop()
            self._set_message(f"{error}. Export still works.")
            self.play_button.setText("Play")
            return
        self._update_position(pos)
        if player.state == "stopped":
            self._poll.stop()
            self.play_button.setText("Play")

    def _update_position(self, seconds: float) -> None:
        tempo = float(self.tempo_spin.value())
        self.roll_view.set_playhead(seconds * tempo / 60.0)
        total = 0.0
        if self.piece is not None:
            total = self.piece.steps / self.piece.steps_per_quarter * 60.0 / tempo
        self.position_label.setText(f"{_mmss(seconds)} / {_mmss(total)}")

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
        self._worker.call(
            ("wav", str(path), self._sound_key()), _render_and_write, roll, SAMPLE_RATE, str(path)
        )

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

    @Slot()
    def _ask_midi(self) -> None:
        path = self._ask("Export MIDI", "MIDI files (*.mid)", ".mid")
        if path:
            try:
                self.export_midi(path)
                self._set_message(f"Saved {path}", error=False)
            except Exception as exc:
                self._set_message(f"Could not save {path}: {exc}")

    @Slot()
    def _ask_wav(self) -> None:
        path = self._ask("Export WAV", "WAV audio (*.wav)", ".wav")
        if path:
            self.export_wav(path)

    @Slot()
    def _ask_png(self) -> None:
        path = self._ask("Export PNG", "PNG images (*.png)", ".png")
        if path:
            try:
                self.export_png(path)
                self._set_message(f"Saved {path}", error=False)
            except Exception as exc:
                self._set_message(f"Could not save {path}: {exc}")

    # ---- worker answers (GUI thread) --------------------------------------------------------
    @Slot(object, object)
    def _on_result(self, tag, value) -> None:
        what = tag[0]
        if what == "load":
            if tag[1] != self.run_dir:
                return
            self.method_combo.clear()
            self.method_combo.setEnabled(True)
            methods = value.get("methods") or []
            self.method_combo.addItems(methods)
            self._code_size = value.get("code_size")
            if not methods:
                self._set_message(value.get("why_not") or "this run cannot generate music")
            if value.get("tempo"):
                self.tempo_spin.setValue(int(round(value["tempo"])))
            if value.get("program") is not None:
                self.program_combo.setCurrentIndex(int(value["program"]))
            self._update_controls()
        elif what == "generate":
            self.generate_button.setEnabled(True)
            self.generate_button.setText("Generate")
            self._clear_message()
            self.set_roll(value, tag[1])
            if not (value.roll > 0).any():
                self._set_message(
                    "The piece is silent: no note passed the threshold. Lower the threshold "
                    "or train longer.",
                    error=False,
                )
        elif what == "render":
            audio, renderer = value
            self._show_renderer(renderer)
            self._audio = (tag[1], audio)
            if self._pending_play and tag[1] == self._sound_key():
                self._pending_play = False
                self._start_playback(audio)
            else:
                self.play_button.setEnabled(True)
        elif what == "wav":
            path, renderer, audio = value
            self._show_renderer(renderer)
            if tag[2] == self._sound_key():
                self._audio = (tag[2], audio)
            self._set_message(f"Saved {path}", error=False)
            self.exported.emit(path)

    @Slot(object, str)
    def _on_failed(self, tag, message: str) -> None:
        what = tag[0]
        if what == "load":
            self.method_combo.clear()
            self.method_combo.setEnabled(True)
            self._set_message(f"Cannot generate from this run: {message}")
        elif what == "generate":
            self.generate_button.setEnabled(True)
            self.generate_button.setText("Generate")
            self._set_message(f"Generation failed: {message}")
        elif what == "render":
            self._pending_play = False
            self.play_button.setEnabled(True)
            self._set_message(f"Rendering failed: {message}")
        elif what == "wav":
            self._set_message(f"Could not save {tag[1]}: {message}")
        self._update_controls()

    # ---- small things ---------------------------------------------------------------------
    @Slot(str)
    def _on_method_changed(self, method: str) -> None:
        self._update_controls()

    def _update_controls(self) -> None:
        method = self.method_combo.currentText()
        has_piece = self.piece is not None
        self.latent_box.setEnabled(method in LATENT_METHODS and bool(self._code_size))
        self.interp_box.setEnabled(method == "vae-interpolate")
        self.temperature_spin.setEnabled(method not in ("decode", "fixed-point"))
        self.generate_button.setEnabled(bool(method) and method != "loading…")
        for w in (
            self.play_button,
            self.stop_button,
            self.midi_button,
            self.wav_button,
            self.png_button,
        ):
            w.setEnabled(has_piece)
        for i, s in enumerate(self.latent_sliders):
            s.setEnabled(self._code_size is not None and i < (self._code_size or 0))

    def _show_renderer(self, name: str | None) -> None:
        self.renderer_name = name
        self.renderer_label.setText(f"Renderer: {name or 'unavailable'}")

    def _set_message(self, text: str, error: bool = True) -> None:
        self.message_label.setText(text)
        self.message_label.show()
        self.messageChanged.emit(text)

    def _clear_message(self) -> None:
        self.message_label.hide()

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


def _mmss(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    m, s = divmod(seconds, 60)
    return f"{int(m)}:{s:04.1f}"
