"""The audio folder import dialog: a worker reads real WAV files written by soundfile, with
a count; the classes come from the subfolders; corrupt, empty, silent and non-audio files
are listed with their reasons; the split is settled; a second import reads the cache."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile
from PySide6.QtWidgets import QDialogButtonBox

from app.audio_import_dialog import AudioImportDialog

RATE = 8000
SETTINGS = {"sample_rate": RATE, "n_fft": 256, "hop_length": 128, "n_mels": 32}


def _tone(hz: float, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERWISE_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "sounds"
    for name, hz in (("flute", 880.0), ("tuba", 110.0)):
        (root / name).mkdir(parents=True)
        for i in range(3):
            soundfile.write(str(root / name / f"{name}{i}.wav"), _tone(hz + 10 * i), RATE)
    (root / "flute" / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    (root / "tuba" / "empty.wav").write_bytes(b"")
    soundfile.write(str(root / "tuba" / "quiet.wav"), np.zeros(RATE, np.float32), RATE)
    (root / "tuba" / "notes.txt").write_text("not sound")
    return root


def _data(path, **changes):
    data = {
        "source": "audio-folder",
        "path": str(path),
        "limit": None,
        "audio": dict(SETTINGS),
        "split": {"validation": 0.2, "test": 0.2, "seed": 0},
    }
    data.update(changes)
    return data


def _open(qtbot, data):
    dialog = AudioImportDialog(data)
    qtbot.addWidget(dialog)
    counts = []
    dialog.worker.progress.connect(lambda done, total, name: counts.append((done, total)))
    qtbot.waitUntil(lambda: dialog.import_done, timeout=60000)
    return dialog, counts


def _skipped(dialog) -> dict[str, str]:
    tree = dialog.skipped_list
    return {
        tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1)
        for i in range(tree.topLevelItemCount())
    }


def test_the_import_counts_files_names_classes_and_every_unusable_file(qtbot, folder):
    dialog, counts = _open(qtbot, _data(folder))
    assert (10, 10) in counts and counts[0][1] == 10  # the count of files, from the start
    assert sorted(dialog.clips) == sorted(
        [f"flute/flute{i}.wav" for i in range(3)] + [f"tuba/tuba{i}.wav" for i in range(3)]
    )
    assert dialog.classes == {"flute": 3, "tuba": 3}
    assert "flute (3), tuba (3)" in dialog.class_label.text()
    skipped = _skipped(dialog)
    assert set(skipped) == {
        "flute/broken.wav",
        "tuba/empty.wav",
        "tuba/quiet.wav",
        "tuba/notes.txt",
    }
    assert "empty" in skipped["tuba/empty.wav"]
    assert "silent" in skipped["tuba/quiet.wav"]
    assert "not an audio file" in skipped["tuba/notes.txt"]
    assert skipped["flute/broken.wav"]  # a reason, never a traceback
    assert not any("Traceback" in reason for reason in skipped.values())
    assert "6 clips in 2 classes imported, 4 files not used" in dialog.status.text()
    assert not dialog.from_cache
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_a_second_import_reads_the_cache_and_the_split_is_settled(qtbot, folder):
    first, _ = _open(qtbot, _data(folder))
    first.reject()
    dialog, _ = _open(qtbot, _data(folder))
    assert dialog.from_cache and "(from the cache)" in dialog.status.text()
    assert len(dialog.clips) == 6 and len(_skipped(dialog)) == 4
    dialog.split_editors["test"].widget.setValue(0.3)
    dialog.split_editors["seed"].widget.setValue(5)
    assert dialog.settled() == {
        "path": str(folder),
        "split": {"validation": 0.2, "test": 0.3, "seed": 5},
    }


def test_a_folder_of_nothing_usable_cannot_be_used(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERWISE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "junk" / "a").mkdir(parents=True)
    (tmp_path / "junk" / "a" / "x.wav").write_bytes(b"\x00" * 100)
    dialog, _ = _open(qtbot, _data(tmp_path / "junk"))
    assert dialog.status.text().startswith("No usable audio files: 1 file not used")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_a_missing_folder_or_bad_settings_are_one_line_in_the_dialog(qtbot, tmp_path):
    dialog, _ = _open(qtbot, _data(tmp_path / "nowhere"))
    assert dialog.status.text().startswith("⚠ Cannot import:")
    assert "not a folder" in dialog.status.text()
    dialog, _ = _open(qtbot, _data(tmp_path, audio={"sample_rate": 5}))
    assert dialog.status.text().startswith("⚠ Cannot import:")
    assert "sample_rate" in dialog.status.text() and "\n" not in dialog.status.text()
