"""The MIDI folder import dialog: a worker converts real MIDI files written by pretty_midi,
with a count; a corrupt file is listed with its reason; the transposition and split are
settled; the import is cached, so a second one is read back."""

from __future__ import annotations

import pretty_midi
import pytest
from PySide6.QtWidgets import QDialogButtonBox

from app.midi_import_dialog import MidiImportDialog


def _write_piece(path, pitches):
    pm = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(program=0)
    for i, pitch in enumerate(pitches):
        piano.notes.append(pretty_midi.Note(90, pitch, i * 0.25, (i + 1) * 0.25))
    pm.instruments.append(piano)
    pm.write(str(path))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERWISE_CACHE_DIR", str(tmp_path / "cache"))
    songs = tmp_path / "songs"
    songs.mkdir()
    _write_piece(songs / "scale.mid", range(60, 72))
    _write_piece(songs / "arpeggio.mid", [60, 64, 67, 72] * 4)
    (songs / "nested").mkdir()
    _write_piece(songs / "nested" / "low.mid", range(40, 50))
    (songs / "broken.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x02" + b"\xff" * 40)
    (songs / "readme.txt").write_text("not music")
    return songs


def _data(path, **changes):
    data = {
        "source": "midi-folder",
        "path": str(path),
        "limit": None,
        "representation": {"transpose": [-1, 1]},
        "split": {"validation": 0.1, "test": 0.1, "seed": 0},
    }
    data.update(changes)
    return data


def _open(qtbot, data):
    dialog = MidiImportDialog(data)
    qtbot.addWidget(dialog)
    counts = []
    dialog.worker.progress.connect(lambda done, total, name: counts.append((done, total)))
    qtbot.waitUntil(lambda: dialog.import_done, timeout=20000)
    return dialog, counts


def test_the_import_counts_files_and_lists_the_skipped_ones_with_reasons(qtbot, folder):
    dialog, counts = _open(qtbot, _data(folder))
    assert (5, 5) in counts and counts[0][1] == 5  # the count of files, from the start
    assert sorted(dialog.pieces) == ["arpeggio.mid", "nested/low.mid", "scale.mid"]
    skipped = {
        dialog.skipped_list.topLevelItem(i).text(0): dialog.skipped_list.topLevelItem(i).text(1)
        for i in range(dialog.skipped_list.topLevelItemCount())
    }
    assert set(skipped) == {"broken.mid", "readme.txt"}
    assert skipped["broken.mid"].startswith("corrupt MIDI")
    assert "not a MIDI file" in skipped["readme.txt"]
    assert "3 pieces imported, 2 files skipped" in dialog.status.text()
    assert not dialog.from_cache
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_the_dialog_settles_transposition_and_split(qtbot, folder):
    dialog, _ = _open(qtbot, _data(folder))
    assert (dialog.transpose_low.value(), dialog.transpose_high.value()) == (-1, 1)
    dialog.transpose_low.setValue(4)
    dialog.transpose_high.setValue(-3)
    dialog.split_editors["validation"].widget.setValue(0.25)
    dialog.split_editors["seed"].widget.setValue(7)
    assert dialog.settled() == {
        "path": str(folder),
        "representation.transpose": [-3, 4],
        "split": {"validation": 0.25, "test": 0.1, "seed": 7},
    }


def test_a_second_import_reads_the_cache(qtbot, folder):
    first, _ = _open(qtbot, _data(folder))
    first.reject()
    second, counts = _open(qtbot, _data(folder))
    assert second.from_cache and "(from the cache)" in second.status.text()
    assert sorted(second.pieces) == sorted(first.pieces)
    assert [s[0] for s in second.skipped] == [s[0] for s in first.skipped]


def test_a_folder_without_music_cannot_be_used(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERWISE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("none")
    dialog, _ = _open(qtbot, _data(tmp_path / "empty"))
    assert "No usable pieces" in dialog.status.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_a_missing_folder_is_said_in_one_line(qtbot, tmp_path):
    dialog, _ = _open(qtbot, _data(tmp_path / "nowhere"))
    assert "Cannot import" in dialog.status.text() and "not a folder" in dialog.status.text()
