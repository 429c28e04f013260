"""Filters as pictures (numpy only): a convolution's filters as patches, a filter over one
spectral frame as a spectrum, a filter over several input channels by its strongest channel.

The mosaic itself is ``app.plots.mosaic``; this module decides what each tile shows and says
so in words for the caption.
"""

from __future__ import annotations

import numpy as np

SPECTRUM_HEIGHT = 25  # pixels of a spectrum tile: 12 above the zero line, 12 below
SPECTRUM = "spectrum"  # the kind of a spectrum tile: drawn as it is, set apart by a wider gap


def spectrum_tile(values: np.ndarray, height: int = SPECTRUM_HEIGHT) -> np.ndarray:
    """A filter over frequency bins as a bar spectrum: bin b is column b, its bar rises from
    the middle row for a positive weight and falls for a negative one, scaled to the largest
    magnitude; bars carry their sign (red up, blue down in the bipolar colours)."""
    values = np.asarray(values, np.float32).ravel()
    half = height // 2
    peak = float(np.abs(values).max()) if values.size else 0.0
    bars = np.zeros(values.size, np.int64) if peak == 0 else np.rint(values / peak * half)
    rows = np.arange(height)[:, None]  # row 0 is the top
    up = (rows >= half - bars[None, :]) & (rows < half) & (bars[None, :] > 0)
    down = (rows > half) & (rows <= half - bars[None, :]) & (bars[None, :] < 0)
    return up.astype(np.float32) - down.astype(np.float32)


def strongest_channel(filters: np.ndarray) -> np.ndarray:
    """(filters, time, frequency) from (filters, time, frequency, channels): each filter's
    patch over the input channel its weights are largest on."""
    energy = np.square(filters).sum(axis=(1, 2))  # (filters, channels)
    pick = energy.argmax(axis=1)
    return filters[np.arange(len(filters)), :, :, pick]


def filter_tiles(filters: np.ndarray, kind: str) -> tuple[np.ndarray, str, str]:
    """(tiles for ``plots.mosaic``, the kind to draw them as, what they are in words).

    On spectrograms a filter over a single frame, (1, bins), becomes a spectrum; a filter
    over several channels (a convolution above the first) shows its strongest channel."""
    filters = np.asarray(filters, np.float32)
    spectral = kind == "spectrogram"
    if filters.ndim == 4:
        channels = filters.shape[-1]
        patches = strongest_channel(filters)
        what = "time × frequency" if spectral else "patches"
        return patches, kind, f"{what} patches, each its strongest of {channels} input channels"
    if spectral and filters.ndim == 3 and filters.shape[1] == 1:
        spectra = np.stack([spectrum_tile(f) for f in filters])
        return spectra, SPECTRUM, f"spectra over {filters.shape[2]} frequency bins (low left)"
    if filters.ndim == 2:
        return filters, kind, f"weights from the {filters.shape[1]} units below"
    if spectral:
        return filters, kind, "time × frequency patches (time right, frequency up)"
    if kind == "pianoroll":
        return filters, kind, "pitch × time patches"
    return filters, kind, "images"
