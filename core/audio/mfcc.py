"""MFCCs of spectral frames (librosa), pooled over a clip: the features the audio baselines
classify. They are computed from the frames a dataset already holds, so a baseline sees
exactly the sound the network saw."""

from __future__ import annotations

import numpy as np

from core.audio.frames import magnitudes, mel_basis
from core.audio.representation import SpectralFrames

MFCC_COEFFICIENTS = 20
DFT_MEL_BANDS = 40  # the mel bands MFCCs of DFT frames are taken over


def mfcc(frames: np.ndarray, rep: SpectralFrames, count: int = MFCC_COEFFICIENTS) -> np.ndarray:
    """(…, frames, count) MFCCs of (…, frames, bins) unscaled frames: mel power in dB, then
    the DCT (librosa.feature.mfcc)."""
    import librosa

    mel = magnitudes(frames, rep)
    if rep.kind == "dft":
        mel = mel @ mel_basis(rep.sample_rate, rep.n_fft, DFT_MEL_BANDS).T
    decibels = librosa.power_to_db(np.swapaxes(mel, -1, -2) ** 2, ref=1.0, top_db=None)
    coefficients = librosa.feature.mfcc(S=decibels, n_mfcc=count)
    return np.swapaxes(coefficients, -1, -2).astype(np.float32)


def pooled_mfcc(frames: np.ndarray, rep: SpectralFrames) -> np.ndarray:
    """(clips, 2 · count): each clip's MFCC mean and standard deviation over its frames."""
    coefficients = mfcc(frames, rep)
    return np.concatenate([coefficients.mean(axis=-2), coefficients.std(axis=-2)], axis=-1)
