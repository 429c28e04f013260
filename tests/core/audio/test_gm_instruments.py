"""The built-in gm-instruments set: rendered by FluidSynth, labelled by family, the same every
time, kept in the cache after the first build."""

import numpy as np
import pytest

from core.data import gm_instruments
from core.data.audio_folder import audio_files
from core.errors import DataError

TINY = {"pieces": 2, "programs": 1, "seconds": 1.0}


def test_a_tiny_rendering_has_every_family_and_is_the_same_each_time(tmp_path):
    import soundfile

    first, second = tmp_path / "a", tmp_path / "b"
    gm_instruments.render_set(first, gm_instruments.plan(**TINY))
    gm_instruments.render_set(second, gm_instruments.plan(**TINY))
    files = audio_files(first)
    assert len(files) == 7 * 2
    assert sorted({f.parent.name for f in files}) == sorted(gm_instruments.FAMILIES)
    for path in files:
        a, rate = soundfile.read(str(path))
        b, _ = soundfile.read(str(second / path.relative_to(first)))
        assert rate == gm_instruments.RATE and len(a) == rate  # one second each
        assert np.max(np.abs(a)) > 0.1
        np.testing.assert_array_equal(a, b)
    # the families sound apart: the bass's spectral centroid sits below the woodwind's
    bass = soundfile.read(str(next(f for f in files if f.parent.name == "bass")))[0]
    wood = soundfile.read(str(next(f for f in files if f.parent.name == "woodwind")))[0]
    assert _centroid(bass) < _centroid(wood)


def _centroid(signal):
    spectrum = np.abs(np.fft.rfft(signal))
    return float((spectrum * np.arange(len(spectrum))).sum() / spectrum.sum())


def test_the_rendered_folder_is_kept_and_found_again(monkeypatch):
    progress = []
    folder = gm_instruments.rendered_folder(lambda *u: progress.append(u), **TINY)
    assert progress[-1][:2] == (14, 14) and "rendered" in progress[-1][2]

    def no_second_rendering(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(gm_instruments, "render_set", no_second_rendering)
    assert gm_instruments.rendered_folder(**TINY) == folder
    assert not list(folder.parent.glob("*.partial-*"))


def test_a_rendering_that_fails_leaves_no_folder_behind(monkeypatch):
    def broken(folder, chosen, progress=None):
        (folder / "bass").mkdir(parents=True)
        raise DataError("FluidSynth stopped")

    monkeypatch.setattr(gm_instruments, "render_set", broken)
    with pytest.raises(DataError, match="FluidSynth stopped"):
        gm_instruments.rendered_folder(pieces=1, programs=1, seconds=0.5)
    folder = gm_instruments.folder_of(gm_instruments.plan(pieces=1, programs=1, seconds=0.5))
    assert not folder.exists() and not list(folder.parent.glob(f"{folder.name}*"))


def test_the_set_is_listed_and_refuses_an_odd_plan():
    from core.data import list_builtin_datasets

    assert "gm-instruments" in dict(list_builtin_datasets())
    with pytest.raises(DataError, match="1 to 4 programs"):
        gm_instruments.plan(programs=9)
