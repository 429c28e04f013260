"""The audition panel: pieces, playhead, transport messages, exports, snapshots, generation."""

from __future__ import annotations

import dataclasses
import json
import os
import time
import wave

import numpy as np
import pytest
from fakes import faithful_to  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from app.audio import AudioPlayer, AudioUnavailable  # noqa: E402
from app.panels import audition as audition_mod  # noqa: E402
from app.panels.audition import AuditionPanel  # noqa: E402
from core.music.pianoroll import PianoRoll  # noqa: E402


def scale_roll(steps=32, pitches=48, low=36):
    roll = np.zeros((steps, pitches), np.float32)
    for i, p in enumerate([0, 2, 4, 5, 7, 9, 11, 12]):
        roll[i * 4 : i * 4 + 3, 24 + p] = 1  # C4 major scale, quarter notes
    roll[:16, 12] = 1  # a held C3 underneath
    return PianoRoll(roll, steps_per_quarter=4, lowest_pitch=low)


@faithful_to(AudioPlayer)
class FakePlayer:
    """Pretends to play: the position runs with the clock."""

    def __init__(self, fail_after=None):
        self.state = "stopped"
        self.loop = False
        self.error = None
        self._t0 = 0.0
        self.fail_after = fail_after
        self.played = None

    def play(self, audio, sr, loop=None):
        self.played = (len(audio), sr)
        self.state = "playing"
        self._t0 = time.monotonic()

    @property
    def position(self):
        t = time.monotonic() - self._t0 if self.state == "playing" else 0.0
        if self.fail_after is not None and t > self.fail_after:
            self.state = "stopped"
            self.error = "playback stopped: the audio device stopped responding or was removed"
        return t

    def pause(self):
        self.state = "paused"

    def resume(self):
        self.state = "playing"

    def stop(self):
        self.state = "stopped"


@faithful_to(AudioPlayer)
class NoDevicePlayer(FakePlayer):
    def play(self, audio, sr, loop=None):
        raise AudioUnavailable("no audio output device was found: connect speakers")


@pytest.fixture
def panel(qtbot):
    p = AuditionPanel()
    qtbot.addWidget(p)
    p.resize(1100, 650)
    p.show()
    yield p
    p.stop()


def test_a_roll_is_shown_and_the_playhead_moves(panel, qtbot):
    panel.set_roll(scale_roll(), "scale")
    assert panel.roll_view.image.image is not None
    assert panel.roll_view.image.image.shape == (48, 32)  # pitches × steps
    panel.player = FakePlayer()
    panel.toggle_play()  # renders on a worker, then plays
    qtbot.waitUntil(lambda: panel.player.state == "playing", timeout=20000)
    assert panel.player.played[1] == audition_mod.SAMPLE_RATE
    assert panel.renderer_name in ("fluidsynth", "built-in synthesiser")
    assert panel.renderer_name in panel.renderer_label.text()
    qtbot.waitUntil(lambda: panel.roll_view.playhead_position > 0.3, timeout=5000)
    assert panel.play_button.text() == "Pause"
    panel.toggle_play()
    assert panel.player.state == "paused"
    panel.stop()
    assert panel.roll_view.playhead_position == 0.0


def test_no_audio_device_gives_a_message_and_export_still_works(panel, qtbot, tmp_path):
    panel.set_roll(scale_roll(), "scale")
    panel.player = NoDevicePlayer()
    with qtbot.waitSignal(panel.messageChanged, timeout=20000) as msg:
        panel.toggle_play()
    assert "No sound" in msg.args[0] and "Export still works" in msg.args[0]
    assert panel.message_label.isVisible()
    assert panel.export_midi(str(tmp_path / "a.mid"))
    assert os.path.getsize(tmp_path / "a.mid") > 0


def test_device_lost_during_playback_is_a_message(panel, qtbot):
    panel.set_roll(scale_roll(), "scale")
    panel.player = FakePlayer(fail_after=0.2)
    panel.toggle_play()
    qtbot.waitUntil(lambda: "removed" in panel.message_label.text(), timeout=20000)
    assert panel.play_button.text() == "Play"


