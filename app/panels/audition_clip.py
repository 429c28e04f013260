"""Audition for a run that learns sound: a clip of its data and the model's reconstruction
of it, each drawn as a spectrogram and played through the panel's audio output.

The clip list, the model's pass and Griffin-Lim run on a worker (:mod:`core.audio.audition`);
the panel shows this part only for a run whose data is sound (:meth:`ClipAudition.set_run`).
"""

from __future__ import annotations

import dataclasses
import threading

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from app.panels.audition_export import SAMPLE_RATE
from app.workers.calls import CallWorker
from app.workers.gate import TF_GATE

SPECTROGRAM = pg.colormap.get("viridis")

_kept: dict = {}  # the last run's dataset and model: choosing another clip reloads neither
_kept_lock = threading.Lock()


def audio_data_of(run_dir: str | None) -> bool:
    """Whether the run at ``run_dir`` learns from sound (its project.json says)."""
    if not run_dir:
        return False
    from core.audio.audition import is_audio_data
    from core.errors import LayerwiseError
    from core.runs import RunFolder

    try:
        project = RunFolder(run_dir).read_project_json()
    except LayerwiseError:
        return False
    return bool(project) and is_audio_data(project.get("data"))


def _kept_one(key: tuple, make):
    with _kept_lock:
        if key in _kept:
            return _kept[key]
    value = make()
    with _kept_lock:
        for old in [k for k in _kept if k[0] == key[0]]:
            del _kept[old]
        _kept[key] = value
    return value


def _dataset(run_dir: str):
    from core.data.load import load_dataset
    from core.runs import RunFolder

    data = (RunFolder(run_dir).read_project_json() or {}).get("data") or {}
    return _kept_one(("dataset", run_dir), lambda: load_dataset(data))


def _model(run_dir: str):
    from core.music.generation.source import load_model
    from core.runs import RunFolder

    path = RunFolder(run_dir).model
    stamp = path.stat().st_mtime_ns
    return _kept_one(("model", run_dir, stamp), lambda: load_model(path))


def list_clips(run_dir: str) -> list[tuple[str, str]]:
    """Worker: (split, file) of the run's clips, held-out ones first."""
    from core.audio.audition import clip_names

    return clip_names(_dataset(run_dir))


def make_clip_pair(run_dir: str, split: str, name: str):
    """Worker: the ClipPair of one file of the run's data."""
    from core.audio.audition import clip_pair, clip_windows
    from core.audio.reconstruction import reconstructor

    dataset = _dataset(run_dir)
    windows = clip_windows(dataset, split, name)
    with TF_GATE.exclusive():  # never beside a training session's tracing
        reconstruct, how = reconstructor(_model(run_dir))
        recon = reconstruct(windows)
    return for_playback(clip_pair(dataset, split, name, windows, recon, how))


def for_playback(pair):
    """The pair's sound at the rate the panel plays pieces: an output device takes it
    where a low rate of the data (8 or 16 kHz) may starve its buffers."""
    from core.audio.reader import resample

    if pair.sample_rate == SAMPLE_RATE:
        return pair
    return dataclasses.replace(
        pair,
        input_audio=resample(pair.input_audio, pair.sample_rate, SAMPLE_RATE),
        reconstruction_audio=resample(pair.reconstruction_audio, pair.sample_rate, SAMPLE_RATE),
        sample_rate=SAMPLE_RATE,
    )


