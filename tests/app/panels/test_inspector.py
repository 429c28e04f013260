"""The inspector cannot change values by accident: the wheel guard, messages in words under
invalid fields, Browse… through the window's Dialogs, and an Input that follows the data."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QSpinBox

from app.wheel_guard import guard_wheel


def wheel(widget, steps: int = -1) -> None:
    """Turn the mouse wheel over the middle of ``widget`` (negative: towards the user)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(widget.rect().center())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


@pytest.fixture
def shown(make_window, qtbot):
    window = make_window(show=True)
    window.resize(1400, 500)  # a short inspector, so its page scrolls
    window.scene.clearSelection()
    qtbot.wait(50)
    return window


def test_the_wheel_over_an_unfocused_field_scrolls_the_panel_and_keeps_the_value(shown):
    inspector, doc = shown.inspector, shown.doc
    limit = inspector.editor("epochs", "finetune").widget
    source = inspector.editor("source", "data").widget
    assert isinstance(limit, QSpinBox) and isinstance(source, QComboBox)
    assert limit.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel never gives focus
    bar = inspector.verticalScrollBar()
    assert bar.maximum() > 0
    before = (limit.value(), source.currentIndex(), doc.undo_stack.count())
    wheel(limit, -1)
    wheel(source, -1)
    assert (limit.value(), source.currentIndex(), doc.undo_stack.count()) == before
    assert bar.value() > 0  # the panel scrolled instead


def test_the_wheel_edits_a_field_that_has_focus(shown, qtbot):
    limit = shown.inspector.editor("epochs", "finetune").widget
    limit.setFocus()
    qtbot.waitUntil(limit.hasFocus)
    before = limit.value()
    wheel(limit, 1)
    assert limit.value() == before + 1
    assert shown.doc.project.finetune_settings()["epochs"] == before + 1


def test_every_spin_box_and_combo_box_of_every_form_is_guarded(window):
    from PySide6.QtWidgets import QAbstractSpinBox

    from core import catalog

    for decl in catalog.BLOCKS:
        window.scene.select_blocks([window.add_block(decl.name)])
        page = window.inspector.widget()
        fields = page.findChildren(QAbstractSpinBox) + page.findChildren(QComboBox)
        assert all(f.focusPolicy() == Qt.FocusPolicy.StrongFocus for f in fields), decl.name
    window.scene.clearSelection()
    assert guard_wheel(window.inspector.widget()) >= 10


def test_an_invalid_field_says_why_in_words_under_it(window):
    window.scene.select_blocks(["input"])
    editor = window.inspector.editor("shape", "params")
    editor.widget.setText("16, x")
    editor.widget.editingFinished.emit()
    assert not editor.message.isHidden()
    assert "whole numbers" in editor.message.text()
    assert editor.message.text().startswith("⚠ Shape")
    editor.widget.setText("16, 48")
    editor.widget.editingFinished.emit()
    assert editor.message.isHidden() and editor.problem is None


def test_the_validators_problems_stand_under_their_fields(window):
    doc = window.doc
    window.scene.clearSelection()
    inspector = window.inspector
    inspector.editor("lowest_pitch", "representation").widget.setValue(100)
    count = inspector.editor("pitch_count", "representation")
    assert "must not pass 128" in count.message.text() and not count.message.isHidden()
    doc.undo_stack.undo()
    assert count.message.isHidden()


def test_a_midi_folder_without_a_path_is_not_valid_and_says_so(window):
    window.scene.clearSelection()
    source = window.inspector.editor("source", "data").widget
    source.setCurrentIndex(source.findData("midi-folder"))
    path = window.inspector.editor("path", "data")
    assert "✓ Valid" not in window.status_label.text()
    assert "⚠" in window.status_label.text()
    assert not path.message.isHidden()
    assert "must name a folder of MIDI files" in path.message.text()


def test_the_shifted_copies_row_shows_for_the_digits_only(window):
    window.scene.clearSelection()
    inspector = window.inspector
    source = inspector.editor("source", "data").widget
    shifted = inspector.editor("shifted_copies", "data")
    form = inspector._data_form
    source.setCurrentIndex(source.findData("digits"))
    assert form.isRowVisible(shifted.row)
    source.setCurrentIndex(source.findData("bach-chorales"))
    assert not form.isRowVisible(shifted.row)