def test_export_midi_wav_png(panel, qtbot, tmp_path):
    import pretty_midi

    panel.set_roll(scale_roll(), "scale")
    panel.tempo_spin.setValue(120)
    panel.program_combo.setCurrentIndex(40)  # violin
    midi = panel.export_midi(str(tmp_path / "piece.mid"))
    pm = pretty_midi.PrettyMIDI(midi)
    notes = [n for inst in pm.instruments for n in inst.notes]
    assert len(notes) == 9
    assert sorted({n.pitch for n in notes}) == sorted(
        {48} | {60 + p for p in [0, 2, 4, 5, 7, 9, 11, 12]}
    )
    assert pm.instruments[0].program == 40
    assert abs(pm.get_end_time() - 3.875) < 0.05  # the last note ends at step 31, 120 BPM
    with qtbot.waitSignal(panel.exported, timeout=30000) as done:
        panel.export_wav(str(tmp_path / "piece.wav"))
    assert done.args[0].endswith("piece.wav")
    with wave.open(str(tmp_path / "piece.wav")) as w:
        frames = w.readframes(w.getnframes())
        assert w.getframerate() == audition_mod.SAMPLE_RATE
    pcm = np.frombuffer(frames, "<i2")
    assert pcm.size > 3.5 * audition_mod.SAMPLE_RATE and np.abs(pcm).max() > 1000
    png = panel.export_png(str(tmp_path / "piece.png"))
    image = QImage(png)
    assert not image.isNull() and image.width() > 200 and image.height() > 100


def _fake_run(tmp_path, with_model=False):
    run = tmp_path / "run"
    (run / "snapshots").mkdir(parents=True)
    (run / "project.json").write_text(
        json.dumps(
            {
                "data": {
                    "source": "bach-chorales",
                    "representation": {
                        "steps_per_quarter": 4,
                        "lowest_pitch": 36,
                        "pitch_count": 48,
                    },
                }
            }
        )
    )
    rng = np.random.default_rng(0)
    for epoch in (0, 1):
        x = (rng.random((3, 16, 48)) > 0.9).astype(np.float32)
        np.savez(
            run / "snapshots" / f"00-ae1-e{epoch + 1:04d}.npz",
            inputs=x,
            reconstructions=x * 0.8,
            filters=rng.normal(size=(4, 16, 48)),
        )
    if with_model:
        (run / "model.keras").write_bytes(b"")
    return run


def test_snapshots_of_a_running_run_can_be_auditioned(panel, qtbot, tmp_path):
    run = _fake_run(tmp_path)
    panel.set_run(str(run))
    assert panel.snapshot_list.count() == 2
    assert "epoch 2" in panel.snapshot_list.item(1).text()
    assert "no trained model yet" in panel.message_label.text()
    panel._on_snapshot_activated(panel.snapshot_list.item(1))
    assert len(panel.pieces) == 6  # three reconstructions and three inputs
    assert panel.piece is not None and panel.piece.roll.shape == (16, 48)
    # A new snapshot written while training goes on shows up.
    np.savez(
        run / "snapshots" / "00-ae1-e0003.npz",
        reconstructions=np.zeros((1, 16, 48), np.float32),
    )
    panel.refresh_snapshots()
    assert panel.snapshot_list.count() == 3


