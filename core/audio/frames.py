"""Samples to spectral frames (DFT magnitude or mel, librosa), frames to windows, and the
per-bin scaling fitted on the training frames."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from core.audio.representation import SpectralFrames
from core.errors import DataError


@lru_cache(maxsize=8)
def mel_basis(sample_rate: int, n_fft: int, n_mels: int) -> np.ndarray:
    """(n_mels, n_fft / 2 + 1) filter bank (Slaney's mel scale, area-normalised)."""
    import librosa

    return librosa.filters.mel(sr=sample_rate, n_fft=n_fft, n_mels=n_mels).astype(np.float32)


def spectral_frames(signal: np.ndarray, rep: SpectralFrames) -> np.ndarray:
    """(frames, bins) float32: the magnitude of each frame's DFT, or its mel spectrum,
    log(1 + x) compressed when the representation asks."""
    import librosa

    if len(signal) < rep.n_fft // 2:
        raise DataError(
            f"too short ({len(signal) / rep.sample_rate:.3f} s; a frame needs "
            f"{rep.n_fft / rep.sample_rate:.3f} s)"
        )
    magnitude = np.abs(librosa.stft(signal, n_fft=rep.n_fft, hop_length=rep.hop_length))
    if rep.kind == "mel":
        magnitude = mel_basis(rep.sample_rate, rep.n_fft, rep.n_mels) @ magnitude
    if rep.log_compression:
        magnitude = np.log1p(magnitude)
    return np.ascontiguousarray(magnitude.T, dtype=np.float32)


def magnitudes(frames: np.ndarray, rep: SpectralFrames) -> np.ndarray:
    """Undo the log compression: frames (unscaled) back to magnitudes."""
    return np.expm1(frames) if rep.log_compression else np.asarray(frames)


def frame_windows(frames: np.ndarray, rep: SpectralFrames) -> np.ndarray:
    """(n, frames_per_window, bins) windows every ``window_hop`` frames; a file shorter than
    one window is padded with zero frames."""
    window, hop = rep.frames_per_window, rep.window_hop
    if len(frames) < window:
        pad = np.zeros((window - len(frames), frames.shape[1]), frames.dtype)
        frames = np.concatenate([frames, pad])
    view = np.lib.stride_tricks.sliding_window_view(frames, window, axis=0)[::hop]
    return np.ascontiguousarray(view.transpose(0, 2, 1))


def fit_scaling(frames: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin mean and standard deviation over all ``frames`` (the training files')."""
    count = sum(len(f) for f in frames)
    total = sum(f.sum(axis=0, dtype=np.float64) for f in frames)
    mean = total / max(count, 1)
    square = sum(((f - mean) ** 2).sum(axis=0, dtype=np.float64) for f in frames)
    std = np.sqrt(square / max(count, 1))
    std = np.where(std > 1e-6, std, 1.0)
    return mean.astype(np.float32), std.astype(np.float32)
