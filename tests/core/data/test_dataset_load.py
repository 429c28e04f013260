import numpy as np
import pytest

from core.data import list_builtin_datasets, load_dataset
from core.data.cache import cache_path
from core.data.pieces import load_pieces, save_pieces
from core.data.representation import DEFAULT_REPRESENTATION, representation_of
from core.errors import DataError

REP = dict(DEFAULT_REPRESENTATION)


@pytest.fixture
def tagged_npz(tmp_path):
    """20 pieces; piece i sounds only pitch row 10 + i, so every window names its piece."""
    rep = {**REP, "pitch_count": 48}
    rolls = []
    for i in range(20):
        roll = np.zeros((40 + 4 * i, 48), np.float32)
        roll[::2, 10 + i] = 1
        rolls.append(roll)
    path = tmp_path / "tagged.npz"
    save_pieces(path, rolls, [f"piece{i}" for i in range(20)], rep)
    return path


def _pieces_in(x):
    rows = np.nonzero(x.reshape(-1, x.shape[-1]).any(axis=0))[0]
    return set(rows.tolist())


def test_split_is_by_piece_and_never_leaks(tagged_npz):
    ds = load_dataset({"source": "npz", "path": str(tagged_npz), "split": {"seed": 3}})
    m = ds.metadata
    train, val, test = (set(m["pieces"][k]) for k in ("train", "validation", "test"))
    assert not (train & val or train & test or val & test)
    assert len(train | val | test) == 20 and m["piece_counts"] == {
        "train": 16,
        "validation": 2,
        "test": 2,
    }
    # Check the windows themselves, not only the bookkeeping.
    rows_of = {k: {10 + int(name[5:]) for name in m["pieces"][k]} for k in m["pieces"]}
    assert _pieces_in(ds.x_val) == rows_of["validation"]
    assert _pieces_in(ds.x_test) == rows_of["test"]
    assert _pieces_in(ds.x_train) == rows_of["train"]
    assert ds.x_train.dtype == np.float32 and ds.x_train.shape[1:] == (16, 48)
    again = load_dataset({"source": "npz", "path": str(tagged_npz), "split": {"seed": 3}})
    assert again.metadata["pieces"] == m["pieces"]
    other = load_dataset({"source": "npz", "path": str(tagged_npz), "split": {"seed": 4}})
    assert other.metadata["pieces"] != m["pieces"]


def test_transposition_applies_to_train_only(tagged_npz):
    plain = load_dataset({"source": "npz", "path": str(tagged_npz)})
    shifted = load_dataset(
        {"source": "npz", "path": str(tagged_npz), "representation": {"transpose": [-6, 5]}}
    )
    assert len(shifted.x_train) == 12 * len(plain.x_train)
    np.testing.assert_array_equal(shifted.x_val, plain.x_val)
    np.testing.assert_array_equal(shifted.x_test, plain.x_test)
    rows = _pieces_in(plain.x_train)
    assert _pieces_in(shifted.x_train) == {r + s for r in rows for s in range(-6, 6)}