def test_generation_runs_on_a_worker(panel, qtbot, tmp_path, monkeypatch):
    run = _fake_run(tmp_path, with_model=True)
    calls = []

    def fake_info(run_dir):
        return {
            "methods": ["decode", "vae-interpolate"],
            "why_not": "",
            "tempo": 90,
            "program": 5,
            "code_size": 4,
        }

    def fake_generate(run_dir, request):
        calls.append(dataclasses.asdict(request))
        return scale_roll()

    monkeypatch.setattr(audition_mod, "_load_model_info", fake_info)
    monkeypatch.setattr(audition_mod, "_generate", fake_generate)
    panel.set_run(str(run))
    qtbot.waitUntil(lambda: panel.method_combo.count() == 2, timeout=5000)
    assert panel.tempo_spin.value() == 90 and panel.program_combo.currentIndex() == 5
    assert panel.latent_box.isEnabled()
    panel.latent_box.setChecked(True)
    panel.latent_sliders[1].setValue(150)
    panel.seed_spin.setValue(7)
    with qtbot.waitSignal(panel.pieceChanged, timeout=5000):
        panel.generate_button.click()
    assert calls[-1]["method"] == "decode" and calls[-1]["seed"] == 7
    assert list(calls[-1]["code"]) == [0.0, 1.5, 0.0, 0.0]
    # The name carries the settings that made the piece.
    assert panel.pieces[-1][0] == "decode seed 7 · threshold 0.5 · chosen code"
    with qtbot.waitSignal(panel.pieceChanged, timeout=5000):
        panel.generate_button.click()
    panel.method_combo.setCurrentText("vae-interpolate")
    assert panel.interp_box.isEnabled()
    panel.piece_a.setCurrentIndex(0)
    panel.piece_b.setCurrentIndex(1)
    with qtbot.waitSignal(panel.pieceChanged, timeout=5000):
        panel.generate_button.click()
    assert len(calls[-1]["pieces"]) == 2 and calls[-1]["steps"] == 5


def test_generation_failure_is_a_message(panel, qtbot, tmp_path, monkeypatch):
    run = _fake_run(tmp_path, with_model=True)
    monkeypatch.setattr(
        audition_mod, "_load_model_info", lambda d: {"methods": ["gibbs"], "code_size": None}
    )

    def broken(run_dir, request):
        raise RuntimeError("the model has no RBM on top")

    monkeypatch.setattr(audition_mod, "_generate", broken)
    panel.set_run(str(run))
    qtbot.waitUntil(lambda: panel.method_combo.currentText() == "gibbs", timeout=5000)
    with qtbot.waitSignal(panel.messageChanged, timeout=5000) as msg:
        panel.generate()
    assert "no RBM on top" in msg.args[0]
    assert panel.generate_button.isEnabled()


def test_the_audio_device_is_the_players(panel, qtbot):
    panel.set_audio_device("Null Output")
    player = panel._ensure_player()
    assert type(player).__name__ == "AudioPlayer" and player.device == "Null Output"
    panel.set_audio_device("Null Output")
    assert panel.player is player  # the same device keeps its player
    panel.set_audio_device(None)
    assert panel.player is None  # made again on the default device at the next Play
    assert panel._ensure_player().device is None


def test_the_soundfont_is_used_for_rendering_and_shown(panel, qtbot, tmp_path, monkeypatch):
    rendered = []

    def fake_render(roll, sample_rate, soundfont=None):
        rendered.append(soundfont)
        return np.zeros(sample_rate, np.float32), "fluidsynth"

    monkeypatch.setattr(audition_mod, "_render", fake_render)
    panel.set_soundfont(str(tmp_path / "strings.sf2"))
    assert panel.soundfont == str(tmp_path / "strings.sf2")
    panel.set_roll(scale_roll(), "scale")
    panel.player = FakePlayer()
    panel.toggle_play()
    qtbot.waitUntil(lambda: panel.player.state == "playing", timeout=5000)
    assert rendered == [str(tmp_path / "strings.sf2")]
    assert panel.renderer_label.text() == "Renderer: fluidsynth (strings.sf2)"
    panel.stop()
    panel.set_soundfont(None)  # back to the bundled SoundFont: rendered again
    panel.toggle_play()
    qtbot.waitUntil(lambda: len(rendered) == 2, timeout=5000)
    assert rendered[-1] is None and "(" not in panel.renderer_label.text()


def test_a_missing_soundfont_is_a_message(panel, qtbot, tmp_path):
    assert panel.renderer_name == "fluidsynth"  # a declared dependency; it reads SoundFonts
    panel.set_soundfont(str(tmp_path / "missing.sf2"))
    panel.set_roll(scale_roll(), "scale")
    panel.player = FakePlayer()
    with qtbot.waitSignal(panel.messageChanged, timeout=20000) as msg:
        panel.toggle_play()
    assert "Rendering failed" in msg.args[0] and "missing.sf2" in msg.args[0]


