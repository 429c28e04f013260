"""The audition panel's transport and export rows: play, stop, loop, tempo, instrument,
position; the renderer in use and the export buttons. Widgets only: the panel decides."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox


def gm_program_names() -> list[str]:
    try:
        import pretty_midi

        return [pretty_midi.program_to_instrument_name(i) for i in range(128)]
    except Exception:
        return [f"Program {i}" for i in range(128)]


def mmss(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    m, s = divmod(seconds, 60)
    return f"{int(m)}:{s:04.1f}"


def renderer_text(name: str | None, soundfont: str | None) -> str:
    """What the renderer label says: the renderer, and the SoundFont FluidSynth plays."""
    import os

    text = f"Renderer: {name or 'unavailable'}"
    if soundfont and name == "fluidsynth":
        text += f" ({os.path.basename(soundfont)})"
    return text


class TransportRow(QHBoxLayout):
    """Play / Stop / Loop, tempo, instrument and the position label."""

    def __init__(self):
        super().__init__()
        self.play_button = QPushButton("Play")
        self.stop_button = QPushButton("Stop")
        self.loop_check = QCheckBox("Loop")
        self.tempo_spin = QSpinBox()
        self.tempo_spin.setRange(20, 300)
        self.tempo_spin.setValue(100)
        self.tempo_spin.setSuffix(" BPM")
        self.program_combo = QComboBox()
        for i, name in enumerate(gm_program_names()):
            self.program_combo.addItem(f"{i + 1}. {name}", i)
        self.position_label = QLabel("0:00.0 / 0:00.0")
        for widget in (self.play_button, self.stop_button, self.loop_check):
            self.addWidget(widget)
        self.addWidget(QLabel("Tempo"))
        self.addWidget(self.tempo_spin)
        self.addWidget(QLabel("Instrument"))
        self.addWidget(self.program_combo, 1)
        self.addWidget(self.position_label)

    def sound(self) -> dict:
        """The tempo and instrument a piece is played and exported with."""
        return {
            "tempo": float(self.tempo_spin.value()),
            "program": int(self.program_combo.currentData() or 0),
        }


class ExportRow(QHBoxLayout):
    """The renderer label and the MIDI / WAV / PNG export buttons."""

    def __init__(self):
        super().__init__()
        self.renderer_label = QLabel()
        self.renderer_label.setStyleSheet("color: #555;")
        self.midi_button = QPushButton("Export MIDI…")
        self.wav_button = QPushButton("Export WAV…")
        self.png_button = QPushButton("Export PNG…")
        self.addWidget(self.renderer_label, 1)
        for widget in (self.midi_button, self.wav_button, self.png_button):
            self.addWidget(widget)
