"""Preferences do what they say, against the real dialog and the real audition panel: the
chosen output device plays, the chosen SoundFont renders (playback and WAV export), and the
renderer in use is shown in the dialog and the panel."""

from __future__ import annotations

import shutil
import time
import wave

import numpy as np
import pytest
from fakes import faithful_to

import app.audio
from app.dialogs import PreferencesDialog
from app.panels import audition as audition_mod
from app.panels.audition import AuditionPanel
from core.music.pianoroll import PianoRoll
from core.music.render import available_renderer, default_soundfont


@faithful_to(app.audio.AudioPlayer)
class DevicePlayer:
    """Records the device it was made for; pretends to play."""

    made: list = []

    def __init__(self, device=None):
        self.device = device
        self.state = "stopped"
        self.loop = False
        self.error = None
        self.played = None
        self._t0 = 0.0
        DevicePlayer.made.append(self)

    def play(self, audio, sr, loop=None):
        self.played = (len(audio), sr)
        self.state = "playing"
        self._t0 = time.monotonic()

    @property
    def position(self):
        return time.monotonic() - self._t0 if self.state == "playing" else 0.0

    def stop(self):
        self.state = "stopped"


def playing() -> bool:
    return bool(DevicePlayer.made) and DevicePlayer.made[-1].state == "playing"


def a_piece() -> PianoRoll:
    roll = np.zeros((16, 48), np.float32)
    roll[:8, 24] = roll[8:, 28] = 1
    return PianoRoll(roll, steps_per_quarter=4, lowest_pitch=36)


@pytest.fixture
def window(make_window, monkeypatch):
    DevicePlayer.made = []
    monkeypatch.setattr(app.audio, "AudioPlayer", DevicePlayer)
    window = make_window(panels={"audition": AuditionPanel}, show=True)
    yield window
    window.audition.stop()


def choose(monkeypatch, device: str, soundfont: str, seen: list | None = None):
    def fake_exec(dialog):
        if seen is not None:
            seen.append(dialog.renderer.text())
        dialog.device.setCurrentText(device)
        dialog.soundfont.setText(soundfont)
        if seen is not None:
            seen.append(dialog.renderer.text())
        dialog.accept()
        return PreferencesDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", fake_exec)


@pytest.fixture
def rendered(monkeypatch):
    """The SoundFont each rendering was asked for, whole or streamed for playing (the real
    renderer still renders)."""
    from core.music import render as render_mod
    from core.music import stream as stream_mod

    seen: list = []
    real = render_mod.render
    real_stream = stream_mod.start_stream

    def spy(roll, sample_rate=44100, soundfont=None, renderer=None):
        seen.append(soundfont)
        return real(roll, sample_rate, soundfont=soundfont, renderer=renderer)

    def stream_spy(roll, sample_rate=44100, soundfont=None, renderer=None):
        seen.append(soundfont)
        return real_stream(roll, sample_rate, soundfont=soundfont, renderer=renderer)

    monkeypatch.setattr(render_mod, "render", spy)
    monkeypatch.setattr(stream_mod, "start_stream", stream_spy)
    return seen


def test_the_chosen_device_and_soundfont_play_and_render(
    window, qtbot, tmp_path, monkeypatch, rendered
):
    assert available_renderer() == "fluidsynth"  # a declared dependency
    mine = tmp_path / "mine.sf2"
    shutil.copyfile(default_soundfont(), mine)
    shown: list = []
    choose(monkeypatch, "Null Output", str(mine), shown)
    assert window.preferences()
    assert shown[-1] == "Renderer: fluidsynth (mine.sf2)"  # the dialog says what will render
    panel = window.audition
    assert panel.renderer_label.text() == "Renderer: fluidsynth (mine.sf2)"
    panel.set_roll(a_piece(), "piece")
    window.toggle_play()
    qtbot.waitUntil(playing, timeout=30000)
    assert DevicePlayer.made[-1].device == "Null Output"
    assert rendered == [str(mine)]
    assert DevicePlayer.made[-1].played[1] == audition_mod.SAMPLE_RATE
    with qtbot.waitSignal(panel.exported, timeout=30000):
        panel.export_wav(str(tmp_path / "piece.wav"))
    assert rendered[-1] == str(mine)
    with wave.open(str(tmp_path / "piece.wav")) as w:
        assert w.getnframes() > 0


def test_changing_the_device_makes_a_new_player_on_it(window, qtbot, monkeypatch):
    panel = window.audition
    panel.set_roll(a_piece(), "piece")
    window.toggle_play()
    qtbot.waitUntil(playing, timeout=30000)
    assert DevicePlayer.made[-1].device is None  # the system default at first
    choose(monkeypatch, "Second Card", "")
    assert window.preferences()
    assert DevicePlayer.made[0].state == "stopped"  # the old device stops
    window.toggle_play()
    qtbot.waitUntil(lambda: len(DevicePlayer.made) == 2, timeout=30000)
    assert DevicePlayer.made[-1].device == "Second Card"


def test_a_missing_soundfont_chosen_in_preferences_is_said_on_play(
    window, qtbot, tmp_path, monkeypatch
):
    choose(monkeypatch, "", str(tmp_path / "gone.sf2"))
    assert window.preferences()
    panel = window.audition
    panel.set_roll(a_piece(), "piece")
    with qtbot.waitSignal(panel.messageChanged, timeout=30000) as message:
        window.toggle_play()
    assert "gone.sf2" in message.args[0] and panel.message_label.kind == "error"
