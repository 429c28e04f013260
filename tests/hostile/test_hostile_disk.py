"""A full disk, a read-only folder, a vanished device: one line naming the path, nothing
half-written, what was there before kept. The full disk is a real tiny tmpfs when the tests
may mount one (as root), else ENOSPC injected at the write."""

from __future__ import annotations

import errno
import os
import subprocess
import uuid
from pathlib import Path

import numpy as np
import pytest

from core import fileio, project, templates
from core.errors import LayerwiseError
from core.music.pianoroll import PianoRoll, write_midi
from core.music.render import write_wav
from core.runs import RunFolder

OLD = b"what was there before\n"


def _mount(folder: Path, options: str) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, f"layerwise-{uuid.uuid4().hex[:6]}", str(folder)],
        capture_output=True,
    )
    return done.returncode == 0


def _fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """A folder on a full disk holding ``old.*`` files; yields (folder, real)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = _mount(folder, "size=256k,mode=0777")
    try:
        for name in ("old.json", "old.wav", "old.mid", "old.keras", "old.py", "old.md"):
            (folder / name).write_bytes(OLD)
        if mounted:
            _fill(folder)
        else:

            def no_room(*args, **kwargs):
                raise OSError(errno.ENOSPC, "No space left on device")

            monkeypatch.setattr(fileio, "_fsync", no_room)
            monkeypatch.setattr(fileio, "_replace", no_room)
        yield folder, mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def _untouched(folder: Path) -> None:
    for name in ("old.json", "old.wav", "old.mid"):
        assert (folder / name).read_bytes() == OLD
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert not leftovers, leftovers


def _one_line(exc: BaseException, path: Path) -> str:
    message = str(exc)
    assert "\n" not in message and str(path) in message, message
    return message


WRITERS = {
    "project": lambda p: project.save(templates.load("dbn-digits"), p),
    "wav": lambda p: write_wav(np.zeros(44100 * 4, np.float32), 44100, p),
    "midi": lambda p: write_midi(PianoRoll(np.ones((64, 48), np.float32)), p),
    "text": lambda p: fileio.write_text(p, "x" * 600_000),
}


@pytest.mark.parametrize("kind", WRITERS)
def test_a_full_disk_is_one_line_and_keeps_the_old_file(full_disk, kind):
    folder, _ = full_disk
    target = folder / {"project": "old.json", "wav": "old.wav", "midi": "old.mid"}.get(
        kind, "old.json"
    )
    with pytest.raises(LayerwiseError) as caught:
        WRITERS[kind](target)
    assert "disk is full" in _one_line(caught.value, target)
    _untouched(folder)


def test_a_checkpoint_on_a_full_disk_keeps_the_last_one(tmp_path, monkeypatch):
    run = RunFolder(tmp_path / "run")
    state = {"phase": 0, "epoch": 1, "step": 1}
    run.write_checkpoint(state, [np.ones(3, np.float32)], [])
    before = run.state.read_bytes()

    def no_room(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio, "_fsync", no_room)
    with pytest.raises(OSError) as caught:
        run.write_checkpoint(dict(state, epoch=2), [np.full(3, 2.0, np.float32)], [])
    assert isinstance(caught.value, LayerwiseError) and "disk is full" in str(caught.value)
    monkeypatch.undo()
    assert run.state.read_bytes() == before
    _, weights, _ = run.read_checkpoint()
    assert weights[0].tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("fmt", ["keras", "python", "savedmodel", "report"])
def test_an_export_to_a_full_disk_is_one_line_and_keeps_the_old_one(full_disk, tmp_path, fmt):
    from core.build import build
    from core.export import export_model

    folder, _ = full_disk
    source = templates.load("dbn-digits")
    if fmt == "report":
        run = RunFolder(tmp_path / "run")
        run.prepare(source.to_json(), resume=False)
        run.save_model(build(source).model)
        source = run.path
    target = folder / {"keras": "old.keras", "python": "old.py", "report": "old.md"}.get(
        fmt, "saved"
    )
    with pytest.raises(LayerwiseError) as caught:
        export_model(source, fmt, target)
    assert str(folder) in str(caught.value) and "\n" not in str(caught.value)
    if fmt != "savedmodel":
        assert target.read_bytes() == OLD
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_read_only_folder_is_one_line(tmp_path, monkeypatch):
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "old.json"
    target.write_bytes(OLD)
    if _mount(folder, "size=64k,ro"):
        try:
            with pytest.raises(LayerwiseError) as caught:
                project.save(templates.load("sda"), folder / "new.json")
            assert "read-only" in _one_line(caught.value, folder / "new.json")
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(fileio, "temp_path_beside", read_only)
    with pytest.raises(LayerwiseError) as caught:
        project.save(templates.load("sda"), target)
    assert "read-only" in _one_line(caught.value, target)
    assert target.read_bytes() == OLD


def test_a_vanished_folder_is_one_line(tmp_path):
    folder = tmp_path / "usb"
    folder.mkdir()
    os.rmdir(folder)  # the device went away
    target = folder / "piece.wav"
    with pytest.raises(LayerwiseError) as caught:
        write_wav(np.zeros(100, np.float32), 8000, target)
    assert "device" in _one_line(caught.value, target)
    from core import cli

    assert cli.main(["render", "/nonexistent.mid", "--out", str(target)]) == 1
