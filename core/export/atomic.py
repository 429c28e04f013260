"""Write export results beside their target under a temporary name, then rename: a failure
never leaves half a file or folder at the target."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from core.errors import LayerwiseError


def _check_folder(folder: Path) -> None:
    if not folder.exists():
        raise LayerwiseError(f"{folder}: the export folder does not exist")
    if not folder.is_dir():
        raise LayerwiseError(f"{folder}: is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LayerwiseError(f"{folder}: cannot write to this folder (permission denied)")


@contextlib.contextmanager
def staged(targets: list[Path], directory: bool = False):
    """Yield temporary paths (same folder, same suffixes) for ``targets``; on success rename
    each onto its target (replacing an old one), on failure remove them all."""
    targets = [Path(t) for t in targets]
    for folder in {t.parent.resolve() for t in targets}:
        _check_folder(folder)
    try:
        stage = Path(
            tempfile.mkdtemp(prefix=f".{targets[0].name}.", suffix=".tmp", dir=targets[0].parent)
        )
    except OSError as exc:
        raise LayerwiseError(
            f"{targets[0].parent}: cannot write to this folder ({exc.strerror or exc})"
        ) from None
    temps = [stage / t.name for t in targets]
    try:
        yield temps
        for temp, target in zip(temps, targets, strict=True):
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
