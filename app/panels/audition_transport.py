"""The audition panel's transport and export rows: play, stop, loop, tempo, instrument,
position; the renderer in use and the export buttons. Widgets only: the panel decides."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)


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


# How each kind of message looks: a failure, a caution, a success, a note.
MESSAGE_STYLES = {
    "error": ("#fdecea", "#8a1c1c", "#e6a1a1"),
    "warning": ("#fff4e5", "#7a4a00", "#f0c27a"),
    "success": ("#e9f7ee", "#1e5e33", "#9bd3ad"),
    "info": ("#eef3fb", "#23426e", "#a9bfe3"),
}


def message_style_sheet() -> str:
    rules = [
        f'QLabel[kind="{kind}"] {{ background: {bg}; color: {fg}; border: 1px solid {edge};'
        " border-radius: 4px; padding: 4px; }"
        for kind, (bg, fg, edge) in MESSAGE_STYLES.items()
    ]
    return "\n".join(rules)


class MessageBanner(QLabel):
    """One line (wrapped) above the panel, styled by its kind: error, warning, success or
    info (the ``kind`` property, which style sheets can select on). The panel lays out its
    :attr:`room`, which keeps its height whether a message shows or not."""

    def __init__(self):
        super().__init__()
        self.setObjectName("auditionMessage")
        self.setWordWrap(True)
        self.setStyleSheet(message_style_sheet())
        self.kind = ""
        self.room = BannerRoom(self)
        self.hide()

    def say(self, text: str, kind: str) -> None:
        if kind not in MESSAGE_STYLES:
            raise ValueError(f"unknown message kind {kind!r}")
        self.kind = kind
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText(text)
        self.room.fit()
        self.show()

    def clear_message(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()


BANNER_LINES = 2  # the room kept for a message: longer ones make it taller
BANNER_FRAME = 10  # padding and border of the message style, above and below


class BannerRoom(QWidget):
    """The banner's place in the panel, kept whether a message shows or not.

    A label in a layout that appears, disappears or gets new text asks the whole window for
    a new layout, and the piano roll below it is then resized and repainted with its axes:
    a long turn of the event loop when a run starts. Here the banner is a child outside any
    layout, sized to this fixed room; only a message longer than the room resizes it."""

    def __init__(self, banner: QLabel):
        super().__init__()
        self.banner = banner
        banner.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.reserved = BANNER_LINES * banner.fontMetrics().lineSpacing() + BANNER_FRAME
        self.setFixedHeight(self.reserved)

    def fit(self) -> None:
        """Room for the banner's text at this width (never less than the reserve)."""
        height = max(self.reserved, self.banner.heightForWidth(max(self.width(), 1)))
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        self.banner.setGeometry(self.rect())
        super().resizeEvent(event)
