"""The audition panel's "Generate" box: a method, its options, a latent code, two pieces.

The option controls are made from their declarations (``core.catalog.generation``): label,
tooltip, default and range come from there; :data:`FORM_LIMITS` only narrows a range or
changes a starting value where a spin box wants a smaller one. A control is enabled only
while the chosen method reads its option, and :meth:`GenerationControls.request` builds the
:class:`GenerationRequest` from them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
)

from core.catalog import generation as declared

LATENT_SLIDERS = 8
LATENT_METHODS = declared.methods_taking("code")  # decode and vae-prior
LOADING = "loading…"

# Options with a control of their own in the form, in the order shown.
FORM_OPTIONS = ("seed", "bars", "temperature", "threshold")
# A spin box's range, step and starting value where the form wants other than the declaration.
FORM_LIMITS = {
    "seed": {"maximum": 2**31 - 1},
    "bars": {"maximum": 64},
    "temperature": {"maximum": 5.0, "step": 0.1},
    "threshold": {"step": 0.05},
    "steps": {"maximum": 32, "value": 5},
}


def option_spin(name: str):
    """A spin box for a declared number option, with its range, default and help."""
    option = declared.option(name)
    limits = FORM_LIMITS.get(name, {})
    spin = QSpinBox() if option.kind == "int" else QDoubleSpinBox()
    low = option.minimum if option.minimum is not None else -1e6
    high = limits.get("maximum", option.maximum if option.maximum is not None else 1e6)
    if option.kind == "int":
        spin.setRange(int(low), int(high))
    else:
        spin.setRange(low, high)
    if "step" in limits:
        spin.setSingleStep(limits["step"])
    value = limits.get("value", option.default)
    if value is not None:
        spin.setValue(value)
    spin.setToolTip(option.help)
    return spin


class GenerationControls(QGroupBox):
    """Method, option controls, latent sliders, interpolation pieces and the button."""

    generateClicked = Signal()

    def __init__(self, parent=None):
        super().__init__("Generate", parent)
        self.code_size: int | None = None
        form = QFormLayout(self)
        self.method_combo = QComboBox()
        self.method_combo.currentTextChanged.connect(self.update_enabled)
        form.addRow("Method", self.method_combo)
        self.spins = {name: option_spin(name) for name in FORM_OPTIONS}
        for name, spin in self.spins.items():
            form.addRow(declared.option(name).title, spin)
        self.seed_spin, self.bars_spin = self.spins["seed"], self.spins["bars"]
        self.temperature_spin = self.spins["temperature"]
        self.threshold_spin = self.spins["threshold"]
        form.addRow(self._build_latent())
        form.addRow(self._build_interpolation())
        self.generate_button = QPushButton("Generate")
        self.generate_button.clicked.connect(self.generateClicked)
        form.addRow(self.generate_button)

    def _build_latent(self) -> QGroupBox:
        self.latent_box = QGroupBox("Latent code (first dimensions)")
        self.latent_box.setCheckable(True)
        self.latent_box.setChecked(False)
        self.latent_box.setToolTip(declared.option("code").help)
        grid = QGridLayout(self.latent_box)
        self.latent_sliders: list[QSlider] = []
        for i in range(LATENT_SLIDERS):
            slider = QSlider(Qt.Horizontal)
            slider.setRange(-300, 300)
            slider.setValue(0)
            slider.setToolTip(f"dimension {i + 1}")
            grid.addWidget(QLabel(f"z{i + 1}"), i // 2, 2 * (i % 2))
            grid.addWidget(slider, i // 2, 2 * (i % 2) + 1)
            self.latent_sliders.append(slider)
        return self.latent_box

    def _build_interpolation(self) -> QGroupBox:
        self.interp_box = QGroupBox("Interpolate between two pieces")
        self.interp_box.setToolTip(declared.option("pieces").help)
        form = QFormLayout(self.interp_box)
        self.piece_a = QComboBox()
        self.piece_b = QComboBox()
        self.interp_steps = option_spin("steps")
        form.addRow("From", self.piece_a)
        form.addRow("To", self.piece_b)
        form.addRow(declared.option("steps").title, self.interp_steps)
        return self.interp_box

    # ---- state ----------------------------------------------------------------------------
    @property
    def method(self) -> str:
        return self.method_combo.currentText()

    def set_loading(self) -> None:
        self.method_combo.clear()
        self.method_combo.addItem(LOADING)
        self.method_combo.setEnabled(False)

    def set_methods(self, methods: list[str], code_size: int | None) -> None:
        self.method_combo.clear()
        self.method_combo.setEnabled(True)
        self.method_combo.addItems(methods)
        self.code_size = code_size
        self.update_enabled()

    def add_piece(self, name: str) -> None:
        for combo in (self.piece_a, self.piece_b):
            combo.addItem(name)
        if self.piece_b.count() >= 2 and self.piece_b.currentIndex() == 0:
            self.piece_b.setCurrentIndex(1)

    def set_busy(self, busy: bool) -> None:
        self.generate_button.setEnabled(not busy)
        self.generate_button.setText("Generating…" if busy else "Generate")

    def update_enabled(self, *_) -> None:
        """Enable the controls of the options the chosen method reads."""
        method = self.method
        known = declared.METHOD_INDEX.get(method)
        for name, spin in self.spins.items():
            spin.setEnabled(known is None or known.takes(name))
        self.latent_box.setEnabled(method in LATENT_METHODS and bool(self.code_size))
        self.interp_box.setEnabled(method == "vae-interpolate")
        self.generate_button.setEnabled(bool(method) and method != LOADING)
        for i, slider in enumerate(self.latent_sliders):
            slider.setEnabled(self.code_size is not None and i < (self.code_size or 0))

    # ---- the request ----------------------------------------------------------------------
    def _latent_code(self):
        code = np.zeros(self.code_size, np.float32)
        n = min(self.code_size, LATENT_SLIDERS)
        code[:n] = [s.value() / 100.0 for s in self.latent_sliders[:n]]
        return code

    def values(self, pieces: list, sound: dict) -> dict:
        """Every option's value as the form holds it (``sound``: tempo and program);
        ValueError when the chosen method needs something the form lacks."""
        values = {name: spin.value() for name, spin in self.spins.items()}
        values.update(sound)
        method = self.method
        if method in LATENT_METHODS and self.latent_box.isChecked() and self.code_size:
            values["code"] = self._latent_code()
        if method == "vae-interpolate":
            a, b = self.piece_a.currentIndex(), self.piece_b.currentIndex()
            if a < 0 or b < 0 or a == b:
                raise ValueError("Pick two different pieces to interpolate between")
            values["pieces"] = [pieces[a][1], pieces[b][1]]
            values["steps"] = self.interp_steps.value()
        return values

    def request(self, pieces: list, sound: dict):
        """The GenerationRequest the form asks for (only the options its method reads)."""
        from core.music.generation.request import GenerationRequest

        return GenerationRequest.for_method(self.method, self.values(pieces, sound))
