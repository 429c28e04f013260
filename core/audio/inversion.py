"""Spectral frames back to sound by Griffin-Lim (librosa): the phase a magnitude lost is
estimated by alternating projections, so what a model reconstructs can be heard.

The frames are in the form a model sees them; :func:`frames_to_audio` undoes that form step
by step: the per-bin standardisation (when the dataset's scaling is given), the log(1 + x)
compression, and for mel frames the mel filter bank (``mel_to_stft``, non-negative least
squares), before Griffin-Lim finds a phase for the DFT magnitude.
"""

from __future__ import annotations

import numpy as np

from core.audio.representation import SpectralFrames
from core.errors import DataError

GRIFFIN_LIM_ITERATIONS = 32
PEAK = 0.9  # the loudest sample of a clip played back (full scale is 1)


def magnitudes_of(
    frames: np.ndarray,
    rep: SpectralFrames,
    scaling: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """(bins, frames) non-negative magnitudes of (frames, bins) model-side frames: the
    standardisation undone with ``scaling`` (mean, std per bin), then the log compression."""
    x = np.asarray(frames, dtype=np.float32)
    if x.ndim != 2 or x.shape[1] != rep.bins or len(x) == 0:
        raise DataError(
            f"frames of shape {x.shape} are not (frames, {rep.bins}) spectral frames of "
            f"this representation"
        )
    if not np.isfinite(x).all():
        raise DataError("the frames hold values that are not finite numbers")
    if scaling is not None:
        mean, std = (np.asarray(a, np.float32).reshape(-1) for a in scaling)
        x = x * std + mean
    if rep.log_compression:
        x = np.expm1(np.minimum(x, 80.0))  # log1p's inverse; the cap keeps it finite
    return np.maximum(x, 0.0).T


def frames_to_audio(
    frames: np.ndarray,
    rep: SpectralFrames,
    scaling: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    iterations: int = GRIFFIN_LIM_ITERATIONS,
    seed: int = 0,
) -> np.ndarray:
    """Mono float32 samples at ``rep.sample_rate`` whose spectral frames are ``frames``
    (as far as Griffin-Lim finds them), scaled to a peak of ``PEAK``; silence stays silent.
    The same frames and seed give the same samples."""
    import librosa

    magnitude = magnitudes_of(frames, rep, scaling)
    if rep.kind == "mel":
        magnitude = librosa.feature.inverse.mel_to_stft(
            magnitude, sr=rep.sample_rate, n_fft=rep.n_fft, power=1.0
        )
    length = (magnitude.shape[1] - 1) * rep.hop_length
    audio = librosa.griffinlim(
        magnitude,
        n_iter=iterations,
        hop_length=rep.hop_length,
        n_fft=rep.n_fft,
        length=max(length, 1),
        random_state=seed,
    )
    audio = np.nan_to_num(np.asarray(audio, np.float32))
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    return audio * (PEAK / peak) if peak > 1e-6 else np.zeros_like(audio)
