"""The shipped polyphonic benchmark sets and the plain array source."""

from __future__ import annotations

import numpy as np
import pytest

from core.catalog.data import data_source
from core.data import load_dataset
from core.data.benchmark_sets import BENCHMARK_NAMES, load_benchmark_set, pack, set_path, unpack
from core.errors import DataError

OFFICIAL_COUNTS = {
    "jsb-chorales": (229, 76, 77),
    "nottingham": (694, 173, 170),
    "musedata": (524, 135, 124),
    "piano-midi": (87, 12, 25),
}


def test_pack_and_unpack_give_back_every_note():
    rng = np.random.default_rng(0)
    rolls = [(rng.random((n, 88)) < 0.05).astype(np.uint8) for n in (3, 17, 1)]
    arrays = pack({"train": rolls, "valid": rolls[:1], "test": []})
    back = unpack(arrays, "train")
    assert [len(r) for r in back] == [3, 17, 1]
    assert all(np.array_equal(a, b) for a, b in zip(rolls, back, strict=True))
    assert unpack(arrays, "test") == []
    arrays["train_keys"] = arrays["train_keys"][:-1]
    with pytest.raises(DataError, match="do not fit together"):
        unpack(arrays, "train")


@pytest.mark.parametrize("name", BENCHMARK_NAMES)
def test_each_set_ships_with_its_official_split(name):
    assert set_path(name).is_file() and (set_path(name).parent / "LICENSE").is_file()
    pieces = load_benchmark_set(name)
    assert tuple(len(pieces[s]) for s in ("train", "valid", "test")) == OFFICIAL_COUNTS[name]
    assert all(p.shape[1] == 88 and p.dtype == np.uint8 for p in pieces["test"])


def test_a_benchmark_set_keeps_its_own_representation():
    project_rep = {"lowest_pitch": 36, "pitch_count": 48, "steps_per_quarter": 4}
    data = {"source": "jsb-chorales", "limit": 5, "representation": project_rep}
    ds = load_dataset(data)
    assert ds.sample_shape == (16, 88) and ds.x_test.shape[1:] == (16, 88)
    meta = ds.metadata
    assert (meta["lowest_pitch"], meta["pitch_count"], meta["steps_per_quarter"]) == (21, 88, 1)
    assert meta["piece_counts"] == {"train": 5, "validation": 5, "test": 5}
    assert data_source("nottingham").time_step == 2


def test_the_per_key_bernoulli_baseline_on_jsb_test_matches_the_literature():
    from core.evaluate.sequence import per_key_bernoulli_nll

    pieces = load_benchmark_set("jsb-chorales")
    assert per_key_bernoulli_nll(pieces["train"], pieces["test"]) == pytest.approx(11.09, abs=0.01)


def test_an_array_file_is_split_with_its_labels(tmp_path):
    path = tmp_path / "mine.npz"
    x = np.arange(200, dtype=np.float64).reshape(50, 4)
    np.savez(path, x=x, y=np.arange(50) % 3)
    data = {"source": "arrays", "path": str(path), "split": {"validation": 0.2, "test": 0.2}}
    ds = load_dataset(data)
    assert (len(ds.x_train), len(ds.x_val), len(ds.x_test)) == (30, 10, 10)
    assert ds.num_classes == 3 and ds.sample_shape == (4,) and ds.x_train.dtype == np.float32
    together = np.concatenate([ds.x_train, ds.x_val, ds.x_test])[:, 0]
    assert sorted(together) == list(x[:, 0])  # every sample in exactly one split
    assert all(y == int(row[0]) // 4 % 3 for row, y in zip(ds.x_test, ds.y_test, strict=True))


def test_an_array_file_without_x_or_with_bad_labels_is_refused(tmp_path):
    np.savez(tmp_path / "no_x.npz", z=np.zeros((3, 2)))
    np.savez(tmp_path / "bad_y.npz", x=np.zeros((3, 2)), y=np.array([0, 1]))
    with pytest.raises(DataError, match="no array named x"):
        load_dataset({"source": "arrays", "path": str(tmp_path / "no_x.npz")})
    with pytest.raises(DataError, match="one label from 0 per sample"):
        load_dataset({"source": "arrays", "path": str(tmp_path / "bad_y.npz")})
