"""Reading audio files: each format, length bounds, and every reason a file is refused."""

import numpy as np
import pytest
from sounds import endless_header_wav, tone, write

from core.audio.reader import AudioFileError, read_audio

RATE = 16000


@pytest.mark.parametrize(
    ("suffix", "options"),
    [(".wav", {}), (".flac", {}), (".ogg", {"format": "OGG", "subtype": "VORBIS"})],
)
def test_each_format_reads_as_mono_samples_at_the_asked_rate(tmp_path, suffix, options):
    stereo = np.stack([tone(1.0, 22050), tone(1.0, 22050, 660)], axis=1)
    path = write(tmp_path / f"tone{suffix}", stereo, 22050, **options)
    signal = read_audio(path, RATE, 30.0)
    assert signal.dtype == np.float32 and signal.ndim == 1
    assert abs(len(signal) - RATE) <= 64  # one second, resampled
    assert 0.1 < np.max(np.abs(signal)) <= 1.0


def test_a_long_file_is_cut_at_the_bound(tmp_path):
    path = write(tmp_path / "long.wav", tone(5.0, RATE), RATE)
    assert len(read_audio(path, RATE, 1.5)) == int(1.5 * RATE)


def test_a_header_claiming_hours_reads_only_what_is_there(tmp_path):
    path = endless_header_wav(tmp_path / "endless.wav", rate=8000, seconds=1.0)
    signal = read_audio(path, 8000, 3600.0)
    assert len(signal) == 8000


def test_an_odd_rate_is_resampled(tmp_path):
    path = write(tmp_path / "odd.wav", tone(1.0, 11111), 11111)
    assert abs(len(read_audio(path, RATE, 30.0)) - RATE) <= 64


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEgarbage!"), "cannot be decoded"),
        (lambda p: write(p, np.zeros(RATE, np.float32), RATE), "silent"),
        (lambda p: write(p, tone(1.0, 400), 400), "sample rate 400 Hz"),
        (
            lambda p: write(p, np.full(RATE, np.nan, np.float32), RATE, subtype="FLOAT"),
            "NaN or infinite",
        ),
    ],
    ids=["empty", "corrupt", "silent", "rate-too-low", "nan"],
)
def test_unusable_files_say_why(tmp_path, make, reason):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(AudioFileError) as info:
        read_audio(path, RATE, 30.0)
    assert reason in info.value.reason


def test_a_missing_file_says_it_cannot_be_opened(tmp_path):
    with pytest.raises(AudioFileError, match="cannot be opened"):
        read_audio(tmp_path / "gone.wav", RATE, 30.0)
