"""The main window's project files: new (an empty project or one from a template), open (menu,
recent list, dropped files, the command line: a project, a run folder, a `.keras` model or a
MIDI file), save, and recovering the autosave a crash left behind.

:class:`ProjectFiles` is a part of the main window (a mixin): it uses the window's document,
dialogs, settings, autosaver and status bar. Any problem with a file is said in a dialog and
leaves the open project as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QTimer

from app import autosave
from core import project as project_io
from core import templates
from core.errors import ProjectError
from core.project import Project

MODEL_SUFFIXES = (".keras",)
MIDI_SUFFIXES = (".mid", ".midi")


class ProjectFiles:
    """Opening and saving the window's project (a mixin of MainWindow)."""

    def _load_initial(self, project_path) -> None:
        """The project given on the command line, else the example; a bad file is reported
        once the window is shown."""
        project = None
        if project_path and not _is_project_path(project_path):
            self.open_later([project_path])
        elif project_path:
            try:
                project = project_io.load(project_path)
                self.settings.add_recent(project_path)
            except ProjectError as exc:
                self._startup_error = str(exc)
        if project is None:
            project = templates.load(templates.EXAMPLE)
        self.doc.set_project(project)
        self._update_title()
        QTimer.singleShot(0, self.view.fit)

    def maybe_save_changes(self) -> bool:
        """True when it is fine to replace or close the project."""
        if self.doc.undo_stack.isClean():
            return True
        answer = self.dialogs.ask_save_changes(self._display_name())
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _replace_project(self, project: Project) -> None:
        old_path = self.doc.project.path
        self.autosaver.discard(old_path)
        self.scene.reset_states()
        self.doc.set_project(project)
        self._update_title()
        QTimer.singleShot(0, self.view.fit)

    def new_project(self) -> bool:
        """An empty project: one Input block shaped for the default data (File › New)."""
        if not self.maybe_save_changes():
            return False
        self._replace_project(templates.empty())
        self.show_message("New empty project: choose its data, then add blocks below the Input.")
        return True

    def new_from_template(self) -> bool:
        name = self.dialogs.choose_template()
        if not name:
            return False
        if not self.maybe_save_changes():
            return False
        try:
            project = templates.load(name)
        except ProjectError as exc:
            self.dialogs.error("Cannot create project", str(exc))
            return False
        self._replace_project(project)
        self.show_message(f"New project from the template {name}.")
        return True

    def open_dialog(self) -> bool:
        folder = str(Path(self.doc.project.path).parent) if self.doc.project.path else ""
        path = self.dialogs.open_file(folder or str(Path.home()))
        return self.open_path(path) if path else False

    def open_path(self, path) -> bool:
        """Open what ``path`` is: a run folder (the runs browser), a ``.keras`` model or a MIDI
        file (Audition), else a project file. On any problem say why and keep what is open."""
        path = os.fspath(path)
        if os.path.isdir(path):
            return self.open_run(path)
        suffix = Path(path).suffix.lower()
        if suffix in MODEL_SUFFIXES:
            return self._open_in_audition(path, "open_model", "model")
        if suffix in MIDI_SUFFIXES:
            return self._open_in_audition(path, "open_midi", "MIDI file")
        return self.open_project(path)

    def _open_in_audition(self, path: str, method: str, what: str) -> bool:
        """Hand a model or a piece to the audition panel (the method it offers for it)."""
        if not os.path.isfile(path):
            self.dialogs.error(f"Cannot open {what}", f"{path}: no such file")
            return False
        opener = getattr(self.audition, method, None)
        if opener is None:
            reason = (
                "the audition panel did not load"
                if self.audition is None
                else (f"this audition panel cannot open a {what} yet")
            )
            self.dialogs.error(f"Cannot open {what}", f"{path}: {reason}")
            return False
        try:
            opened = opener(path)
        except Exception as exc:  # noqa: BLE001 - a bad file is said, the window goes on
            self.dialogs.error(f"Cannot open {what}", f"{path}: {exc}")
            return False
        if hasattr(self, "set_mode"):
            self.set_mode("listen")
        self.audition_dock.show()
        self.audition_dock.raise_()
        if opened is False:  # refused: the panel's banner says why
            return False
        self.show_message(f"Opened {path} in Audition")
        return True

    def open_project(self, path) -> bool:
        """Open a project file; on any problem say why and keep the current project."""
        try:
            project = project_io.load(path)
        except ProjectError as exc:
            self.dialogs.error("Cannot open project", str(exc))
            return False
        if not self.maybe_save_changes():
            return False
        self._replace_project(project)
        self.settings.add_recent(path)
        self._fill_recent_menu()
        self.show_message(f"Opened {path}", "success")
        self.check_autosave()
        return True

    def save(self) -> bool:
        if self.doc.project.path is None:
            return self.save_as()
        return self.save_to(self.doc.project.path)

    def save_as(self) -> bool:
        project = self.doc.project
        suggested = (
            str(project.path) if project.path else str(Path.home() / f"{_slug(project.name)}.json")
        )
        path = self.dialogs.save_file(suggested)
        if not path:
            return False
        if not path.lower().endswith(".json"):
            path += ".json"
        return self.save_to(path)

    def save_to(self, path) -> bool:
        old_path = self.doc.project.path
        try:
            project_io.save(self.doc.project, path)
        except ProjectError as exc:
            self.dialogs.error("Cannot save project", str(exc))
            return False
        self.autosaver.discard(old_path)
        self.autosaver.discard(path)
        self.doc.undo_stack.setClean()
        self.settings.add_recent(path)
        self._fill_recent_menu()
        self._update_title()
        self.show_message(f"Saved {path}", "success")
        return True

    # ---- the recent-files menu ------------------------------------------------------------
    def _fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.settings.recent_files()
        for path in recent:
            action = menu.addAction(_short(path))
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        if recent:
            menu.addSeparator()
            menu.addAction("Clear Menu", self._clear_recent)
        else:
            menu.addAction("(no recent projects)").setEnabled(False)

    def _open_recent(self, path: str) -> None:
        if not os.path.exists(path):
            self.settings.remove_recent(path)
        self.open_path(path)

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._fill_recent_menu()

    # ---- autosave recovery ----------------------------------------------------------------
    def check_autosave(self) -> bool:
        """Offer back an autosave newer than the open project (left by a crash)."""
        path = self.doc.project.path
        pending = autosave.pending_autosave(path)
        if pending is None:
            return False
        if not self.dialogs.ask_recover(pending, path):
            autosave.discard(path)
            return False
        try:
            project = autosave.load_autosave(pending)
        except ProjectError as exc:
            self.dialogs.error("Cannot recover the autosave", str(exc))
            autosave.discard(path)
            return False
        self.doc.set_project(project)
        self.doc.undo_stack.resetClean()  # recovered work is unsaved work
        self._update_title()
        self.show_message("Recovered the autosaved project. Save it to keep it.")
        return True

    # ---- drag and drop of project files ---------------------------------------------------
    def dragEnterEvent(self, event):
        mime = event.mimeData()
        if mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        self.dragEnterEvent(event)

    def dropEvent(self, event):
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        QTimer.singleShot(0, lambda: self.open_path(files[0]))


def _is_project_path(path) -> bool:
    """Not a folder, a model or a MIDI file: read as a project (a bad one is reported)."""
    suffix = Path(path).suffix.lower()
    return not os.path.isdir(path) and suffix not in MODEL_SUFFIXES + MIDI_SUFFIXES


def _short(path: str) -> str:
    home = str(Path.home())
    return "~" + path[len(home) :] if path.startswith(home + os.sep) else path


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-") or (
        "project"
    )
