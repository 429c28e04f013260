"""The latent code box of the audition panel: one slider per code dimension, each with its
value beside it, in a scroll area so every dimension is reachable however large the code.

Releasing a slider emits :attr:`LatentControls.released`, which the panel takes as "generate
again" so the effect of a dimension is heard at once.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.wheel_guard import guard_wheel
from core.catalog import generation as declared

SLIDER_SCALE = 100.0  # a slider's integer value per code unit
SLIDER_RANGE = 300  # ±3 standard deviations of a unit prior
VISIBLE_ROWS = 6  # rows shown before the box scrolls


def readout(value: int) -> str:
    return f"{value / SLIDER_SCALE:+.2f}"


class LatentControls(QGroupBox):
    """A checkable box of code sliders; :meth:`set_size` makes one per dimension."""

    released = Signal()

    def __init__(self, parent=None):
        super().__init__("Latent code", parent)
        self.setCheckable(True)
        self.setChecked(False)
        self.setToolTip(declared.option("code").help)
        # Kept as the same list objects when rebuilt, so holders of a reference stay current.
        self.sliders: list[QSlider] = []
        self.readouts: list[QLabel] = []
        self._grid_host = QWidget()
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setObjectName("latentScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self._grid_host)
        self.empty = QLabel("The code size is known once a model is loaded.")
        self.empty.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.scroll)
        self.set_size(0)

    @property
    def size(self) -> int:
        return len(self.sliders)

    def set_size(self, size: int) -> None:
        """One slider (at zero) and one readout per dimension of a code of ``size``."""
        if size == len(self.sliders):
            return
        for widget in (*self.sliders, *self.readouts):
            widget.deleteLater()
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.sliders.clear()
        self.readouts.clear()
        for i in range(size):
            self._add_row(i)
        self.empty.setVisible(size == 0)
        self.scroll.setVisible(size > 0)
        if size:
            # Room for a few rows; more scroll inside the box rather than stretching it.
            row = max(self.sliders[0].sizeHint().height(), self.readouts[0].sizeHint().height())
            spacing = max(self._grid.verticalSpacing(), 0)
            self.scroll.setFixedHeight(min(size, VISIBLE_ROWS) * (row + spacing) + spacing)

    def _add_row(self, i: int) -> None:
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(-SLIDER_RANGE, SLIDER_RANGE)
        slider.setValue(0)
        slider.setToolTip(f"dimension {i + 1} of the code")
        value = QLabel(readout(0))
        value.setMinimumWidth(value.fontMetrics().horizontalAdvance("+0.00 "))
        slider.valueChanged.connect(lambda v, label=value: label.setText(readout(v)))
        slider.sliderReleased.connect(self.released)
        guard_wheel(slider)  # the wheel scrolls the sliders' list, never moves one by accident
        self._grid.addWidget(QLabel(f"z{i + 1}"), i, 0)
        self._grid.addWidget(slider, i, 1)
        self._grid.addWidget(value, i, 2)
        self.sliders.append(slider)
        self.readouts.append(value)

    def code(self) -> np.ndarray:
        """The code the sliders hold."""
        return np.array([s.value() / SLIDER_SCALE for s in self.sliders], np.float32)

    def reset(self) -> None:
        for slider in self.sliders:
            slider.setValue(0)
