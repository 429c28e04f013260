"""The one atomic-write helper: whole files or nothing, umask permissions, staged exports."""

from __future__ import annotations

import os
import stat

import pytest

from core import fileio
from core.errors import LayerwiseError


@pytest.fixture
def umask():
    """``umask(mask)`` sets the process's umask for one test; the old one comes back after."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_write_text_replaces_the_target_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "a.json"
    target.write_text("old", encoding="utf-8")
    fileio.write_text(target, "new ✓\n")
    assert target.read_text(encoding="utf-8") == "new ✓\n"
    assert os.listdir(tmp_path) == ["a.json"]


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_get_permissions_from_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    fileio.write_text(tmp_path / "a.txt", "x")
    fileio.write_bytes(tmp_path / "b.bin", b"x")
    fileio.atomic_write(tmp_path / "c.dat", lambda temp: temp.write_bytes(b"x"))
    assert [mode(tmp_path / n) for n in ("a.txt", "b.bin", "c.dat")] == [expected] * 3


def test_a_failing_writer_keeps_the_old_file_and_removes_its_temporary(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("old", encoding="utf-8")

    def broken(temp):
        temp.write_text("half", encoding="utf-8")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError, match="writer failed"):
        fileio.atomic_write(target, broken)
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["keep.txt"]


def test_the_temporary_is_hidden_beside_the_target_with_its_suffix(tmp_path):
    seen = []
    fileio.atomic_write(tmp_path / "model.keras", lambda temp: seen.append(temp))
    (temp,) = seen
    assert temp.parent == tmp_path
    assert temp.name.startswith(".model.keras.")
    assert temp.suffix == ".keras"


def test_missing_folder_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        fileio.write_text(tmp_path / "absent" / "a.txt", "x")


def test_write_json_is_indented_with_a_final_newline(tmp_path):
    fileio.write_json(tmp_path / "a.json", {"a": [1, 2]})
    assert (tmp_path / "a.json").read_text(
        encoding="utf-8"
    ) == '{\n  "a": [\n    1,\n    2\n  ]\n}\n'


def test_staged_files_appear_together_with_umask_permissions(tmp_path, umask):
    umask(0o022)
    out = tmp_path / "out"
    out.mkdir()
    targets = [out / "model.py", out / "model.weights.npz"]
    with fileio.staged(targets) as (script, weights):
        script.write_text("print()\n", encoding="utf-8")
        weights.write_bytes(b"w")
        assert os.listdir(out) == [os.listdir(out)[0]]  # only the hidden stage so far
    assert sorted(os.listdir(out)) == ["model.py", "model.weights.npz"]
    assert [mode(t) for t in targets] == [0o644, 0o644]


def test_staged_failure_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), fileio.staged([tmp_path / "a.txt"]) as (temp,):
        temp.write_text("half", encoding="utf-8")
        raise RuntimeError("export failed")
    assert os.listdir(tmp_path) == []


def test_staged_folder_replaces_an_old_folder(tmp_path):
    target = tmp_path / "report"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with fileio.staged([target], directory=True) as (temp,):
        temp.mkdir()
        (temp / "new.txt").write_text("new", encoding="utf-8")
    assert os.listdir(target) == ["new.txt"]
    assert os.listdir(tmp_path) == ["report"]


def test_staged_refuses_a_missing_folder_and_a_folder_as_file_target(tmp_path):
    with (
        pytest.raises(LayerwiseError, match="does not exist"),
        fileio.staged([tmp_path / "absent" / "a.txt"]),
    ):
        pass
    (tmp_path / "dir").mkdir()
    with (
        pytest.raises(LayerwiseError, match="is a folder"),
        fileio.staged([tmp_path / "dir"]) as (temp,),
    ):
        temp.write_text("x", encoding="utf-8")


def test_projects_music_and_piece_files_come_out_with_umask_permissions(tmp_path, umask):
    import numpy as np

    from core import project as project_io
    from core.data.pieces import save_pieces
    from core.music.pianoroll import PianoRoll, write_midi
    from core.music.render import write_wav

    umask(0o022)
    project_io.save(project_io.Project(name="p"), tmp_path / "p.json")
    roll = PianoRoll(np.eye(8, 12, dtype=np.float32), steps_per_quarter=4, lowest_pitch=60)
    write_midi(roll, tmp_path / "p.mid")
    write_wav(np.zeros(100, np.float32), 8000, tmp_path / "p.wav")
    representation = {"steps_per_quarter": 4, "lowest_pitch": 60, "pitch_count": 12}
    save_pieces(tmp_path / "p.npz", [roll.roll], ["one"], representation)
    names = ("p.json", "p.mid", "p.wav", "p.npz")
    assert [mode(tmp_path / n) for n in names] == [0o644] * 4
    assert sorted(os.listdir(tmp_path)) == sorted(names)
