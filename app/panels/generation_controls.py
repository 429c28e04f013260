"""The audition panel's "Generate" box: a method, its options, a start piece, the latent
code, the attribute vector and two pieces to interpolate between.

The option controls are made from their declarations (``core.catalog.generation``): label,
tooltip, default and range come from there; :data:`FORM_LIMITS` only narrows a range or
changes a starting value where a spin box wants a smaller one. A control is enabled only
while the chosen method reads its option, and :meth:`GenerationControls.request` builds the
:class:`GenerationRequest` from them.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QPushButton,
    QSpinBox,
)

from app.panels.latent_controls import LatentControls
from core.catalog import generation as declared

LATENT_METHODS = declared.methods_taking("code")  # decode and vae-prior
LOADING = "loading…"
NO_START = "(random)"

# Options with a control of their own in the form, in the order shown.
FORM_OPTIONS = ("seed", "bars", "temperature", "threshold", "iterations", "clamp", "label")
# A spin box's range, step and starting value where the form wants other than the declaration.
FORM_LIMITS = {
    "seed": {"maximum": 2**31 - 1},
    "bars": {"maximum": 64},
    "temperature": {"maximum": 5.0, "step": 0.1},
    "threshold": {"step": 0.05},
    "steps": {"maximum": 32, "value": 5},
    "amount": {"minimum": -5.0, "maximum": 5.0, "step": 0.25},
    "iterations": {"minimum": 0, "maximum": 10000, "value": 0},
    "clamp": {"maximum": 256},
    "label": {"minimum": -1, "value": -1},
}
# A spin box at its minimum means "not given": the method chooses.
UNSET_TEXT = {"iterations": "the method's own", "label": "any (sampled)"}


def option_spin(name: str):
    """A spin box for a declared number option, with its range, default and help."""
    option = declared.option(name)
    limits = FORM_LIMITS.get(name, {})
    spin = QSpinBox() if option.kind == "int" else QDoubleSpinBox()
    low = limits.get("minimum", option.minimum if option.minimum is not None else -1e6)
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
    if name in UNSET_TEXT:
        spin.setSpecialValueText(UNSET_TEXT[name])
    return spin


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def piece_name(request, start_name: str | None = None) -> str:
    """A piece's name that carries what made it: method, seed and every setting it read
    that is not the default (threshold, temperature, iterations, start piece…)."""
    parts = [f"{request.method} seed {request.seed}"]
    for option in declared.OPTIONS:
        name = option.name
        if name in ("seed", "tempo", "program", "code", "pieces", "start"):
            continue
        if not declared.method(request.method).takes(name):
            continue
        value = getattr(request, name)
        if name == "threshold" or not option.is_default(value):
            parts.append(f"{option.title.lower()} {_number(value)}")
    if request.code is not None:
        parts.append("chosen code")
    if start_name:
        parts.append(f"from {start_name}")
    return " · ".join(parts)


class GenerationControls(QGroupBox):
    """Method, option controls, latent sliders, attribute, pieces and the button."""

    generateClicked = Signal()
    latentReleased = Signal()

    def __init__(self, parent=None):
        super().__init__("Generate", parent)
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
        self.iterations_spin = self.spins["iterations"]
        self.start_combo = QComboBox()
        self.start_combo.addItem(NO_START)
        self.start_combo.setToolTip(declared.option("start").help)
        form.addRow("Start from", self.start_combo)
        self.latent = LatentControls()
        self.latent.released.connect(self.latentReleased)
        self.latent_box, self.latent_sliders = self.latent, self.latent.sliders
        form.addRow(self.latent)
        form.addRow(self._build_attribute())
        form.addRow(self._build_interpolation())
        self.generate_button = QPushButton("Generate")
        self.generate_button.clicked.connect(self.generateClicked)
        form.addRow(self.generate_button)

    def _build_attribute(self) -> QGroupBox:
        self.attribute_box = QGroupBox("Attribute vector")
        self.attribute_box.setToolTip(declared.method("vae-attribute").help)
        form = QFormLayout(self.attribute_box)
        self.attribute_combo = QComboBox()
        self.attribute_combo.addItems(declared.option("attribute").choices)
        self.attribute_combo.setToolTip(declared.option("attribute").help)
        self.amount_spin = option_spin("amount")
        form.addRow(declared.option("attribute").title, self.attribute_combo)
        form.addRow(declared.option("amount").title, self.amount_spin)
        return self.attribute_box

    def _build_interpolation(self) -> QGroupBox:
        self.interp_box = QGroupBox("Interpolate between two pieces")
        self.interp_box.setToolTip(declared.option("pieces").help)
        form = QFormLayout(self.interp_box)
        self.piece_a = QComboBox()
        self.piece_b = QComboBox()
        for combo in (self.piece_a, self.piece_b, self.start_combo):
            # Piece names carry their settings: long names must not widen the panel.
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(16)
        self.interp_steps = option_spin("steps")
        form.addRow("From", self.piece_a)
        form.addRow("To", self.piece_b)
        form.addRow(declared.option("steps").title, self.interp_steps)
        return self.interp_box

    # ---- state ----------------------------------------------------------------------------
    @property
    def method(self) -> str:
        return self.method_combo.currentText()

    @property
    def code_size(self) -> int | None:
        return self.latent.size or None

    def set_loading(self) -> None:
        self.method_combo.clear()
        self.method_combo.addItem(LOADING)
        self.method_combo.setEnabled(False)

    def set_methods(self, methods: list[str], code_size: int | None) -> None:
        self.method_combo.clear()
        self.method_combo.setEnabled(True)
        self.method_combo.addItems(methods)
        self.latent.set_size(int(code_size or 0))
        self.update_enabled()

    def set_pieces(self, names: list[str]) -> None:
        """The pieces the start and interpolation choices offer (the run's own only)."""
        for combo in (self.start_combo, self.piece_a, self.piece_b):
            combo.blockSignals(True)
        self.piece_a.clear()
        self.piece_b.clear()
        del_items = self.start_combo.count() - 1
        for _ in range(del_items):
            self.start_combo.removeItem(1)
        for combo in (self.start_combo, self.piece_a, self.piece_b):
            combo.blockSignals(False)
        for name in names:
            self.add_piece(name)

    def add_piece(self, name: str) -> None:
        for combo in (self.start_combo, self.piece_a, self.piece_b):
            combo.addItem(name)
        if self.piece_b.count() >= 2 and self.piece_b.currentIndex() == 0:
            self.piece_b.setCurrentIndex(1)

    def choose_start(self, index: int) -> None:
        """Start from piece ``index`` (and interpolate from it)."""
        self.start_combo.setCurrentIndex(index + 1)
        self.piece_a.setCurrentIndex(index)

    def set_busy(self, busy: bool) -> None:
        self.generate_button.setEnabled(not busy)
        self.generate_button.setText("Generating…" if busy else "Generate")

    @property
    def busy(self) -> bool:
        return self.generate_button.text() != "Generate"

    def update_enabled(self, *_) -> None:
        """Enable the controls of the options the chosen method reads."""
        method = self.method
        known = declared.METHOD_INDEX.get(method)

        def takes(name: str) -> bool:
            return known is None or known.takes(name)

        for name, spin in self.spins.items():
            spin.setEnabled(takes(name))
        self.start_combo.setEnabled(known is not None and known.takes("start"))
        self.latent.setEnabled(method in LATENT_METHODS and bool(self.code_size))
        self.attribute_box.setEnabled(known is not None and known.takes("attribute"))
        self.interp_box.setEnabled(method == "vae-interpolate")
        self.generate_button.setEnabled(bool(method) and method != LOADING and not self.busy)

    # ---- the request ----------------------------------------------------------------------
    def start_index(self) -> int | None:
        """The piece chosen to start from, or None (random)."""
        index = self.start_combo.currentIndex() - 1
        return index if index >= 0 else None

    def values(self, pieces: list, sound: dict) -> dict:
        """Every option's value as the form holds it (``sound``: tempo and program);
        ValueError when the chosen method needs something the form lacks."""
        values = {name: spin.value() for name, spin in self.spins.items()}
        for name in UNSET_TEXT:
            if values[name] == self.spins[name].minimum():
                values[name] = None
        values.update(sound)
        method = self.method
        if method in LATENT_METHODS and self.latent.isChecked() and self.code_size:
            values["code"] = self.latent.code()
        start = self.start_index()
        if start is not None and start < len(pieces):
            values["start"] = pieces[start][1]
        values["attribute"] = self.attribute_combo.currentText()
        values["amount"] = self.amount_spin.value()
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

    def start_name(self, pieces: list) -> str | None:
        start = self.start_index()
        if start is None or start >= len(pieces):
            return None
        if not declared.method(self.method).takes("start"):
            return None
        return pieces[start][0]
