"""The main window's actions (with their shortcuts) and its menus.

Each action becomes an ``act_*`` attribute of the window, which tests and the canvas's
context menu use; the slots are the window's own methods.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from app.style import icon

Key = QKeySequence.StandardKey


def add_action(window, text, slot, shortcuts=(), tip="", icon_name=None) -> QAction:
    """An action of ``window`` (so its shortcut works anywhere in it) that calls ``slot``."""
    action = QAction(text, window)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    if icon_name:
        action.setIcon(icon(icon_name))
    action.triggered.connect(slot)
    window.addAction(action)
    return action


def make_actions(window) -> None:
    _make_file_actions(window)
    _make_edit_actions(window)
    _make_view_actions(window)
    _make_run_actions(window)
    _make_runs_actions(window)
    _make_model_actions(window)
    window.act_about = add_action(window, "&About Layerwise", window.about)
    window.view.context_actions = [
        window.act_copy,
        window.act_paste,
        window.act_delete,
        None,
        window.act_tidy,
        window.act_fit,
    ]


def _make_file_actions(w) -> None:
    w.act_new = add_action(
        w, "&New", w.new_project, [QKeySequence(Key.New)], "Start an empty project"
    )
    w.act_new_from_template = add_action(
        w,
        "New from &Template…",
        w.new_from_template,
        ["Ctrl+Shift+N"],
        "Start a project from a template",
    )
    w.act_open = add_action(
        w, "&Open…", w.open_dialog, [QKeySequence(Key.Open)], "Open a project file"
    )
    w.act_save = add_action(w, "&Save", w.save, [QKeySequence(Key.Save)], "Save the project")
    w.act_save_as = add_action(
        w, "Save &As…", w.save_as, ["Ctrl+Shift+S"], "Save the project under a new name"
    )
    w.act_quit = add_action(w, "&Quit", w.close, [QKeySequence(Key.Quit)])


def _make_edit_actions(w) -> None:
    w.act_undo = w.doc.undo_stack.createUndoAction(w, "&Undo")
    w.act_undo.setShortcuts([QKeySequence("Ctrl+Z")])
    w.act_redo = w.doc.undo_stack.createRedoAction(w, "&Redo")
    w.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    w.addAction(w.act_undo)
    w.addAction(w.act_redo)
    w.act_copy = add_action(
        w, "&Copy", w.copy, ["Ctrl+C"], "Copy the selected blocks and the wires between them"
    )
    w.act_paste = add_action(w, "&Paste", w.paste, ["Ctrl+V"], "Paste blocks")
    w.act_delete = add_action(
        w,
        "&Delete",
        w.delete_selection,
        ["Delete", "Backspace"],
        "Delete the selected blocks and wires",
    )
    w.act_select_all = add_action(w, "Select &All", w.select_all, ["Ctrl+A"])
    w.act_preferences = add_action(
        w, "Pre&ferences…", w.preferences, tip="Audio output and SoundFont"
    )


def _make_view_actions(w) -> None:
    w.act_zoom_in = add_action(w, "Zoom &In", w.view.zoom_in, ["Ctrl+=", "Ctrl++"])
    w.act_zoom_out = add_action(w, "Zoom &Out", w.view.zoom_out, ["Ctrl+-"])
    w.act_fit = add_action(
        w, "&Fit Network", w.view.fit, ["Ctrl+0"], "Zoom to show the whole network"
    )
    w.act_actual = add_action(w, "Actual Si&ze", w.view.reset_zoom, ["Ctrl+1"])
    w.act_tidy = add_action(
        w, "&Tidy Layout", w.tidy, ["Ctrl+L"], "Arrange the blocks in layers from input to output"
    )


def _make_run_actions(w) -> None:
    w.act_train = add_action(
        w, "&Start Training", w.start_training, ["F5"], "Pretrain and fine-tune the network (F5)"
    )
    w.act_stop = add_action(
        w,
        "S&top Training",
        w.stop_training,
        ["Shift+F5"],
        "Stop the run; the last checkpoint is kept",
    )
    w.act_play = add_action(
        w, "&Play / Stop", w.toggle_play, ["Space"], "Play or stop the generated piece"
    )

    def open_in_tensorboard():
        from app.tensorboard_launch import open_in_tensorboard

        return open_in_tensorboard(w)

    w.act_tensorboard = add_action(
        w,
        "Open in &TensorBoard",
        open_in_tensorboard,
        tip="Start TensorBoard on the run shown (or show the command when it is not installed)",
    )


def _make_runs_actions(w) -> None:
    w.act_open_run = add_action(
        w,
        "Open &Run…",
        w.open_run_dialog,
        ["Ctrl+Shift+O"],
        "Open a run folder: its curves, filters and pieces, in the runs browser",
    )


def _make_model_actions(w) -> None:
    """Export and import of models; their work lives in app.model_export and
    app.model_import (imported when used: they are not needed to show the window)."""

    def export_model():
        from app.model_export import exporter_of

        return exporter_of(w).ask_and_export()

    def import_model():
        from app.model_import import import_keras_model

        return import_keras_model(w)

    def import_audio_folder():
        w.inspector.choose_and_import_audio_folder()

    def reset_weights():
        from app.model_import import reset_imported_weights

        return reset_imported_weights(w)

    w.act_export_model = add_action(
        w,
        "&Export Model…",
        export_model,
        ["Ctrl+E"],
        "Export the run shown or the project: Keras, SavedModel, ONNX, Python or a report",
    )
    w.act_import_model = add_action(
        w,
        "&Import Keras Model…",
        import_model,
        tip="Put a .keras model on the canvas as blocks, starting from its weights",
    )
    w.act_import_audio = add_action(
        w,
        "Import &Audio Folder…",
        import_audio_folder,
        tip="Use a folder of audio files, one subfolder per class, as the project's data: "
        "spectral frames with progress, unreadable files named with their reasons",
    )
    w.act_reset_weights = add_action(
        w,
        "Reset Imported &Weights",
        reset_weights,
        tip="Start the network from fresh weights instead of the imported model's",
    )


def make_menus(w) -> None:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(w.act_new)
    file_menu.addAction(w.act_new_from_template)
    file_menu.addAction(w.act_open)
    file_menu.addAction(w.act_open_run)
    w.recent_menu = file_menu.addMenu("Open &Recent")
    w.recent_menu.aboutToShow.connect(w._fill_recent_menu)
    _fill(file_menu, (None, w.act_save, w.act_save_as, None, w.act_import_model))
    file_menu.addAction(w.act_import_audio)
    _fill(file_menu, (w.act_export_model, None, w.act_quit))
    edit = bar.addMenu("&Edit")
    _fill(
        edit,
        (w.act_undo, w.act_redo, None, w.act_copy, w.act_paste, w.act_delete, None)
        + (w.act_select_all, None, w.act_reset_weights, None, w.act_preferences),
    )
    view = bar.addMenu("&View")
    _fill(view, (w.act_zoom_in, w.act_zoom_out, w.act_fit, w.act_actual, None, w.act_tidy, None))
    docks = (w.palette_dock, w.inspector_dock, w.dashboard_dock, w.audition_dock, w.problems_dock)
    docks += (w.runs_dock, w.compare_dock)
    for dock in docks:
        view.addAction(dock.toggleViewAction())
    _fill(bar.addMenu("&Run"), (w.act_train, w.act_stop, None, w.act_play, None, w.act_tensorboard))
    bar.addMenu("&Help").addAction(w.act_about)
    w._fill_recent_menu()


def _fill(menu, actions) -> None:
    """Add ``actions`` to ``menu`` in order; None is a separator."""
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)