def test_browse_for_a_piece_file_sets_the_path(window, tmp_path):
    window.scene.clearSelection()
    source = window.inspector.editor("source", "data").widget
    source.setCurrentIndex(source.findData("npz"))
    path = window.inspector.editor("path", "data")
    import_button = window.findChild(type(path.add_button("x", lambda: None)), "path_import")
    assert import_button is not None and import_button.isHidden()  # npz: nothing to import
    window.dialogs.file_answer = str(tmp_path / "pieces.npz")
    browse = window.findChild(type(import_button), "path_browse")
    browse.click()
    asked = window.dialogs.asked[-1]
    assert asked[0] == "file" and "*.npz" in asked[3]
    assert window.doc.project.data["path"] == str(tmp_path / "pieces.npz")
    assert path.widget.text() == str(tmp_path / "pieces.npz")


def test_cancelled_browse_changes_nothing(window):
    window.scene.clearSelection()
    source = window.inspector.editor("source", "data").widget
    source.setCurrentIndex(source.findData("midi-folder"))
    count = window.doc.undo_stack.count()
    window.dialogs.folder_answer = None
    window.inspector.browse_data_path()
    assert window.dialogs.asked[-1][0] == "folder"
    assert window.doc.undo_stack.count() == count


def test_browse_for_a_midi_folder_opens_the_import_and_applies_it_as_one_edit(window, tmp_path):
    doc = window.doc
    window.scene.clearSelection()
    source = window.inspector.editor("source", "data").widget
    source.setCurrentIndex(source.findData("midi-folder"))
    window.dialogs.folder_answer = str(tmp_path)
    split = {"validation": 0.2, "test": 0.0, "seed": 3}
    window.dialogs.import_answer = {
        "path": str(tmp_path),
        "representation.transpose": [-2, 3],
        "split": split,
    }
    count = doc.undo_stack.count()
    transpose = doc.project.data["representation"]["transpose"]
    window.inspector.browse_data_path()
    assert window.dialogs.asked[-1] == ("import midi folder", str(tmp_path))
    data = doc.project.data
    assert data["path"] == str(tmp_path)
    assert data["representation"]["transpose"] == [-2, 3] and data["split"] == split
    assert doc.undo_stack.count() == count + 1
    assert window.inspector.editor("transpose", "representation").widget.text() == "-2, 3"
    doc.undo_stack.undo()
    assert doc.project.data["path"] is None
    assert doc.project.data["representation"]["transpose"] == transpose


def test_the_input_follows_the_data_and_a_new_input_takes_its_shape(window):
    doc = window.doc
    window.scene.clearSelection()
    assert doc.spec.block("input").params["shape"] == [16, 48]
    source = window.inspector.editor("source", "data").widget
    source.setCurrentIndex(source.findData("digits"))
    assert doc.spec.block("input").params["shape"] == [8, 8]
    page = window.inspector.widget()
    assert not page.findChild(QSpinBox, "edit_pitch_count").isVisibleTo(page)  # no piano roll
    block_id = window.add_block("Input")
    assert doc.spec.block(block_id).params["shape"] == [8, 8]
    doc.undo_stack.undo()
    doc.undo_stack.undo()  # the source and the Input's shape were one edit
    assert doc.project.data["source"] == "bach-chorales"
    assert doc.spec.block("input").params["shape"] == [16, 48]
    window.scene.clearSelection()
    window.inspector.editor("window_steps", "representation").widget.setValue(32)
    assert doc.spec.block("input").params["shape"] == [32, 48]


def test_an_input_shaped_by_hand_keeps_its_shape(window):
    doc = window.doc
    window.scene.select_blocks(["input"])
    editor = window.inspector.editor("shape", "params")
    editor.widget.setText("None, 48")
    editor.widget.editingFinished.emit()
    window.scene.clearSelection()
    source = window.inspector.editor("source", "data").widget
    source.setCurrentIndex(source.findData("digits"))
    assert doc.spec.block("input").params["shape"] == [None, 48]
