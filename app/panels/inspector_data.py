"""The inspector's data form (a part of :class:`app.panels.inspector.Inspector`): the source,
its path with Browse… (and Import… for a MIDI or audio folder), the piano-roll representation
(the sound settings are :mod:`app.panels.inspector_audio`'s), and an Input block that follows
the data's sample shape.
"""

from __future__ import annotations

import copy
from pathlib import Path

from app.canvas.commands import SetParam, SetSetting
from app.panels.inspector_audio import AUDIO_FOLDER, CHOOSE_FOLDER
from core.catalog.data import DATA_PARAMS, REPRESENTATION_PARAMS, SOURCE_INDEX, sample_shape

# how Browse… asks for each reader's data.path: a folder, or a file of this filter
BROWSE = {
    "midi-folder": ("folder", "Choose a folder of MIDI files", ""),
    "npz": ("file", "Choose a piece file", "Piece files (*.npz);;All files (*)"),
    "arrays": ("file", "Choose an array file", "Array files (*.npz);;All files (*)"),
    AUDIO_FOLDER: ("folder", CHOOSE_FOLDER, ""),
}
IMPORT_TIPS = {
    "midi-folder": "Convert the folder's MIDI files now: progress, skipped files and their "
    "reasons, transposition and split",
    AUDIO_FOLDER: "Turn the folder's audio files into spectral frames now: progress, the "
    "classes found, unreadable files and their reasons, split",
}


class DataForm:
    """The project's data rows of the inspector (a mixin of Inspector)."""

    def dialogs(self):
        """The window's Dialogs (tests answer them)."""
        if self._dialogs is not None:
            return self._dialogs()
        from app.dialogs import Dialogs

        return Dialogs(self)

    def _build_data(self, layout) -> None:
        """The data source and, for a music source, its piano-roll representation; rows that
        do not apply to the chosen source are hidden (see ``_show_data_rows``)."""
        self._data_form = self._section(layout, "Data")
        for param in DATA_PARAMS:
            self._add(
                self._data_form,
                "data",
                param,
                lambda p=param: self.doc.project.data.get(p.name, p.default),
                self._setting_writer(("data", param.name)),
            )
        path = self.editor("path", "data")
        path.add_button("Browse…", self.browse_data_path)
        self._import_button = path.add_button("Import…", self.import_folder)
        form = self._section(layout, "Representation")
        self._representation_box = form.parentWidget()
        for param in REPRESENTATION_PARAMS:
            self._add(
                form,
                "representation",
                param,
                lambda p=param: self.doc.project.data.get("representation", {}).get(
                    p.name, p.default
                ),
                self._setting_writer(("data", "representation", param.name)),
            )
        self._build_audio(layout)
        self._show_data_rows()

    def _show_data_rows(self) -> None:
        if self._data_form is None or self._representation_box is None:
            return
        source = SOURCE_INDEX.get(self.doc.project.data.get("source"))
        path = self.editor("path", "data")
        if path is not None:  # an unknown source shows every row, so it can be mended
            path.set_row_visible(self._data_form, source is None or bool(source.path))
        shifted = self.editor("shifted_copies", "data")
        if shifted is not None:
            shifted.set_row_visible(self._data_form, source is None or source.reader == "digits")
        if self._import_button is not None:
            reader = source.reader if source is not None else None
            self._import_button.setVisible(reader in IMPORT_TIPS)
            self._import_button.setToolTip(IMPORT_TIPS.get(reader, ""))
        self._representation_box.setVisible(source is None or source.music)
        self._show_audio_rows(source)

    # ---- Browse… and Import… -------------------------------------------------------------
    def _start_folder(self) -> str:
        given = self.doc.project.data.get("path")
        if given:
            return str(given)
        project_path = self.doc.project.path
        return str(Path(project_path).parent) if project_path else str(Path.home())

    def browse_data_path(self) -> None:
        """Ask for the source's folder or file; a MIDI or audio folder then opens its import
        dialog."""
        source = SOURCE_INDEX.get(self.doc.project.data.get("source"))
        if source is None or source.reader not in BROWSE:
            return
        kind, title, filters = BROWSE[source.reader]
        if kind == "folder":
            chosen = self.dialogs().choose_folder(title, self._start_folder())
        else:
            chosen = self.dialogs().choose_file(title, self._start_folder(), filters)
        if not chosen:
            return
        if source.reader == "midi-folder":
            self.import_midi_folder(chosen)
        elif source.reader == AUDIO_FOLDER:
            self.import_audio_folder(chosen)
        else:
            self._push_data_settings({("data", "path"): chosen}, "Set data: path")

    def import_folder(self) -> None:
        """Import…: the import dialog of the source's folder."""
        if self.doc.project.data.get("source") == AUDIO_FOLDER:
            self.import_audio_folder()
        else:
            self.import_midi_folder()

    def import_midi_folder(self, folder: str | None = None) -> None:
        """The import dialog for ``folder`` (else the project's); what it settles (the path,
        transposition and split) is one undoable edit."""
        folder = folder or self.doc.project.data.get("path")
        if not folder:
            self.browse_data_path()
            return
        data = copy.deepcopy(self.doc.project.data)
        data["path"] = str(folder)
        settled = self.dialogs().import_midi_folder(data)
        if settled:
            changes = {("data", *key.split(".")): value for key, value in settled.items()}
            self._push_data_settings(changes, f"Import MIDI folder {Path(folder).name}")

    # ---- the Input follows the data ------------------------------------------------------
    def _push_data_settings(self, changes: dict[tuple, object], text: str) -> None:
        """Set data settings as one edit; an Input block whose shape was the data's sample
        shape takes the new one."""
        data = copy.deepcopy(self.doc.project.data)
        old_shape = sample_shape(data)
        for path, value in changes.items():
            node = data
            for key in path[1:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        new_shape = sample_shape(data)
        followers = []
        if old_shape is not None and new_shape is not None and new_shape != old_shape:
            followers = [
                b.id
                for b in self.doc.spec.blocks
                if b.type == "Input" and list(b.params.get("shape") or []) == old_shape
            ]
        stack = self.doc.undo_stack
        if len(changes) == 1 and not followers:
            ((path, value),) = changes.items()
            stack.push(SetSetting(self.doc, path, value, text=text))
            return
        stack.beginMacro(text)
        for path, value in changes.items():
            stack.push(SetSetting(self.doc, path, value))
        for block_id in followers:
            stack.push(SetParam(self.doc, block_id, "shape", new_shape))
        stack.endMacro()