def spectrogram_view(title: str, name: str) -> tuple[pg.GraphicsLayoutWidget, pg.ImageItem]:
    """A spectrogram plot: time in seconds to the right, frequency up."""
    widget = pg.GraphicsLayoutWidget()
    widget.setObjectName(name)
    widget.setBackground("w")
    plot = widget.addPlot(title=title)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    plot.setLabel("bottom", "time (s)")
    for side in ("bottom", "left"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    item = pg.ImageItem()
    item.setColorMap(SPECTROGRAM)
    plot.addItem(item)
    widget.setMinimumHeight(140)
    return widget, item


def draw_spectrogram(item: pg.ImageItem, frames: np.ndarray, pair, levels) -> None:
    """(frames, bins) into ``item``, placed in seconds and in Hz (DFT) or mel bands."""
    item.setImage(frames.T, levels=levels)
    height = pair.top_hz if pair.kind == "dft" else frames.shape[1]
    item.setRect(QRectF(0, 0, len(frames) * pair.frame_seconds, height))
    plot = item.getViewBox().parentItem()
    plot.setLabel("left", "frequency (Hz)" if pair.kind == "dft" else "mel band")
    item.getViewBox().autoRange(padding=0)


class ClipAudition(QGroupBox):
    """Pick a clip; see and hear it before and after the model. ``playRequested`` asks the
    panel to play (samples, sample rate); ``stopRequested`` to stop."""

    playRequested = Signal(object, int)
    stopRequested = Signal()
    messageChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__("Sound: a clip and the model's reconstruction", parent)
        self.setObjectName("clipAudition")
        self.run_dir: str | None = None
        self.clips: list[tuple[str, str]] = []
        self.pair = None  # the ClipPair shown
        self._worker = CallWorker(self)
        self._worker.result.connect(self._on_result)
        self._worker.failed.connect(self._on_failed)
        self._build()
        self.hide()

    def _build(self) -> None:
        self.clip_combo = QComboBox()
        self.clip_combo.setObjectName("clipCombo")
        self.clip_combo.setMinimumContentsLength(24)
        self.clip_combo.activated.connect(self._on_clip_chosen)
        self.play_input_button = QPushButton("Play input")
        self.play_input_button.setObjectName("playInput")
        self.play_input_button.clicked.connect(self.play_input)
        self.play_output_button = QPushButton("Play reconstruction")
        self.play_output_button.setObjectName("playReconstruction")
        self.play_output_button.clicked.connect(self.play_reconstruction)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stopRequested.emit)
        row = QHBoxLayout()
        row.addWidget(QLabel("Clip"))
        row.addWidget(self.clip_combo, 1)
        for button in (self.play_input_button, self.play_output_button, self.stop_button):
            row.addWidget(button)
        self.status = QLabel()
        self.status.setObjectName("clipStatus")
        self.status.setWordWrap(True)
        views = QHBoxLayout()
        self.input_widget, self.input_image = spectrogram_view("Input", "clipInputView")
        self.output_widget, self.output_image = spectrogram_view(
            "Reconstruction", "clipReconstructionView"
        )
        views.addWidget(self.input_widget)
        views.addWidget(self.output_widget)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addLayout(views, 1)
        self._enable()

    # ---- the run --------------------------------------------------------------------------
    def set_run(self, run_dir: str | None) -> bool:
        """Show this part for a run that learns sound (True), else hide it (False)."""
        audio = audio_data_of(run_dir)
        self.setVisible(audio)
        if not audio:
            self.run_dir = None
            return False
        if run_dir == self.run_dir and self.clips:
            return True
        self.run_dir = run_dir
        self.clips, self.pair = [], None
        self.clip_combo.clear()
        self._show_pair(None)
        from core.runs import RunFolder

        if not RunFolder(run_dir).has_model():
            self._say("The clips and their reconstructions come once the run has a model.")
            return True
        self._say("Reading the run's sound data…")
        self._worker.call(("clips", run_dir), list_clips, run_dir)
        return True

    def choose(self, index: int) -> None:
        """Make clip ``index`` (its reconstruction on a worker) and show it."""
        if not self.run_dir or not 0 <= index < len(self.clips):
            return
        self.clip_combo.setCurrentIndex(index)
        split, name = self.clips[index]
        self._say(f"Reconstructing {name} and turning both into sound (Griffin-Lim)…")
        self._enable(busy=True)
        tag = ("pair", self.run_dir, split, name)
        self._worker.call(tag, make_clip_pair, self.run_dir, split, name)

    @Slot(int)
    def _on_clip_chosen(self, index: int) -> None:
        self.choose(index)

    # ---- playing ---------------------------------------------------------------------------
    def play_input(self) -> None:
        if self.pair is not None:
            self.playRequested.emit(self.pair.input_audio, self.pair.sample_rate)

    def play_reconstruction(self) -> None:
        if self.pair is not None:
            self.playRequested.emit(self.pair.reconstruction_audio, self.pair.sample_rate)

    # ---- worker answers ----------------------------------------------------------------------
    @Slot(object, object)
    def _on_result(self, tag, value) -> None:
        if tag[1] != self.run_dir:
            return  # asked for a run no longer shown
        if tag[0] == "clips":
            self.clips = list(value)
            for split, name in self.clips:
                self.clip_combo.addItem(f"{name} ({split})")
            if not self.clips:
                self._say("The run's data holds no clips.")
                return
            self.choose(0)
        elif self.clips and tag[2:] == self.clips[self.clip_combo.currentIndex()]:
            self._show_pair(value)

    @Slot(object, str)
    def _on_failed(self, tag, message: str) -> None:
        if tag[1] != self.run_dir:
            return
        what = "read the run's sound data" if tag[0] == "clips" else f"reconstruct {tag[3]}"
        self._say(f"⚠ Cannot {what}: {message}")
        self.messageChanged.emit(message)
        self._enable()

    def _show_pair(self, pair) -> None:
        self.pair = pair
        if pair is None:
            self.input_image.clear()
            self.output_image.clear()
            self._enable()
            return
        low, high = float(np.min(pair.inputs)), float(np.max(pair.inputs))
        levels = (low, high if high > low else low + 1.0)  # both on the input's scale
        draw_spectrogram(self.input_image, pair.inputs, pair, levels)
        draw_spectrogram(self.output_image, pair.reconstruction, pair, levels)
        seconds = len(pair.input_audio) / pair.sample_rate
        label = f" ({pair.label})" if pair.label else ""
        self._say(f"{pair.name}{label}: {seconds:.1f} s; reconstruction {pair.how}")
        self._enable()

    def _enable(self, busy: bool = False) -> None:
        ready = self.pair is not None and not busy
        for button in (self.play_input_button, self.play_output_button):
            button.setEnabled(ready)
        self.clip_combo.setEnabled(bool(self.clips) and not busy)

    def _say(self, text: str) -> None:
        self.status.setText(text)
