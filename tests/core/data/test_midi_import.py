import subprocess
import sys
import time

import mido
import numpy as np
import pytest
from midi_files import write_midi_file

from core.data import import_midi_folder, load_dataset
from core.data.pieces import load_pieces
from core.data.representation import DEFAULT_REPRESENTATION as REP

SCALE = [(60 + i, i, i + 1) for i in range(8)]


def _drums_only(path):
    write_midi_file(path, [(36, 0, 1), (38, 1, 2)], channel=9)


def _no_notes(path):
    mid = mido.MidiFile(type=1)
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=500000))
    track.append(mido.MetaMessage("end_of_track", time=960))
    mid.tracks.append(track)
    mid.save(path)


def _no_tempo(path):
    mid = mido.MidiFile(type=0, ticks_per_beat=96)
    track = mido.MidiTrack()
    track.append(mido.Message("note_on", note=64, velocity=80, time=0))
    track.append(mido.Message("note_off", note=64, time=96))
    mid.tracks.append(track)
    mid.save(path)


def _huge(path, n=100_000):
    """100k sixteenth notes in one track, written as raw bytes (mido takes seconds)."""
    pitches = np.random.default_rng(0).integers(21, 108, n).astype(np.uint8)
    events = np.zeros((n, 8), np.uint8)
    # delta 0, note on, pitch, velocity 90; delta 24 ticks, note off, pitch, velocity 64
    events[:] = [0, 0x90, 0, 90, 24, 0x80, 0, 64]
    events[:, 2] = events[:, 6] = pitches
    track = events.tobytes() + b"\x00\xff\x2f\x00"
    header = b"MThd" + (6).to_bytes(4, "big") + bytes([0, 0, 0, 1, 0, 96])
    path.write_bytes(header + b"MTrk" + len(track).to_bytes(4, "big") + track)


@pytest.fixture(scope="module")
def messy_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("midi")
    write_midi_file(folder / "type0.mid", SCALE, file_type=0)
    write_midi_file(folder / "type1.mid", SCALE, file_type=1, tempos=((0, 80), (2, 160)))
    many = tuple((q / 4, 60 + q % 100) for q in range(0, 400))
    write_midi_file(folder / "many_tempos.mid", SCALE, tempos=many)
    write_midi_file(folder / "zero_length.mid", [(60, 0, 0), (62, 1, 2)])
    _no_tempo(folder / "no_tempo.mid")
    (folder / "sub").mkdir()
    write_midi_file(folder / "sub" / "nested.midi", SCALE)
    (folder / "empty.mid").write_bytes(b"")
    (folder / "text.mid").write_text("this is not MIDI\n")
    (folder / "corrupt.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02" + b"\xff" * 40)
    (folder / "notes.txt").write_text("hello")
    _drums_only(folder / "drums.mid")
    _no_notes(folder / "silent.mid")
    _huge(folder / "huge.mid")
    return folder


def test_import_keeps_good_files_and_names_bad_ones(messy_folder):
    start = time.perf_counter()
    rolls, names, skipped = import_midi_folder(messy_folder, REP)
    elapsed = time.perf_counter() - start
    assert set(names) == {
        "huge.mid",
        "many_tempos.mid",
        "no_tempo.mid",
        "sub/nested.midi",
        "type0.mid",
        "type1.mid",
        "zero_length.mid",
    }
    reasons = dict(skipped)
    assert set(reasons) == {
        "corrupt.mid",
        "drums.mid",
        "empty.mid",
        "notes.txt",
        "silent.mid",
        "text.mid",
    }
    assert reasons["empty.mid"] == "empty file"
    assert "not a MIDI file" in reasons["text.mid"]
    assert "not a MIDI file" in reasons["notes.txt"]
    assert reasons["corrupt.mid"].startswith("corrupt MIDI")
    assert reasons["drums.mid"] == "drums only"
    assert reasons["silent.mid"] == "no notes"
    by_name = dict(zip(names, rolls, strict=True))
    assert by_name["type0.mid"].shape == (32, 48)
    np.testing.assert_array_equal(by_name["type0.mid"], by_name["type1.mid"])
    # pretty_midi's parser drops a zero-length note (it never sounds); the rest of the file stays.
    assert by_name["zero_length.mid"][4:8, 62 - 36].all()
    assert by_name["huge.mid"].shape[0] == 100_000  # one step (a sixteenth) per note
    assert elapsed < 30, f"import took {elapsed:.1f} s"


def test_cli_import_writes_a_piece_file_the_npz_source_reads(messy_folder, tmp_path):
    out = tmp_path / "mine.npz"
    run = subprocess.run(
        [sys.executable, "-m", "core", "datasets", "import", str(messy_folder), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "skipped drums.mid: drums only" in run.stderr
    assert "skipped empty.mid: empty file" in run.stderr
    assert "Traceback" not in run.stderr
    assert "imported 7 piece(s)" in run.stdout
    rolls, names, info = load_pieces(out)  # allow_pickle=False inside
    assert len(rolls) == 7 and len(info["skipped"]) == 6
    ds = load_dataset({"source": "npz", "path": str(out), "split": {"seed": 1}})
    assert ds.metadata["piece_counts"] == {"train": 5, "validation": 1, "test": 1}
    assert ds.sample_shape == (16, 48)


def test_cli_import_of_a_missing_folder_is_one_clear_line(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "core",
            "datasets",
            "import",
            str(tmp_path / "nope"),
            "--out",
            "x.npz",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and "not a folder" in run.stderr


def test_cli_lists_builtin_datasets():
    run = subprocess.run(
        [sys.executable, "-m", "core", "datasets"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    names = [line.split()[0] for line in run.stdout.splitlines()]
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


def test_a_folder_import_is_cached_and_a_changed_file_is_converted_again(tmp_path):
    from core.data.midi_folder import load_midi_folder

    folder = tmp_path / "songs"
    folder.mkdir()
    write_midi_file(folder / "a.mid", SCALE)
    write_midi_file(folder / "b.mid", SCALE[:4])
    (folder / "bad.mid").write_bytes(b"MThd\x00\x00\x00\x06" + b"\xff" * 20)
    seen = []
    first = load_midi_folder(folder, REP, lambda done, total, name: seen.append((done, total)))
    assert first[1] == ["a.mid", "b.mid"] and [s[0] for s in first[2]] == ["bad.mid"]
    assert first[3] is False and seen[-1] == (3, 3)
    again = load_midi_folder(folder, REP)
    assert again[3] is True  # read from the cache
    assert again[1] == first[1] and again[2] == first[2]
    np.testing.assert_array_equal(again[0][0], first[0][0])
    write_midi_file(folder / "c.mid", SCALE)
    changed = load_midi_folder(folder, REP)
    assert changed[3] is False and changed[1] == ["a.mid", "b.mid", "c.mid"]
    other_grid = load_midi_folder(folder, {**REP, "steps_per_quarter": 8})
    assert other_grid[3] is False and other_grid[0][0].shape[0] == 2 * first[0][0].shape[0]


def test_training_data_from_a_midi_folder_reads_the_import_from_the_cache(tmp_path):
    folder = tmp_path / "songs"
    folder.mkdir()
    for i in range(4):
        write_midi_file(folder / f"{i}.mid", [(60 + i + j % 5, j, j + 1) for j in range(40)])
    data = {"source": "midi-folder", "path": str(folder), "limit": None}
    assert load_dataset(data).metadata["from_cache"] is False
    assert load_dataset(data).metadata["from_cache"] is True
    assert load_dataset(data, use_cache=False).metadata["from_cache"] is False
