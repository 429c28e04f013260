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
import errno
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from core.errors import LayerwiseError
from core.limits import disk_message

PathLike = str | os.PathLike[str]


class WriteError(LayerwiseError, OSError):
    """A write that failed for a reason of the disk (full, read-only, gone): an OSError for
    callers that catch those, one line naming the path for the user. Nothing was changed."""

    def __init__(self, path: PathLike, cause: OSError, what: str = "write") -> None:
        super().__init__(cause.errno, cause.strerror, os.fspath(path))
        self.line = disk_message(path, cause, what)

    def __str__(self) -> str:
        return self.line


_WRITE_ERRORS: dict[type[OSError], type[WriteError]] = {}


def write_error(path: PathLike, cause: OSError, what: str = "write") -> WriteError:
    """A WriteError that is also of ``cause``'s own kind (FileNotFoundError, PermissionError,
    ...), so code that catches the specific kind still does."""
    kind = type(cause)
    if kind not in _WRITE_ERRORS:
        _WRITE_ERRORS[kind] = type("WriteError", (WriteError, kind), {})
    return _WRITE_ERRORS[kind](path, cause, what)


def _disk_full(folder: Path) -> bool:
    """Whether the file system of ``folder`` has (almost) no room left: libraries that do not
    raise OSError (TensorFlow's writers) still fail there for want of space."""
    try:
        stats = os.statvfs(folder)
    except OSError:
        return False
    return stats.f_bavail * stats.f_frsize < 64 * 1024


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
    try:
        temp = temp_path_beside(target)
    except OSError as exc:
        raise write_error(target, exc) from None
    try:
        write(temp)
        _fsync(temp)
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if isinstance(exc, LayerwiseError):
            raise
        raise write_error(target, exc) from None
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
    except LayerwiseError:
        raise
    except OSError as exc:
        raise write_error(paths[0], exc, "export") from None
    except Exception:
        if _disk_full(stage):
            raise WriteError(paths[0], OSError(errno.ENOSPC, "No space left"), "export") from None
        raise
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
