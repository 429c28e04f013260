"""Hostile MIDI, WAV and dataset files: one line each, bounded work, no pickle loaded."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hostile_payloads import (
    MiB,
    cuts,
    lying_wav_bytes,
    midi_bytes,
    npz_bytes,
    pickled_npz,
    sparse_file,
    wav_bytes,
)

from core import cli, project
from core.catalog.data import default_data
from core.data.load import load_dataset
from core.data.pieces import load_pieces
from core.errors import DataError, LayerwiseError
from core.export.safe_load import load_model_safely
from core.music.pianoroll import load_pretty_midi, read_midi
from core.music.render import check_length

GOOD_MIDI = midi_bytes()
SLOWEST_TEMPO_US = 0xFFFFFF  # 3.58 quarters a minute, the slowest a MIDI file can ask

MIDI_PAYLOADS: list[tuple[str, bytes]] = [
    *((f"truncated-{i}", cut) for i, cut in enumerate(cuts(GOOD_MIDI, 8))),
    *((f"garbage-{seed}", b"MThd" + np.random.default_rng(seed).bytes(200)) for seed in range(6)),
    ("empty", b""),
    ("text", b"hello, not music"),
    ("wav", wav_bytes()),
    ("zero-division", midi_bytes(division=0)),
    ("tracks-declared-65535", midi_bytes(tracks_declared=65535)),
    ("track-length-lies", GOOD_MIDI[:18] + b"\xff\xff\xff\xff" + GOOD_MIDI[22:]),
    ("endless-gap", midi_bytes(notes=2, gap_ticks=0x0FFFFFFF, division=1)),
    ("slowest-tempo", midi_bytes(tempo_us=SLOWEST_TEMPO_US, notes=8, gap_ticks=16383)),
]


@pytest.mark.parametrize(
    "payload", [p for _, p in MIDI_PAYLOADS], ids=[i for i, _ in MIDI_PAYLOADS]
)
def test_a_hostile_midi_file_is_read_or_refused_in_one_line(tmp_path, capsys, payload):
    path = tmp_path / "hostile.mid"
    path.write_bytes(payload)
    try:
        roll = read_midi(path)
        assert roll.roll.shape[0] <= 10**6
    except DataError as exc:
        assert "\n" not in str(exc)
    code = cli.main(
        ["render", str(path), "--out", str(tmp_path / "o.wav"), "--renderer", "builtin"]
    )
    err = capsys.readouterr().err
    assert code in (0, 1) and err.count("\n") <= 1
    if code == 1:
        assert not (tmp_path / "o.wav").exists()


def test_a_slow_tempo_is_refused_before_any_audio_is_made(tmp_path):
    path = tmp_path / "slow.mid"
    path.write_bytes(midi_bytes(tempo_us=SLOWEST_TEMPO_US, notes=8, gap_ticks=16383))
    pm = load_pretty_midi(path)
    with pytest.raises(DataError, match="--max-seconds"):
        check_length(pm)
    assert check_length(pm, max_seconds=10**9) > 3600  # the positive control: hours of audio


def test_an_oversized_midi_file_is_refused_before_parsing(tmp_path):
    path = sparse_file(tmp_path / "big.mid", 17 * MiB)
    with open(path, "r+b") as handle:
        handle.write(b"MThd")
    with pytest.raises(DataError, match="MiB"):
        read_midi(path)


WAVS = [("wav", wav_bytes()), ("lying-wav", lying_wav_bytes())]
READERS = {
    "project": project.load,
    "midi": read_midi,
    "model": load_model_safely,
    "pieces": load_pieces,
}


@pytest.mark.parametrize("reader", READERS, ids=list(READERS))
@pytest.mark.parametrize("payload", [p for _, p in WAVS], ids=[i for i, _ in WAVS])
def test_a_wav_file_offered_as_something_else_is_refused(tmp_path, reader, payload):
    path = tmp_path / {"project": "a.json", "model": "a.keras", "pieces": "a.npz"}.get(
        reader, "a.mid"
    )
    path.write_bytes(payload)
    with pytest.raises(LayerwiseError) as caught:
        READERS[reader](path)
    assert "\n" not in str(caught.value)


def _pieces(**changes) -> bytes:
    arrays = {
        "rolls": np.zeros((8, 4), np.float32),
        "lengths": np.array([8]),
        "steps_per_quarter": np.array(4),
        "lowest_pitch": np.array(60),
        "pitch_count": np.array(4),
    }
    arrays.update(changes)
    return npz_bytes(**{k: v for k, v in arrays.items() if v is not None})


DATASETS: list[tuple[str, str, bytes]] = [
    ("pieces-truncated", "npz", _pieces()[:100]),
    ("pieces-empty", "npz", b""),
    ("pieces-no-rolls", "npz", _pieces(rolls=None)),
    ("pieces-lengths-lie", "npz", _pieces(lengths=np.array([10**12]))),
    ("pieces-rolls-text", "npz", _pieces(rolls=np.array(["a", "b"]))),
    ("pieces-newer", "npz", _pieces(format_version=np.array(99))),
    ("pieces-wrong-geometry", "npz", _pieces(pitch_count=np.array(7))),
    ("arrays-truncated", "arrays", npz_bytes(x=np.zeros((4, 3)))[:60]),
    ("arrays-no-x", "arrays", npz_bytes(y=np.zeros(4))),
    ("arrays-x-text", "arrays", npz_bytes(x=np.array([["a"]]))),
    ("arrays-x-flat", "arrays", npz_bytes(x=np.zeros(4))),
    ("arrays-y-negative", "arrays", npz_bytes(x=np.zeros((2, 3)), y=np.array([-1, 0]))),
    ("arrays-y-short", "arrays", npz_bytes(x=np.zeros((2, 3)), y=np.array([0]))),
]


def _data(source: str, path) -> dict:
    data = copy.deepcopy(default_data())
    data.update(source=source, path=str(path))
    return data


@pytest.mark.parametrize("source, payload", [d[1:] for d in DATASETS], ids=[d[0] for d in DATASETS])
def test_a_hostile_dataset_file_is_refused_in_one_line(tmp_path, source, payload):
    path = tmp_path / "data.npz"
    path.write_bytes(payload)
    with pytest.raises(DataError) as caught:
        load_dataset(_data(source, path), use_cache=False)
    assert "\n" not in str(caught.value) and "allow_pickle" not in str(caught.value)


@pytest.mark.parametrize("source", ["npz", "arrays"])
def test_a_pickled_dataset_is_refused_and_runs_nothing(tmp_path, source):
    marker = tmp_path / "fired"
    path = pickled_npz(tmp_path / "data.npz", marker, key="x" if source == "arrays" else "rolls")
    with pytest.raises(DataError) as caught:
        load_dataset(_data(source, path), use_cache=False)
    assert "pickle" in str(caught.value) and "allow_pickle" not in str(caught.value)
    assert not marker.exists()


def test_a_midi_folder_of_hostile_files_is_refused_in_one_line(tmp_path):
    folder = tmp_path / "midi"
    folder.mkdir()
    for name, payload in MIDI_PAYLOADS[:12]:
        (folder / f"{name}.mid").write_bytes(payload)
    (folder / "song.wav").write_bytes(wav_bytes())
    with pytest.raises(DataError) as caught:
        load_dataset(_data("midi-folder", folder), use_cache=False)
    assert "\n" not in str(caught.value)
