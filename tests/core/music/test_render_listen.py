"""Rendering is checked by listening: the spectrum must show the pitches asked for."""

import subprocess
import sys
import wave

import numpy as np
import pretty_midi
import pytest
from midi_files import write_midi_file

from core.music.pianoroll import PianoRoll
from core.music.render import (
    BUILTIN,
    FLUIDSYNTH,
    available_renderer,
    render,
    warm_up,
    write_wav,
)

SR = 44100
A4, C5 = 69, 72


def peak_hz(audio, sr=SR, low=100.0, high=2000.0):
    """Strongest frequency in a band, refined by parabolic interpolation of the log spectrum."""
    window = np.hanning(len(audio))
    spectrum = np.abs(np.fft.rfft(audio * window, n=8 * len(audio)))
    freqs = np.fft.rfftfreq(8 * len(audio), 1 / sr)
    band = (freqs >= low) & (freqs <= high)
    i = np.flatnonzero(band)[np.argmax(spectrum[band])]
    a, b, c = np.log(spectrum[i - 1 : i + 2] + 1e-12)
    return freqs[i] + 0.5 * (a - c) / (a - 2 * b + c) * (freqs[1] - freqs[0])


def cents(f, ref):
    return 1200 * np.log2(f / ref)


def two_notes():
    """A4 for the first second, C5 for the next, at 60 bpm (one quarter per second)."""
    roll = np.zeros((8, 48), np.float32)
    roll[0:4, A4 - 36] = 1
    roll[4:8, C5 - 36] = 1
    return PianoRoll(roll, steps_per_quarter=4, lowest_pitch=36, tempo=60)


@pytest.mark.parametrize("renderer", [FLUIDSYNTH, BUILTIN])
def test_rendered_pitches_are_the_notes_asked_for(renderer):
    if renderer == FLUIDSYNTH and available_renderer() != FLUIDSYNTH:
        pytest.fail(
            "FluidSynth is missing (Debian: fluidsynth; pip: pyfluidsynth); `make test` installs it"
        )
    audio, used = render(two_notes(), SR, renderer=renderer)
    assert used == renderer and audio.dtype == np.float32
    assert 0.5 < np.abs(audio).max() <= 1.0
    first = audio[int(0.1 * SR) : int(0.9 * SR)]
    second = audio[int(1.1 * SR) : int(1.9 * SR)]
    assert abs(cents(peak_hz(first), 440.0)) < 10
    assert abs(cents(peak_hz(second), 440.0 * 2 ** (3 / 12))) < 10  # C5 = 523.25 Hz
    # Sound stops after the notes (release aside).
    assert np.abs(audio[int(2.6 * SR) :]).max() < 0.05 if len(audio) > 2.6 * SR else True


def test_pretty_midi_input_and_empty_piece():
    pm = pretty_midi.PrettyMIDI()
    audio, _ = render(pm, SR)
    assert audio.ndim == 1 and not np.any(np.isnan(audio))


def test_render_cli_writes_a_listenable_wav(tmp_path):
    mid = write_midi_file(tmp_path / "a4.mid", [(A4, 0, 2)])
    out = tmp_path / "a4.wav"
    run = subprocess.run(
        [sys.executable, "-m", "core", "render", str(mid), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert available_renderer() in run.stdout
    with wave.open(str(out)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, SR)
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    assert abs(cents(peak_hz(pcm[int(0.1 * SR) : int(0.9 * SR)]), 440.0)) < 10
    assert not list(tmp_path.glob(".tmp-*"))  # the atomic write left no temp file


def test_render_cli_bad_soundfont_is_one_line(tmp_path):
    mid = write_midi_file(tmp_path / "a4.mid", [(A4, 0, 1)])
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "core",
            "render",
            str(mid),
            "--out",
            str(tmp_path / "x.wav"),
            "--soundfont",
            str(tmp_path / "missing.sf2"),
            "--renderer",
            "fluidsynth",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "missing.sf2" in run.stderr or "FluidSynth is not available" in run.stderr


def test_write_wav_round_trip(tmp_path):
    tone = 0.5 * np.sin(2 * np.pi * 440 * np.arange(SR) / SR).astype(np.float32)
    write_wav(tone, SR, tmp_path / "t.wav")
    with wave.open(str(tmp_path / "t.wav")) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2") / 32767
    np.testing.assert_allclose(pcm, tone, atol=1e-4)


def test_without_fluidsynth_the_builtin_synth_takes_over(monkeypatch):
    import core.music.render as render_module

    monkeypatch.setattr(render_module, "_fluidsynth_module", lambda: None)
    assert available_renderer() == BUILTIN
    audio, used = render(two_notes(), SR)
    assert used == BUILTIN
    assert abs(cents(peak_hz(audio[int(0.1 * SR) : int(0.9 * SR)]), 440.0)) < 10


def test_warm_up_names_the_renderer():
    assert warm_up() == available_renderer()