def test_windows_and_hop(tagged_npz):
    ds = load_dataset(
        {
            "source": "npz",
            "path": str(tagged_npz),
            "representation": {"window_steps": 8, "hop_steps": 8},
            "split": {"validation": 0, "test": 0},
        }
    )
    lengths = [40 + 4 * i for i in range(20)]
    assert len(ds.x_train) == sum((n - 8) // 8 + 1 for n in lengths)
    assert ds.x_val.shape == (0, 8, 48)


def test_npz_with_another_representation_is_a_clear_error(tagged_npz):
    with pytest.raises(DataError, match="pitch_count 48 .* asks for 24"):
        load_dataset(
            {"source": "npz", "path": str(tagged_npz), "representation": {"pitch_count": 24}}
        )


@pytest.mark.parametrize(
    "data, words",
    [
        ({"source": "mp3s"}, "data.source"),
        ({"source": "npz"}, "data.path"),
        ({"source": "midi-folder"}, "data.path"),
        ({"source": "bach-chorales", "limit": 0}, "data.limit"),
        ({"source": "bach-chorales", "representation": {"pitch_count": 0}}, "pitch_count"),
        ({"source": "bach-chorales", "representation": {"lowest_pitch": 100}}, "128"),
        ({"source": "bach-chorales", "representation": {"transpose": [3, -3]}}, "transpose"),
        ({"source": "bach-chorales", "representation": {"colour": 1}}, "colour"),
        ({"source": "digits", "split": {"test": 0.6, "validation": 0.5}}, "validation \\+ test"),
        ({"source": "npz", "path": "/nonexistent.npz"}, "no such file"),
        ({"source": "bach-chorales", "shifted_copies": True}, "digits source only"),
        ({"source": "digits", "shifted_copies": 1}, "data.shifted_copies"),
    ],
)
def test_bad_data_sections_name_the_field(data, words):
    with pytest.raises(DataError, match=words):
        load_dataset(data)


def test_piece_file_rejects_pickles_and_garbage(tmp_path):
    bad = tmp_path / "objects.npz"
    np.savez(bad, rolls=np.array([{"a": 1}], dtype=object), lengths=np.array([1]))
    with pytest.raises(DataError):
        load_pieces(bad)
    (tmp_path / "junk.npz").write_bytes(b"junk")
    with pytest.raises(DataError, match="cannot read"):
        load_pieces(tmp_path / "junk.npz")


def test_digits_split_is_stratified_and_scaled():
    ds = load_dataset({"source": "digits", "split": {"test": 0.2, "validation": 0.1, "seed": 0}})
    assert ds.kind == "image" and ds.sample_shape == (8, 8) and ds.num_classes == 10
    assert len(ds.x_test) == 360 and len(ds.x_val) == 144 and len(ds.x_train) == 1293
    assert ds.x_train.dtype == np.float32 and ds.x_train.min() >= 0 and ds.x_train.max() == 1.0
    assert ds.y_train.dtype == np.int64
    for y in (ds.y_train, ds.y_val, ds.y_test):
        share = np.bincount(y, minlength=10) / len(y)
        assert np.all(np.abs(share - 0.1) < 0.02)


def test_digits_shifted_copies_add_four_moved_copies_of_the_training_images_only():
    split = {"test": 0.2, "validation": 0.1, "seed": 0}
    plain = load_dataset({"source": "digits", "split": split})
    more = load_dataset({"source": "digits", "split": split, "shifted_copies": True})
    n = len(plain.x_train)
    assert len(more.x_train) == 5 * n and more.y_train.tolist() == plain.y_train.tolist() * 5
    assert np.array_equal(more.x_train[:n], plain.x_train)
    up = more.x_train[n : 2 * n]  # moved one row up: the bottom row comes in empty
    assert np.array_equal(up[:, :-1], plain.x_train[:, 1:]) and not up[:, -1].any()
    right = more.x_train[4 * n :]  # moved one column right
    assert np.array_equal(right[:, :, 1:], plain.x_train[:, :, :-1]) and not right[:, :, 0].any()
    for name in ("x_val", "x_test"):
        assert np.array_equal(getattr(more, name), getattr(plain, name))
    assert more.metadata["shifted_copies"] and not plain.metadata["shifted_copies"]


def test_builtin_list_names_every_source():
    names = [n for n, _ in list_builtin_datasets()]
    assert names == [
        "bach-chorales",
        "folk-tunes",
        "maple-leaf-rag",
        "digits",
        "jsb-chorales",
        "nottingham",
        "musedata",
        "piano-midi",
        "gm-instruments",
    ]


def test_five_chorales_convert_then_come_from_the_cache(private_cache):
    data = {"source": "bach-chorales", "limit": 5}
    calls = []
    first = load_dataset(data, progress=lambda d, t, m: calls.append((d, t)))
    assert calls[-1] == (5, 5)
    assert first.metadata["from_cache"] is False
    assert sum(first.metadata["piece_counts"].values()) == 5
    path = cache_path("bach-chorales", representation_of(data), 5)
    assert path.is_relative_to(private_cache) and path.exists()
    with np.load(path, allow_pickle=False) as z:
        assert z["lengths"].shape == (5,)
    second = load_dataset(data)
    assert second.metadata["from_cache"] is True
    np.testing.assert_array_equal(first.x_train, second.x_train)
    np.testing.assert_array_equal(first.x_test, second.x_test)
    assert first.x_train.max() == 1.0  # notes survived conversion


def test_folk_tunes_and_the_rag_load():
    folk = load_dataset({"source": "folk-tunes", "limit": 3})
    assert sum(folk.metadata["piece_counts"].values()) == 3 and len(folk.x_train)
    rag = load_dataset({"source": "maple-leaf-rag"})
    assert rag.metadata["split_unit"].endswith("section")
    assert rag.metadata["piece_counts"]["test"] >= 1 and len(rag.x_test)


@pytest.mark.slow
def test_all_bach_chorales():
    ds = load_dataset({"source": "bach-chorales"})
    assert sum(ds.metadata["piece_counts"].values()) >= 390
