"""Audition of a run that learns sound: its clips listed, a clip and the model's
reconstruction drawn as spectrograms and made into sound on a worker, played through the
panel's player; a run of piano rolls keeps the piano roll; failures are one line."""

from __future__ import annotations

import numpy as np
import pytest
from fakes import faithful_to
from sound_runs import PITCHES, make_sound_run, peak_hz

from app.audio import AudioPlayer, AudioUnavailable
from app.panels.audition import AuditionPanel


@faithful_to(AudioPlayer)
class RecordingPlayer:
    def __init__(self, fail=False):
        self.state = "stopped"
        self.loop = False
        self.error = None
        self.position = 0.0
        self.fail = fail
        self.played: list = []

    def play(self, audio, sample_rate, loop=None):
        if self.fail:
            raise AudioUnavailable("no audio output device was found")
        self.played.append((np.asarray(audio), sample_rate))
        self.state = "playing"

    def pause(self):
        self.state = "paused"

    def resume(self):
        self.state = "playing"

    def stop(self):
        self.state = "stopped"


@pytest.fixture
def panel(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERWISE_CACHE_DIR", str(tmp_path / "cache"))
    p = AuditionPanel()
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    p.player = RecordingPlayer()
    yield p
    p.stop()


def _wait_for_pair(qtbot, clip):
    qtbot.waitUntil(lambda: clip.pair is not None or "⚠" in clip.status.text(), timeout=120000)
    assert clip.pair is not None, clip.status.text()


def test_a_sound_run_shows_its_clips_and_plays_input_and_reconstruction(panel, qtbot, tmp_path):
    run = make_sound_run(tmp_path)
    panel.set_run(str(run))
    clip = panel.clip_audition
    assert clip.isVisible() and not panel.roll_view.isVisible()
    hidden = (panel.controls, panel.play_button, panel.midi_button, panel.statistics)
    assert not any(widget.isVisible() for widget in hidden)  # piano-roll parts
    assert "learns sound" in panel.message_label.text()
    _wait_for_pair(qtbot, clip)
    assert [split for split, _ in clip.clips] == ["test", "test", "train", "train"]
    assert clip.clip_combo.count() == 4
    pair = clip.pair
    assert pair.inputs.shape == pair.reconstruction.shape and pair.inputs.shape[1] == 129
    assert "output" in pair.how and pair.name in clip.status.text()
    image = clip.input_image.image
    assert image.shape == pair.inputs.T.shape  # frequency up, time right
    placed = clip.input_image.mapRectToParent(clip.input_image.boundingRect())
    assert placed.width() == pytest.approx(len(pair.inputs) * 128 / 8000)  # seconds
    assert placed.height() == pytest.approx(4000)  # DFT bins up to half the rate, in Hz
    hz = PITCHES[pair.label]
    clip.play_input_button.click()
    clip.play_output_button.click()
    (heard_in, rate_in), (heard_out, rate_out) = panel.player.played
    assert rate_in == rate_out == 44100  # the panel's playback rate, whatever the data's
    assert abs(peak_hz(heard_in, rate_in) - hz) < 20
    assert abs(peak_hz(heard_out, rate_out) - hz) < 20


def test_choosing_another_clip_makes_its_pair(panel, qtbot, tmp_path):
    panel.set_run(str(make_sound_run(tmp_path)))
    clip = panel.clip_audition
    _wait_for_pair(qtbot, clip)
    first = clip.pair
    other = next(i for i, (_, name) in enumerate(clip.clips) if not name.startswith(first.label))
    clip.choose(other)
    assert not clip.play_input_button.isEnabled()  # busy until the new pair comes
    qtbot.waitUntil(lambda: clip.pair.name == clip.clips[other][1], timeout=120000)
    assert clip.play_input_button.isEnabled()
    clip.play_input_button.click()
    audio, rate = panel.player.played[-1]
    assert clip.pair.label != first.label
    assert abs(peak_hz(audio, rate) - PITCHES[clip.pair.label]) < 20


def test_a_run_without_a_model_waits_and_a_piano_roll_run_hides_the_clips(panel, tmp_path):
    run = make_sound_run(tmp_path, with_model=False)
    panel.set_run(str(run))
    assert panel.clip_audition.isVisible()
    assert "once the run has a model" in panel.clip_audition.status.text()
    music = tmp_path / "music"
    music.mkdir()
    (music / "project.json").write_text('{"data": {"source": "bach-chorales"}}')
    panel.set_run(str(music))
    assert not panel.clip_audition.isVisible() and panel.roll_view.isVisible()
    assert panel.controls.isVisible() and panel.play_button.isVisible()


def test_unreadable_sound_data_and_a_missing_device_are_one_line(panel, qtbot, tmp_path):
    run = make_sound_run(tmp_path)
    for wav in (tmp_path / "tones").rglob("*.wav"):
        wav.write_bytes(b"RIFF")  # every file corrupt: no clips to hear
    panel.set_run(str(run))
    clip = panel.clip_audition
    qtbot.waitUntil(lambda: "⚠" in clip.status.text(), timeout=60000)
    assert clip.status.text().startswith("⚠ Cannot read the run's sound data:")
    assert "\n" not in clip.status.text() and "Traceback" not in clip.status.text()
    assert clip.pair is None and not clip.play_input_button.isEnabled()


def test_no_device_is_a_message_in_the_panel(panel, qtbot, tmp_path):
    panel.set_run(str(make_sound_run(tmp_path)))
    _wait_for_pair(qtbot, panel.clip_audition)
    panel.player = RecordingPlayer(fail=True)
    panel.clip_audition.play_input_button.click()
    assert panel.message_label.text().startswith("No sound: no audio output device")


def test_a_generation_answer_for_a_sound_run_does_not_say_it_cannot_generate(panel, tmp_path):
    run = str(make_sound_run(tmp_path, with_model=False))
    panel.set_run(run)  # e.g. asked while the run was starting, before its data was known
    panel._loaded(("load", run), {"methods": [], "why_not": "not piano rolls"})
    assert "learns sound" in panel.message_label.text()
    assert not panel.controls.isVisible()