def test_option_controls_come_from_the_declarations(panel, qtbot, tmp_path, monkeypatch):
    from core.catalog.generation import option

    assert panel.seed_spin.toolTip() == option("seed").help
    assert panel.threshold_spin.maximum() == option("threshold").maximum
    assert panel.bars_spin.value() == option("bars").default
    run = _fake_run(tmp_path, with_model=True)
    monkeypatch.setattr(
        audition_mod,
        "_load_model_info",
        lambda d: {"methods": ["vae-prior", "vae-interpolate"], "code_size": 3},
    )
    panel.set_run(str(run))
    qtbot.waitUntil(lambda: panel.method_combo.count() == 2, timeout=5000)
    assert panel.temperature_spin.isEnabled() and panel.bars_spin.isEnabled()
    panel.method_combo.setCurrentText("vae-interpolate")
    assert not panel.temperature_spin.isEnabled() and not panel.bars_spin.isEnabled()
    panel.generate()  # no two pieces yet: a message, no request
    assert "two different pieces" in panel.message_label.text()


def long_roll(steps):
    """A note every quarter from start to end, climbing the scale."""
    roll = np.zeros((steps, 48), np.float32)
    for i in range(steps // 4):
        roll[i * 4 : i * 4 + 3, 12 + [0, 2, 4, 5, 7, 9, 11, 12][i % 8]] = 1
    return PianoRoll(roll, steps_per_quarter=4, lowest_pitch=36)


@faithful_to(AudioPlayer)
class KeepingPlayer(FakePlayer):
    """Keeps what it was given to play."""

    def play(self, audio, sr, loop=None):
        super().play(audio, sr, loop=loop)
        self.audio = audio


def test_play_starts_while_the_piece_renders_and_plays_the_whole_again(panel, qtbot):
    panel.set_roll(long_roll(256), "long scale")
    panel.player = KeepingPlayer()
    panel.toggle_play()
    qtbot.waitUntil(lambda: panel.player.state == "playing", timeout=20000)
    stream = panel.player.audio
    assert hasattr(stream, "ready") and len(stream) > 10 * audition_mod.SAMPLE_RATE
    assert stream.wait(30) and stream.finished
    panel.stop()
    panel.toggle_play()  # rendered already: the normalised whole plays, nothing renders again
    assert isinstance(panel.player.audio, np.ndarray)
    np.testing.assert_array_equal(panel.player.audio, stream.audio())
    panel.stop()
    panel.tempo_spin.setValue(140)  # another sound: the next Play renders again
    panel.toggle_play()
    qtbot.waitUntil(lambda: hasattr(panel.player.audio, "ready"), timeout=20000)
    assert panel.player.audio is not stream and len(panel.player.audio) < len(stream)


def test_a_render_that_fails_while_playing_is_a_message(panel, qtbot, monkeypatch):
    class Broken:
        ready, error, complete, finished = 0, None, False, False

        def __len__(self):
            return audition_mod.SAMPLE_RATE

        def cancel(self):
            pass

    broken = Broken()
    monkeypatch.setattr(audition_mod, "_render", lambda *a: (broken, "fluidsynth"))
    panel.set_roll(scale_roll(), "scale")
    panel.player = FakePlayer()
    panel.toggle_play()
    qtbot.waitUntil(lambda: panel.player.state == "playing", timeout=5000)
    broken.error, broken.complete = "MemoryError: no room for the note", True
    qtbot.waitUntil(lambda: "Rendering failed" in panel.message_label.text(), timeout=5000)
    assert "no room for the note" in panel.message_label.text()
    assert panel.player.state == "stopped" and panel.play_button.text() == "Play"


def test_another_piece_cancels_a_render_nobody_hears(panel, qtbot):
    panel.set_roll(long_roll(2048), "very long scale")
    panel.player = KeepingPlayer()
    panel.toggle_play()
    qtbot.waitUntil(lambda: panel.player.state == "playing", timeout=20000)
    stream = panel.player.audio
    panel.set_roll(scale_roll(), "short scale")  # stops, and the long render is dropped
    assert stream.wait(10) and stream.complete and not stream.finished
