"""Griffin-Lim inversion: what comes back sounds at the pitch that went in."""

import numpy as np
import pytest

from core.audio.frames import fit_scaling, spectral_frames
from core.audio.inversion import PEAK, frames_to_audio, magnitudes_of
from core.audio.representation import SpectralFrames
from core.errors import DataError

RATE = 16000


def sine(hz: float, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.5 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def peak_hz(audio: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio)), n=4 * len(audio)))
    freqs = np.fft.rfftfreq(4 * len(audio), 1 / RATE)
    return float(freqs[np.argmax(spectrum)])


@pytest.mark.parametrize("kind", ["dft", "mel"])
@pytest.mark.parametrize("hz", [330.0, 880.0])
def test_a_sines_frames_come_back_at_its_pitch(kind, hz):
    rep = SpectralFrames(sample_rate=RATE, kind=kind, n_fft=1024, hop_length=256, n_mels=128)
    frames = spectral_frames(sine(hz), rep)
    audio = frames_to_audio(frames, rep)
    assert audio.dtype == np.float32
    assert abs(len(audio) - RATE) < 2 * rep.hop_length
    # a mel band is wider than a DFT bin: allow a band's width around the note
    tolerance = 8.0 if kind == "dft" else 40.0
    assert abs(peak_hz(audio) - hz) < tolerance
    assert np.max(np.abs(audio)) == pytest.approx(PEAK, rel=1e-3)


def test_standardised_frames_are_unscaled_before_inversion():
    rep = SpectralFrames(sample_rate=RATE, kind="dft", n_fft=512, hop_length=128)
    frames = spectral_frames(sine(440.0), rep)
    mean, std = fit_scaling([frames])
    scaled = (frames - mean) / std
    assert np.allclose(magnitudes_of(scaled, rep, (mean, std)), np.expm1(frames).T, atol=1e-3)
    assert abs(peak_hz(frames_to_audio(scaled, rep, (mean, std))) - 440.0) < 8.0
    # without the scaling the standardised frames are another sound altogether
    assert not np.allclose(magnitudes_of(scaled, rep), np.expm1(frames).T, atol=1e-3)


def test_the_same_frames_and_seed_give_the_same_sound():
    rep = SpectralFrames(sample_rate=RATE, kind="dft", n_fft=512, hop_length=128)
    frames = spectral_frames(sine(500.0, 0.3), rep)
    assert np.array_equal(
        frames_to_audio(frames, rep, seed=3), frames_to_audio(frames, rep, seed=3)
    )


def test_silence_stays_silent():
    rep = SpectralFrames(sample_rate=RATE, kind="mel", n_fft=512, hop_length=128, n_mels=32)
    audio = frames_to_audio(np.zeros((20, rep.bins), np.float32), rep)
    assert not audio.any()


@pytest.mark.parametrize(
    "frames",
    [
        np.zeros((10, 7), np.float32),  # wrong number of bins
        np.zeros((0, 257), np.float32),  # no frames
        np.full((4, 257), np.nan, np.float32),
    ],
)
def test_frames_it_cannot_invert_are_a_clear_error(frames):
    rep = SpectralFrames(sample_rate=RATE, kind="dft", n_fft=512, hop_length=128)
    with pytest.raises(DataError):
        frames_to_audio(frames, rep)
