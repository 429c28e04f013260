"""``SpectralFrames``: how sound becomes samples, the frozen form of a ``data.audio`` section.

Pure Python (no numpy): the catalog declares the settings (``AUDIO_PARAMS``) and checks them;
this class is what the reader, the frame maker, the dataset cache and the inversion to sound
(Griffin-Lim) take.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from core.catalog.data import AUDIO_DEFAULTS, audio_problems, frequency_bins
from core.errors import DataError

# The most bytes one file's spectrum may take while it is computed (complex64 DFT): a
# tiny hop on a long file at a high rate would otherwise ask for gigabytes.
MAX_SPECTRUM_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class SpectralFrames:
    """Sound resampled to ``sample_rate``, cut into frames of ``n_fft`` samples every
    ``hop_length`` samples, each frame the DFT magnitude (``kind`` "dft", n_fft / 2 + 1 bins)
    or a mel spectrum (``kind`` "mel", ``n_mels`` bands), optionally log(1 + x) compressed;
    a sample is ``frames_per_window`` frames, a new one every ``window_hop`` frames.
    ``standardize`` scales each bin to zero mean and unit variance over the training frames.
    At most ``max_seconds_per_file`` seconds of a file are read."""

    sample_rate: int = 16000
    kind: str = "mel"
    n_fft: int = 1024
    hop_length: int = 512
    n_mels: int = 64
    log_compression: bool = True
    frames_per_window: int = 32
    window_hop: int = 16
    standardize: bool = True
    max_seconds_per_file: float = 30.0

    def __post_init__(self) -> None:
        problems = audio_problems(asdict(self))
        if problems:
            raise DataError(problems[0])

    @classmethod
    def from_settings(cls, given: Mapping[str, Any] | None) -> SpectralFrames:
        """From a ``data.audio`` section (defaults filled in); DataError names a bad field."""
        given = dict(given or {})
        problems = audio_problems(given)
        if problems:
            raise DataError(problems[0])
        return cls(**{**AUDIO_DEFAULTS, **given})

    @classmethod
    def of_data(cls, data: Mapping[str, Any]) -> SpectralFrames:
        """The representation of a project's "data" section."""
        return cls.from_settings(data.get("audio"))

    @property
    def bins(self) -> int:
        """Values per frame."""
        return frequency_bins(asdict(self))

    @property
    def sample_shape(self) -> tuple[int, int]:
        """(frames, bins) of one sample."""
        return (self.frames_per_window, self.bins)

    @property
    def frame_seconds(self) -> float:
        """Seconds between two frames."""
        return self.hop_length / self.sample_rate

    @property
    def max_frames_per_file(self) -> int:
        return int(self.max_seconds_per_file * self.sample_rate) // self.hop_length + 1

    def settings(self) -> dict[str, Any]:
        """The ``data.audio`` section this representation is (JSON-ready)."""
        return asdict(self)

    def check_memory(self) -> None:
        """DataError naming the setting when one file's spectrum would take too much memory."""
        spectrum = self.max_frames_per_file * (self.n_fft // 2 + 1) * 8
        if spectrum > MAX_SPECTRUM_BYTES:
            raise DataError(
                f"one file's spectrum would take {spectrum / 2**30:.1f} GiB; raise "
                "data.audio.hop_length or lower data.audio.max_seconds_per_file or n_fft"
            )
