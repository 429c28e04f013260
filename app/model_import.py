"""File › Import Keras Model… and Edit › Reset Imported Weights.

Importing reads the ``.keras`` file's configuration only (nothing in it runs) and puts the
network on the canvas as blocks (:func:`core.export.import_keras_model`); the layers no block
can express are listed to the user. The project keeps the file as its starting weights
(``training.initial_weights``), which building, training and exporting then use. Resetting
the weights removes that entry as one undoable edit, so the network starts fresh.
"""

from __future__ import annotations

import copy
from pathlib import Path

RESET_TEXT = "Reset imported weights"


def import_keras_model(window, path=None) -> bool:
    """Ask for a ``.keras`` file (unless ``path`` is given) and open it as the project;
    False when cancelled or refused (with the reason in a dialog)."""
    from core.errors import LayerwiseError
    from core.export import import_keras_model as read_model

    if path is None:
        folder = str(Path(window.doc.project.path).parent) if window.doc.project.path else ""
        path = window.dialogs.open_model_file(folder or str(Path.home()))
        if not path:
            return False
    try:
        project, unmapped = read_model(path)
    except LayerwiseError as exc:
        window.dialogs.error("Cannot import the model", str(exc))
        return False
    if not window.maybe_save_changes():
        return False
    window._replace_project(project)
    if unmapped:
        window.dialogs.show_unmapped(Path(path).name, list(unmapped))
    window.show_message(import_summary(Path(path).name, project, unmapped))
    return True


def import_summary(name: str, project, unmapped) -> str:
    """One status line: what came in and whether its weights are used."""
    blocks = len(project.network.blocks)
    text = f"Imported {name}: {blocks} block{'s' if blocks != 1 else ''}"
    if unmapped:
        text += f", {len(unmapped)} layer{'s' if len(unmapped) != 1 else ''} left out"
    if project.training.get("initial_weights"):
        return text + "; building and training start from its weights."
    return text + "; its weights are not used (the file holds code)."


def reset_imported_weights(window) -> bool:
    """Let the network start from fresh weights instead of the imported ones (undoable)."""
    from app.canvas.commands import SetSetting

    training = window.doc.project.training
    if not training.get("initial_weights"):
        window.show_message("The project has no imported weights to reset.")
        return False
    fresh = copy.deepcopy(training)
    del fresh["initial_weights"]
    window.doc.undo_stack.push(SetSetting(window.doc, ("training",), fresh, text=RESET_TEXT))
    window.show_message("The network now starts from fresh weights (Undo brings them back).")
    return True
