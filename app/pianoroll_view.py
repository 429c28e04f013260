"""A piano-roll view: notes as an image (time right, pitch up) and a moving playhead; a
click (not a drag, which pans) asks to seek there."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal

from app import plots  # sets imageAxisOrder='row-major'

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def note_name(pitch: int) -> str:
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


ROLL_LUT = pg.ColorMap(
    pos=[0.0, 0.05, 1.0], color=[(250, 250, 252), (190, 205, 240), (25, 70, 170)]
).getLookupTable(nPts=256)


class PianoRollView(pg.PlotWidget):
    """Shows a PianoRoll in quarter notes × MIDI pitch; ``set_playhead(quarters)`` moves the
    line. Octave bands (C rows) are shaded lightly so pitch reads at a glance. A left click
    on a piece emits :attr:`seekRequested` with the time clicked, in quarter notes."""

    seekRequested = Signal(float)
    CLICK_SLOP = 4  # pixels a press may move and still count as a click

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("pianoRoll")
        self._pressed_at: QPointF | None = None
        self.setBackground("w")
        self.setMenuEnabled(False)
        self.setLabel("bottom", "quarter notes")
        self.setLabel("left", "pitch")
        self.showGrid(x=True, y=False, alpha=0.25)
        self.getViewBox().setMouseEnabled(x=True, y=False)
        plots.cache_axes(self)
        self.image = pg.ImageItem()
        self.addItem(self.image)
        self.playhead = pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen("#d62728", width=2))
        self.playhead.setZValue(10)
        self.addItem(self.playhead)
        self._bands: list = []
        self.roll = None
        self.placeholder = pg.TextItem(
            "No piece yet: generate one or pick a snapshot", color="#777", anchor=(0.5, 0.5)
        )
        self.addItem(self.placeholder)
        self.placeholder.setPos(8, 60)
        self.setXRange(0, 16)
        self.setYRange(36, 84)

    def set_roll(self, piano_roll) -> None:
        if piano_roll is None and self.roll is None:
            return  # nothing shown, nothing to clear: no repaint
        self.roll = piano_roll
        if piano_roll is None:
            self.image.clear()
            self.placeholder.show()
            return
        self.placeholder.hide()
        roll = np.asarray(piano_roll.roll, np.float32)
        low = int(piano_roll.lowest_pitch)
        quarters = roll.shape[0] / piano_roll.steps_per_quarter
        # Row-major: rows are pitches (lowest first, drawn at the bottom), columns time steps.
        self.image.setImage(roll.T, levels=(0.0, 1.0), lut=ROLL_LUT)
        self.image.setRect(QRectF(0, low, quarters, roll.shape[1]))
        for band in self._bands:
            self.removeItem(band)
        self._bands = []
        for p in range(low, low + roll.shape[1]):
            if p % 12 == 0:
                band = pg.LinearRegionItem(
                    values=(p, p + 1),
                    orientation="horizontal",
                    movable=False,
                    brush=pg.mkBrush(0, 0, 0, 12),
                    pen=pg.mkPen(None),
                )
                band.setZValue(-10)
                self.addItem(band)
                self._bands.append(band)
        ticks = [(p + 0.5, note_name(p)) for p in range(low, low + roll.shape[1]) if p % 12 == 0]
        self.getAxis("left").setTicks([ticks, []])
        bar_ticks = [(q, str(int(q))) for q in np.arange(0, quarters + 1e-9, 4)]
        self.getAxis("bottom").setTicks([bar_ticks, []])
        self.setXRange(0, max(quarters, 1), padding=0.01)
        self.setYRange(low, low + roll.shape[1], padding=0.01)
        self.set_playhead(0.0)

    def mousePressEvent(self, event) -> None:
        is_left = event.button() == Qt.MouseButton.LeftButton
        self._pressed_at = event.position() if is_left else None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        pressed, self._pressed_at = self._pressed_at, None
        super().mouseReleaseEvent(event)
        if pressed is None or self.roll is None:
            return
        moved = event.position() - pressed
        if abs(moved.x()) + abs(moved.y()) > self.CLICK_SLOP:
            return  # a drag pans the view
        self.seekRequested.emit(self.quarters_at(event.position()))

    def quarters_at(self, position: QPointF) -> float:
        """The time (quarter notes, within the piece) under a point of the widget."""
        scene = self.mapToScene(position.toPoint())
        x = float(self.getViewBox().mapSceneToView(scene).x())
        quarters = self.roll.steps / self.roll.steps_per_quarter if self.roll else 0.0
        return min(max(x, 0.0), quarters)

    def x_of(self, quarters: float) -> QPointF:
        """The widget point at time ``quarters`` on the middle pitch row (for tests)."""
        box = self.getViewBox()
        y = box.viewRange()[1]
        scene = box.mapViewToScene(QPointF(quarters, (y[0] + y[1]) / 2))
        return QPointF(self.mapFromScene(scene))

    def set_playhead(self, quarters: float) -> None:
        self.playhead.setValue(float(quarters))

    @property
    def playhead_position(self) -> float:
        return float(self.playhead.value())
