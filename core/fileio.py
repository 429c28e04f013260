"""Atomic file writing: the one place that writes beside a target, then renames over it.

A reader never sees half a file: the content goes to a temporary file in the target's own
folder (so the rename stays on one file system), is flushed to disk, then renamed onto the
target in one step. A failure removes the temporary and leaves any old target untouched.

Files come out with the permissions any new file gets (``0o666`` less the umask), not the
owner-only ``0o600`` of :func:`tempfile.mkstemp`: the temporary is created with mode
``0o666`` and the kernel applies the umask.

:func:`staged` is the variant for exports: several targets (files or folders) that appear
together or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from core.errors import LayerwiseError

PathLike = str | os.PathLike[str]


def temp_path_beside(path: PathLike) -> Path:
    """A new, empty file in ``path``'s folder with a hidden name ending in ``path``'s suffix
    (some writers, such as Keras, insist on their suffix), created with umask permissions."""
    target = Path(path)
    folder = target.parent
    while True:
        candidate = folder / f".{target.name}.{secrets.token_hex(4)}.tmp{target.suffix}"
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return candidate


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: PathLike, write: Callable[[Path], object]) -> Path:
    """Call ``write(temp)`` with a temporary path beside ``path``, then rename it over
    ``path``. The folder must exist; errors (OSError included) propagate after clean-up."""
    target = Path(path)
    temp = temp_path_beside(target)
    try:
        write(temp)
        _fsync(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def write_bytes(path: PathLike, data: bytes) -> Path:
    return atomic_write(path, lambda temp: temp.write_bytes(data))


def write_text(path: PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 (newlines as given, on every platform)."""
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: PathLike, obj: Any) -> Path:
    """Indented JSON with a final newline."""
    return write_text(path, json.dumps(obj, indent=2) + "\n")


# ---- staged exports: several targets, all or nothing ------------------------------------------


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise LayerwiseError(f"{folder}: the export folder does not exist")
    if not folder.is_dir():
        raise LayerwiseError(f"{folder}: is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LayerwiseError(f"{folder}: cannot write to this folder (permission denied)")


@contextlib.contextmanager
def staged(targets: Sequence[PathLike], directory: bool = False) -> Iterator[list[Path]]:
    """Yield temporary paths (in a hidden folder beside the first target, same names) for
    ``targets``; the caller creates them. On success each is renamed onto its target
    (replacing an old one; ``directory`` when the targets are folders), on failure all go.
    A missing or unwritable folder raises :class:`LayerwiseError` before anything is made."""
    paths = [Path(t) for t in targets]
    for folder in {t.parent.resolve() for t in paths}:
        _check_folder(folder)
    try:
        stage = Path(
            tempfile.mkdtemp(prefix=f".{paths[0].name}.", suffix=".tmp", dir=paths[0].parent)
        )
    except OSError as exc:
        raise LayerwiseError(
            f"{paths[0].parent}: cannot write to this folder ({exc.strerror or exc})"
        ) from None
    temps = [stage / t.name for t in paths]
    try:
        yield temps
        for temp, target in zip(temps, paths, strict=True):
            if temp.is_file():
                _fsync(temp)
            _replace(temp, target, directory)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _replace(temp: Path, target: Path, directory: bool) -> None:
    if directory and target.exists():
        if not target.is_dir():
            raise LayerwiseError(f"{target}: exists and is not a folder")
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(temp, target)
        shutil.rmtree(old, ignore_errors=True)
        return
    if target.is_dir():
        raise LayerwiseError(f"{target}: is a folder; give a file name to export to")
    os.replace(temp, target)
