"""Autosave: a modified project is written every 60 s, and shortly after each edit, to
``platformdirs.user_data_dir("layerwise")/autosave/``. A clean exit (or a save) removes it;
one left behind by a crash is offered back on the next start.

An autosave is a normal project file plus a small ``.meta.json`` naming the project it
belongs to, so recovering it puts the project back under its own path, still modified.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

from platformdirs import user_data_dir
from PySide6.QtCore import QObject, QTimer, Signal

from core import project as project_io
from core.errors import ProjectError

INTERVAL_MS = 60_000
DEBOUNCE_MS = 2_000


def autosave_dir() -> Path:
    return Path(user_data_dir("layerwise")) / "autosave"


def key_for(path) -> str:
    """The autosave's name for a project path (or for an unsaved project)."""
    if not path:
        return "untitled"
    full = os.path.abspath(str(path))
    digest = hashlib.sha1(full.encode("utf-8")).hexdigest()[:10]
    stem = "".join(c for c in Path(full).stem if c.isalnum() or c in "-_")[:40] or "project"
    return f"{stem}-{digest}"


def autosave_file(path) -> Path:
    return autosave_dir() / f"{key_for(path)}.json"


def pending_autosave(path) -> Path | None:
    """The autosave left for ``path`` (None: an unsaved project) when it is newer than the
    project file itself, else None."""
    file = autosave_file(path)
    if not file.is_file():
        return None
    if path:
        try:
            if Path(path).stat().st_mtime >= file.stat().st_mtime:
                return None
        except OSError:
            pass  # the project file is gone: the autosave is all there is
    return file


def load_autosave(file: Path) -> project_io.Project:
    """The project in an autosave, under the path it was autosaved for."""
    project = project_io.load(file)
    meta = file.with_suffix(".meta.json")
    original = None
    with contextlib.suppress(OSError, ValueError, AttributeError):
        original = json.loads(meta.read_text("utf-8")).get("path")
    project.path = Path(original) if original else None
    return project


def discard(path) -> None:
    file = autosave_file(path)
    file.unlink(missing_ok=True)
    file.with_suffix(".meta.json").unlink(missing_ok=True)


class Autosaver(QObject):
    """Writes the Document's project while it is modified. ``saved(path)`` after each write."""

    saved = Signal(str)
    failed = Signal(str)

    def __init__(
        self, doc, parent=None, interval_ms: int = INTERVAL_MS, debounce_ms: int = DEBOUNCE_MS
    ):
        super().__init__(parent)
        self.doc = doc
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(debounce_ms)
        self.debounce.timeout.connect(self.save_now)
        doc.undo_stack.indexChanged.connect(self._on_edit)
        self._path_of_last = None
        self.timer.start()

    def _on_edit(self, *_):
        self.debounce.start()

    def save_now(self) -> Path | None:
        project = self.doc.project
        if self.doc.undo_stack.isClean() and not getattr(self.doc, "recovered", False):
            return None
        file = autosave_file(project.path)
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            project_io.atomic_write_text(file, project_io.dumps(project))
            project_io.atomic_write_text(
                file.with_suffix(".meta.json"),
                json.dumps(
                    {"path": str(project.path) if project.path else None, "saved": time.time()}
                ),
            )
        except (OSError, ProjectError) as exc:
            self.failed.emit(f"Autosave failed: {exc}")
            return None
        if self._path_of_last is not None and self._path_of_last != file:
            self._path_of_last.unlink(missing_ok=True)
            self._path_of_last.with_suffix(".meta.json").unlink(missing_ok=True)
        self._path_of_last = file
        self.saved.emit(str(file))
        return file

    def discard(self, path=None) -> None:
        """Remove the autosave of ``path`` (default: the current project)."""
        self.debounce.stop()
        discard(self.doc.project.path if path is None else path)
        if self._path_of_last is not None:
            self._path_of_last.unlink(missing_ok=True)
            self._path_of_last.with_suffix(".meta.json").unlink(missing_ok=True)
            self._path_of_last = None

    def stop(self) -> None:
        self.timer.stop()
        self.debounce.stop()
