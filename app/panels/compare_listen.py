"""A/B listening for a comparison: one piece from each run, made with the same method and
seed, shown as piano rolls and played one at a time.

Generation and rendering run on a :class:`CallWorker`; runs that learned images (digits)
get no piano roll, and the row says so.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.pianoroll_view import PianoRollView
from app.wheel_guard import guard_wheel
from app.workers.calls import CallWorker
from core.catalog.generation import METHODS

SAMPLE_RATE = 44100
BARS = 4


def generate_piece(run_dir: str, method: str, seed: int):
    """Worker: one piece from a run, the same request for every run of the comparison."""
    from app.workers.gate import TF_GATE
    from core.music.generation import generate

    with TF_GATE.exclusive():
        return generate(run_dir, method=method, seed=seed, bars=BARS)


def render_piece(roll):
    """Worker: (audio, renderer name)."""
    from core.music.render import render

    return render(roll, SAMPLE_RATE)


class ListeningRow(QWidget):
    messageChanged = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("compareListening")
        self.runs: list[tuple[str, str, str]] = []  # (run dir, name, sample kind)
        self.rolls: dict[str, object] = {}
        self.player = None  # made at the first Play (app.audio.AudioPlayer)
        self._request = 0  # answers to an earlier Generate are dropped
        self.method_combo = QComboBox()
        self.method_combo.addItems(list(METHODS))
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.generate_button = QPushButton("Generate A/B")
        self.generate_button.setToolTip("One piece from each run, same method and seed")
        self.generate_button.clicked.connect(self.generate)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.grid = QGridLayout()
        self.views: dict[str, PianoRollView] = {}
        self.play_buttons: dict[str, QPushButton] = {}
        self._worker = CallWorker(self)
        self._worker.result.connect(self._on_result)
        self._worker.failed.connect(self._on_failed)
        controls = QHBoxLayout()
        controls.addWidget(QLabel("Method"))
        controls.addWidget(self.method_combo)
        controls.addWidget(QLabel("Seed"))
        controls.addWidget(self.seed_spin)
        controls.addWidget(self.generate_button)
        controls.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addLayout(self.grid)
        guard_wheel(self)

    def set_runs(self, runs: list[tuple[str, str, str]]) -> None:
        self.stop()
        self._request += 1
        self.runs, self.rolls = runs, {}
        for widget in (*self.views.values(), *self.play_buttons.values()):
            self.grid.removeWidget(widget)
            widget.deleteLater()
        self.views, self.play_buttons = {}, {}
        music = [r for r in runs if r[2] == "pianoroll"]
        for col, (run_dir, name, _) in enumerate(music):
            view = PianoRollView()
            view.setMinimumHeight(120)
            view.setMaximumHeight(200)  # the curves and the table keep most of the room
            button = QPushButton(f"Play {chr(ord('A') + col)}: {name}")
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, d=run_dir: self.play(d))
            self.grid.addWidget(view, 0, col)
            self.grid.addWidget(button, 1, col)
            self.views[run_dir], self.play_buttons[run_dir] = view, button
        self.generate_button.setEnabled(len(music) >= 1)
        images = len(runs) - len(music)
        self._say("" if not images else f"{images} run(s) learned images: no pieces to hear")

    @Slot()
    def generate(self) -> None:
        """Ask every music run for a piece with the chosen method and seed."""
        self._request += 1
        method, seed = self.method_combo.currentText(), self.seed_spin.value()
        for run_dir in self.views:
            self.play_buttons[run_dir].setEnabled(False)
            self._worker.call(
                ("piece", self._request, run_dir), generate_piece, run_dir, method, seed
            )
        self._say(f"Generating with {method}, seed {seed}…")

    def play(self, run_dir: str) -> None:
        roll = self.rolls.get(run_dir)
        if roll is not None:
            self.stop()
            self._worker.call(("audio", self._request, run_dir), render_piece, roll)

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()

    @Slot(object, object)
    def _on_result(self, tag, value) -> None:
        kind, request, run_dir = tag
        if request != self._request or run_dir not in self.views:
            return
        if kind == "piece":
            self.rolls[run_dir] = value
            self.views[run_dir].set_roll(value)
            self.play_buttons[run_dir].setEnabled(True)
            if len(self.rolls) == len(self.views):
                self._say("Ready: play each piece in turn")
        else:
            audio, renderer = value
            self._play_audio(audio, renderer)

    def _play_audio(self, audio, renderer: str) -> None:
        from app.audio import AudioPlayer, AudioUnavailable

        try:
            if self.player is None:
                self.player = AudioPlayer()
            self.player.play(audio, SAMPLE_RATE)
        except AudioUnavailable as exc:
            self._say(f"No sound: {exc}")
            return
        self._say(f"Playing ({renderer})")

    @Slot(object, str)
    def _on_failed(self, tag, message: str) -> None:
        kind, request, run_dir = tag
        if request == self._request:
            self._say(f"{run_dir.rsplit('/', 1)[-1]}: {message}")

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.messageChanged.emit(text)
