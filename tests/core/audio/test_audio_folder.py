"""An audio folder as a dataset: classes from subfolders, a split by file, the cache, and
every unusable file named with its reason."""

import numpy as np
import pytest
from sounds import class_folder, tone, write

from core.audio.representation import SpectralFrames
from core.catalog.data import data_problems, sample_shape
from core.data import load_dataset
from core.data.audio_dataset import split_by_file, unscaled
from core.errors import DataError

AUDIO = {"frames_per_window": 8, "window_hop": 4, "n_mels": 32}


def _data(folder, **split):
    return {
        "source": "audio-folder",
        "path": str(folder),
        "audio": dict(AUDIO),
        "split": {"validation": 0.25, "test": 0.25, "seed": 0, **split},
    }


def test_the_folder_gives_labelled_windows_split_by_file(tmp_path):
    ds = load_dataset(_data(class_folder(tmp_path / "set")))
    meta = ds.metadata
    assert ds.kind == "audio" and ds.num_classes == 2 and meta["classes"] == ["flute", "piano"]
    assert ds.sample_shape == (8, 32) == ds.x_train.shape[1:]
    assert meta["split_unit"] == "file"
    files = [set(meta["files"][k]) for k in ("train", "validation", "test")]
    assert not (files[0] & files[1]) and not (files[0] & files[2]) and not (files[1] & files[2])
    assert sum(len(f) for f in files) == 8
    for key, x, y in (("train", ds.x_train, ds.y_train), ("test", ds.x_test, ds.y_test)):
        assert len(x) == len(y) == sum(meta["windows_per_file"][key])
        assert set(y) == {0, 1}  # every class in every part (stratified by file)
    # standardized with the training files' frame statistics, which undo the scaling
    assert abs(float(ds.x_train.mean())) < 0.2 and 0.5 < float(ds.x_train.std()) < 1.5
    assert len(meta["frame_mean"]) == len(meta["frame_std"]) == 32
    assert unscaled(ds.x_train, meta).min() > -1e-4  # log(1 + magnitude) is never negative


def test_the_split_by_file_is_fixed_by_its_seed():
    labels = [0] * 10 + [1] * 10
    split = {"validation": 0.2, "test": 0.2, "seed": 3}
    assert split_by_file(labels, split) == split_by_file(labels, split)
    other = split_by_file(labels, {**split, "seed": 4})
    assert other != split_by_file(labels, split)
    assert sorted(sum(map(list, other), [])) == list(range(20))


def test_a_second_load_reads_the_cache(tmp_path):
    folder = class_folder(tmp_path / "set")
    first = load_dataset(_data(folder))
    second = load_dataset(_data(folder))
    assert not first.metadata["from_cache"] and second.metadata["from_cache"]
    np.testing.assert_array_equal(first.x_train, second.x_train)
    write(folder / "piano" / "new.wav", tone(1.0, 16000), 16000)  # a changed folder
    assert not load_dataset(_data(folder)).metadata["from_cache"]


def test_other_settings_are_not_served_from_the_cache(tmp_path):
    folder = class_folder(tmp_path / "set")
    load_dataset(_data(folder))
    data = _data(folder)
    data["audio"]["kind"] = "dft"
    data["audio"].update(n_fft=256, hop_length=128)
    ds = load_dataset(data)
    assert not ds.metadata["from_cache"] and ds.sample_shape == (8, 129)


def test_unusable_files_are_named_with_their_reason(tmp_path):
    folder = class_folder(tmp_path / "set")
    (folder / "piano" / "broken.wav").write_bytes(b"RIFF....not a wave file")
    (folder / "piano" / "empty.flac").write_bytes(b"")
    (folder / "piano" / "notes.txt").write_text("hello")
    write(folder / "flute" / "quiet.wav", np.zeros(16000, np.float32), 16000)
    seen = []
    ds = load_dataset(_data(folder), progress=lambda *update: seen.append(update))
    skipped = dict(map(tuple, ds.metadata["skipped"]))
    assert skipped["piano/broken.wav"].startswith("cannot be decoded")
    assert skipped["piano/empty.flac"] == "empty file (0 bytes)"
    assert skipped["piano/notes.txt"].startswith("not an audio file")
    assert skipped["flute/quiet.wav"].startswith("silent")
    assert seen[-1][0] == seen[-1][1] == 12


def test_a_folder_of_nothing_usable_is_one_clear_error(tmp_path):
    (tmp_path / "set" / "a").mkdir(parents=True)
    (tmp_path / "set" / "a" / "x.wav").write_bytes(b"")
    with pytest.raises(DataError, match="no usable audio files"):
        load_dataset(_data(tmp_path / "set"))


def test_a_limit_takes_files_from_every_class(tmp_path):
    data = {**_data(class_folder(tmp_path / "set")), "limit": 4}
    ds = load_dataset(data)
    assert sum(ds.metadata["file_counts"].values()) == 4
    assert set(ds.y_train) == {0, 1}


def test_the_catalog_says_the_sample_shape_and_checks_the_settings():
    assert sample_shape({"source": "audio-folder", "audio": AUDIO}) == [8, 32]
    assert sample_shape({"source": "audio-folder", "audio": {"kind": "dft"}}) == [32, 513]
    bad = {"source": "audio-folder", "path": "x", "audio": {"hop_length": 4096}}
    assert data_problems(bad) == [
        "data.audio: hop_length must not pass n_fft (frames would leave gaps)"
    ]
    low = data_problems({"source": "audio-folder", "path": "x", "audio": {"n_mels": 3}})
    assert low == ["data.audio.n_mels must be at least 8; got 3"]
    with pytest.raises(DataError, match="unknown field 'rate'"):
        SpectralFrames.from_settings({"rate": 8000})


def test_the_representation_is_frozen_and_round_trips():
    rep = SpectralFrames.from_settings(AUDIO)
    assert SpectralFrames.from_settings(rep.settings()) == rep
    assert rep.bins == 32 and rep.sample_shape == (8, 32)
    with pytest.raises(AttributeError):
        rep.n_fft = 2048  # type: ignore[misc]
    with pytest.raises(DataError, match="hop_length"):
        SpectralFrames(hop_length=4096)


def test_a_spectrum_too_large_for_memory_names_the_settings():
    rep = SpectralFrames(
        sample_rate=48000, kind="dft", n_fft=8192, hop_length=16, max_seconds_per_file=3600
    )
    with pytest.raises(DataError, match="hop_length"):
        rep.check_memory()
