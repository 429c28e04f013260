"""A sound run's clip and its reconstruction, played by the audition panel through a
PulseAudio null sink: what is recorded sounds at the clip's pitch."""

from __future__ import annotations

import numpy as np
import pytest
from pulse_helpers import RATE
from sound_runs import PITCHES, make_sound_run, peak_hz

pytestmark = pytest.mark.audio


def _played(panel, recorder, button) -> np.ndarray:
    with recorder:
        button.click()
        assert panel.player.wait(timeout=15)
    return recorder.sounding()


def test_the_clip_and_its_reconstruction_sound_at_the_clips_pitch(
    pulse, recorder, qtbot, tmp_path, monkeypatch
):
    from app.panels.audition import AuditionPanel

    monkeypatch.setenv("LAYERWISE_CACHE_DIR", str(tmp_path / "cache"))
    panel = AuditionPanel()
    qtbot.addWidget(panel)
    panel.set_run(str(make_sound_run(tmp_path)))
    clip = panel.clip_audition
    qtbot.waitUntil(lambda: clip.pair is not None or "⚠" in clip.status.text(), timeout=120000)
    assert clip.pair is not None, clip.status.text()
    hz = PITCHES[clip.pair.label]
    seconds = len(clip.pair.input_audio) / clip.pair.sample_rate
    for button in (clip.play_input_button, clip.play_output_button):
        heard = _played(panel, recorder, button)
        assert 0.8 * seconds * RATE < len(heard) < 1.3 * seconds * RATE
        assert abs(peak_hz(heard, RATE) - hz) < 15
    assert panel.message_label.text() == "" or "learns sound" in panel.message_label.text()
    panel.stop()
