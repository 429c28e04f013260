"""The network editor: every edit goes through the undo stack and is checked against the
Project's NetworkSpec after do, undo and redo."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QLabel

from app.canvas.commands import Remove, SetSetting
from app.canvas.layout import tidy_positions
from app.canvas.view import BLOCK_MIME
from core import catalog
from core.spec import Wire


def net(window) -> dict:
    return window.doc.project.network.to_json()


def ids(window) -> list[str]:
    return [b.id for b in window.doc.spec.blocks]


def undo_redo_checks(window, before: dict, after: dict) -> None:
    stack = window.doc.undo_stack
    stack.undo()
    assert net(window) == before
    stack.redo()
    assert net(window) == after


# ---- adding -------------------------------------------------------------------------------
def test_palette_lists_every_block_by_group_and_filters(window):
    palette = window.palette
    assert set(palette.block_items) == {b.name for b in catalog.BLOCKS}
    for name, item in palette.block_items.items():
        assert item.parent().text(0) == catalog.get(name).group
    palette.search.setText("conv")
    assert set(palette.visible_types()) >= {"Conv1D", "Conv2D"}
    assert "Dense" not in palette.visible_types()
    palette.search.setText("")
    assert len(palette.visible_types()) == len(catalog.BLOCKS)


def test_add_block_by_double_click_undo_redo(window):
    before = net(window)
    item = window.palette.block_items["Dense"]
    window.palette.tree.itemActivated.emit(item, 0)
    assert "dense1" in ids(window)
    block = window.doc.spec.block("dense1")
    assert block.type == "Dense"
    assert block.params == catalog.get("Dense").defaults()
    assert "dense1" in window.scene.blocks
    assert window.scene.selected_block_ids() == ["dense1"]
    after = net(window)
    undo_redo_checks(window, before, after)
    window.doc.undo_stack.undo()
    assert "dense1" not in window.scene.blocks


def test_drop_from_palette_places_block_under_the_cursor(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    view = window.view
    mime = QMimeData()
    mime.setData(BLOCK_MIME, b"RBM")
    target = QPoint(view.viewport().width() // 2, view.viewport().height() // 2)
    event = QDropEvent(
        QPointF(target),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    view.dropEvent(event)
    assert "rbm1" in ids(window)
    scene_pos = view.mapToScene(target)
    x, y = window.doc.spec.block("rbm1").position
    assert abs(x + 100 - scene_pos.x()) < 2 and abs(y + 38 - scene_pos.y()) < 2
    window.doc.undo_stack.undo()
    assert "rbm1" not in ids(window)


# ---- wiring -------------------------------------------------------------------------------
def test_wire_by_dragging_between_ports_undo_redo(window):
    scene = window.scene
    window.add_block("Dense")
    before = net(window)
    out_port = scene.blocks["code"].out_port
    in_port = scene.blocks["dense1"].in_ports[0]
    # press on the output port, move, release over the input port (through the scene)
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QGraphicsSceneMouseEvent

    def mouse(kind, pos):
        event = QGraphicsSceneMouseEvent(kind)
        event.setScenePos(pos)
        event.setButton(Qt.MouseButton.LeftButton)
        event.setButtons(Qt.MouseButton.LeftButton)
        return event

    scene.mousePressEvent(mouse(QEvent.Type.GraphicsSceneMousePress, out_port.scenePos()))
    assert scene._drag_wire is not None
    scene.mouseMoveEvent(mouse(QEvent.Type.GraphicsSceneMouseMove, QPointF(0, 700)))
    scene.mouseReleaseEvent(mouse(QEvent.Type.GraphicsSceneMouseRelease, in_port.scenePos()))
    assert Wire("code", "dense1", 0) in window.doc.spec.wires
    assert any(w.wire == Wire("code", "dense1", 0) for w in scene.wire_items)
    undo_redo_checks(window, before, net(window))


def test_merge_blocks_have_several_input_ports(window):
    window.add_block("Concatenate")
    item = window.scene.blocks["concatenate1"]
    assert len(item.in_ports) == 2  # min_inputs
    assert window.scene.connect_ports("code", "concatenate1", 0)
    assert window.scene.connect_ports("encoder2", "concatenate1", 1)
    assert len(item.in_ports) == 3  # always one free port, up to max_inputs
    assert window.doc.report.shapes["concatenate1"] == (16 + 128,)


def test_self_wire_is_refused_with_a_message(window):
    scene = window.scene
    before, count = net(window), window.doc.undo_stack.count()
    item = scene.blocks["encoder2"]
    assert not scene.finish_wire(item.out_port, item.in_ports[0])
    assert net(window) == before
    assert window.doc.undo_stack.count() == count
    assert "itself" in window.last_message
    assert "itself" in window.statusBar().currentMessage()


def test_cycle_is_refused_with_a_message(window):
    before = net(window)
    window.add_block("Add")
    after_add = net(window)
    assert window.scene.connect_ports("code", "add1", 0)
    assert not window.scene.connect_ports("add1", "encoder1", 0)  # port taken
    assert "already wired" in window.last_message
    window.doc.undo_stack.push(Remove(window.doc, [], [Wire("flatten", "encoder1", 0)]))
    assert not window.scene.connect_ports("add1", "encoder1", 0)
    assert "loop" in window.last_message
    assert window.doc.spec.topological_order() is not None
    for _ in range(3):
        window.doc.undo_stack.undo()
    assert net(window) == before
    window.doc.undo_stack.redo()
    assert net(window) == after_add


def test_wire_into_an_input_block_is_refused(window):
    window.add_block("Input")
    assert not window.scene.connect_ports("code", "input1", 0)
    assert "Input" in window.last_message


# ---- deleting -----------------------------------------------------------------------------
def test_delete_block_with_its_wires_and_settings_undo_redo(window):
    doc = window.doc
    doc.undo_stack.push(
        SetSetting(doc, ("training", "pretraining", "blocks", "encoder2", "epochs"), 3)
    )
    before = net(window)
    window.scene.select_blocks(["encoder2"])
    window.act_delete.trigger()
    assert "encoder2" not in ids(window)
    assert all("encoder2" not in (w.source, w.target) for w in doc.spec.wires)
    assert "encoder2" not in doc.project.training["pretraining"]["blocks"]
    assert "encoder2" not in window.scene.blocks
    after = net(window)
    doc.undo_stack.undo()
    assert net(window) == before  # order of blocks and wires restored too
    assert doc.project.training["pretraining"]["blocks"]["encoder2"]["epochs"] == 3
    doc.undo_stack.redo()
    assert net(window) == after


def test_delete_selected_wire_undo_redo(window):
    before = net(window)
    wire_item = next(w for w in window.scene.wire_items if w.wire.target == "code")
    window.scene.clearSelection()
    wire_item.setSelected(True)
    window.act_delete.trigger()
    assert Wire("encoder2", "code", 0) not in window.doc.spec.wires
    assert ids(window) == ["input", "flatten", "encoder1", "encoder2", "code"]
    undo_redo_checks(window, before, net(window))


def test_delete_key_on_the_canvas(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.scene.select_blocks(["code"])
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert "code" not in ids(window)


# ---- moving, tidying ------------------------------------------------------------------------
def test_move_block_undo_redo(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    before = net(window)
    view, item = window.view, window.scene.blocks["encoder1"]
    start = view.mapFromScene(item.scenePos() + QPointF(100, 50))
    end = start + QPoint(60, 25)
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view.viewport(), start + QPoint(20, 10))
    qtbot.mouseMove(view.viewport(), end)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    old = tuple(before["blocks"][2]["position"])
    new = window.doc.spec.block("encoder1").position
    assert new != old
    assert window.doc.undo_stack.undoText().startswith("Move")
    # the wires follow
    wire = next(w for w in window.scene.wire_items if w.wire.target == "encoder1")
    assert wire.path().pointAtPercent(1) == window.scene.blocks["encoder1"].in_ports[0].scenePos()
    undo_redo_checks(window, before, net(window))
    window.doc.undo_stack.undo()
    assert window.scene.blocks["encoder1"].pos() == QPointF(*old)


def test_tidy_layout_undo_redo(window):
    doc = window.doc
    for i, block in enumerate(doc.spec.blocks):  # scramble (directly: a test set-up)
        block.position = (i * 37.0, -i * 55.0)
    doc.refresh()
    before = net(window)
    window.act_tidy.trigger()
    expected = tidy_positions(doc.spec)
    for block in doc.spec.blocks:
        assert block.position == expected[block.id]
    ys = [doc.spec.block(i).position[1] for i in doc.spec.topological_order()]
    assert ys == sorted(ys)
    assert doc.undo_stack.undoText() == "Tidy layout"
    undo_redo_checks(window, before, net(window))


# ---- clipboard ----------------------------------------------------------------------------
def test_copy_paste_new_ids_internal_wires_undo_redo(window):
    doc = window.doc
    before = net(window)
    window.scene.select_blocks(["encoder1", "encoder2"])
    window.act_copy.trigger()
    window.act_paste.trigger()
    new = [i for i in ids(window) if i not in {b["id"] for b in before["blocks"]}]
    assert len(new) == 2
    assert {doc.spec.block(i).type for i in new} == {"Autoencoder"}
    # the wire between the copies is kept, none to the outside
    inside = [w for w in doc.spec.wires if w.source in new or w.target in new]
    assert len(inside) == 1 and inside[0].source in new and inside[0].target in new
    for old_id, new_id in zip(["encoder1", "encoder2"], new, strict=True):
        assert doc.spec.block(new_id).params == doc.spec.block(old_id).params
        ox, oy = doc.spec.block(old_id).position
        nx, ny = doc.spec.block(new_id).position
        assert (nx - ox, ny - oy) == (40.0, 40.0)
    assert sorted(window.scene.selected_block_ids()) == sorted(new)
    after = net(window)
    undo_redo_checks(window, before, after)
    # pasting twice gives fresh ids again
    window.act_paste.trigger()
    assert len(ids(window)) == len(before["blocks"]) + 4


def test_paste_with_nothing_copied_says_so(window):
    QApplication.clipboard().setText("hello")
    before = net(window)
    window.act_paste.trigger()
    assert net(window) == before
    assert "Nothing to paste" in window.last_message


# ---- inspector ----------------------------------------------------------------------------
def test_parameter_edit_through_the_inspector_updates_shapes_and_counts(window):
    doc = window.doc
    window.scene.select_blocks(["encoder1"])
    editor = window.inspector.editor("units", "params")
    assert editor.widget.value() == 512
    before = net(window)
    editor.widget.setValue(300)
    assert doc.spec.block("encoder1").params["units"] == 300
    assert doc.report.shapes["encoder1"] == (300,)
    assert doc.report.params["encoder2"] == 300 * 128 + 128 + 300  # tied decoder bias
    assert window.scene.blocks["encoder1"].shape_text == "(300,)"
    assert (
        window.scene.blocks["encoder1"].params_text == f"{doc.report.params['encoder1']:,} params"
    )
    after = net(window)
    doc.undo_stack.undo()
    assert net(window) == before
    assert editor.widget.value() == 512  # the inspector follows undo
    assert window.scene.blocks["encoder1"].shape_text == "(512,)"
    doc.undo_stack.redo()
    assert net(window) == after
    assert editor.widget.value() == 300


def test_every_param_kind_gets_its_widget(window):
    from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

    expected = {
        "int": QSpinBox,
        "float": QDoubleSpinBox,
        "bool": QCheckBox,
        "choice": QComboBox,
        "shape": QLineEdit,
        "ints": QLineEdit,
    }
    for decl in catalog.BLOCKS:
        block_id = window.add_block(decl.name)
        window.scene.select_blocks([block_id])
        for param in decl.params:
            editor = window.inspector.editor(param.name, "params")
            assert isinstance(editor.widget, expected[param.kind]), (decl.name, param.name)
            assert editor.widget.toolTip() == param.help
            if param.kind == "int" and param.maximum is not None:
                assert editor.widget.maximum() == int(param.maximum)


def test_shape_edit_validated(window):
    doc = window.doc
    window.scene.select_blocks(["input"])
    editor = window.inspector.editor("shape", "params")
    assert editor.widget.text() == "16, 48"
    count = doc.undo_stack.count()
    editor.widget.setText("16, x")
    editor.widget.editingFinished.emit()
    assert doc.undo_stack.count() == count
    assert editor.widget.property("invalid") is True
    assert "whole numbers" in editor.widget.toolTip()
    editor.widget.setText("32, 48")
    editor.widget.editingFinished.emit()
    assert doc.spec.block("input").params["shape"] == [32, 48]
    assert doc.report.shapes["flatten"] == (1536,)
    assert editor.widget.property("invalid") is False
    doc.undo_stack.undo()
    assert doc.spec.block("input").params["shape"] == [16, 48]


def test_choice_and_bool_edits(window):
    doc = window.doc
    window.scene.select_blocks(["encoder1"])
    combo = window.inspector.editor("activation", "params").widget
    combo.setCurrentIndex(combo.findData("relu"))
    assert doc.spec.block("encoder1").params["activation"] == "relu"
    tied = window.inspector.editor("tied", "params").widget
    tied.setChecked(not tied.isChecked())
    assert doc.spec.block("encoder1").params["tied"] is tied.isChecked()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.spec.block("encoder1").params == {"units": 512}  # back to the template's


def test_pretraining_settings_of_a_pretrainable_block(window):
    doc = window.doc
    window.scene.select_blocks(["encoder2"])
    epochs = window.inspector.editor("epochs", "pretraining")
    assert epochs is not None
    assert epochs.widget.value() == doc.project.pretrain_settings("encoder2")["epochs"]
    before = doc.project.to_json()
    epochs.widget.setValue(7)
    assert doc.project.training["pretraining"]["blocks"]["encoder2"]["epochs"] == 7
    enabled = window.inspector.editor("enabled", "pretraining").widget
    enabled.setChecked(False)
    assert doc.project.training["pretraining"]["blocks"]["encoder2"]["enabled"] is False
    after = doc.project.to_json()
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.project.to_json() == before
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    assert doc.project.to_json() == after
    # a block that does not pretrain has no such section
    window.scene.select_blocks(["flatten"])
    assert window.inspector.editor("epochs", "pretraining") is None


def test_project_settings_with_nothing_selected(window):
    doc = window.doc
    window.scene.clearSelection()
    inspector = window.inspector
    epochs = inspector.editor("epochs", "finetune").widget
    epochs.setValue(5)
    assert doc.project.training["finetune"]["epochs"] == 5
    switch = inspector.editor("enabled", "pretraining").widget
    switch.setChecked(False)
    assert doc.project.training["pretraining"]["enabled"] is False
    source = inspector.editor("source", "data").widget
    source.setCurrentIndex(source.findData("folk-tunes"))
    assert doc.project.data["source"] == "folk-tunes"
    limit = inspector.editor("limit", "data").widget
    limit.setValue(20)
    assert doc.project.data["limit"] == 20
    pitches = inspector.editor("pitch_count", "representation").widget
    pitches.setValue(60)
    assert doc.project.data["representation"]["pitch_count"] == 60
    for _ in range(5):
        doc.undo_stack.undo()
    assert doc.project.training["finetune"]["epochs"] != 5
    assert doc.project.training["pretraining"]["enabled"] is True
    assert doc.project.data["source"] == "bach-chorales"
    assert doc.project.data["limit"] is None
    assert doc.project.data["representation"]["pitch_count"] == 48


# ---- validation marks -------------------------------------------------------------------------
def test_validation_marks_the_offending_block_with_a_tooltip(window):
    assert window.doc.report.ok
    window.add_block("Dense")
    item = window.scene.blocks["dense1"]
    assert item.problems and "needs an input" in item.problems[0]
    assert "needs an input" in item.toolTip()
    for block_id, other in window.scene.blocks.items():
        if block_id != "dense1":
            assert other.problems == []
            assert "Problems" not in other.toolTip()
    assert "problem" in window.status_label.text()
    assert any("dense1" in window.problems.item(i).text() for i in range(window.problems.count()))
    # a bad parameter marks that block
    window.scene.select_blocks(["encoder2"])
    window.inspector.editor("units", "params").widget.setValue(1)
    window.scene.connect_ports("code", "dense1", 0)
    assert window.doc.report.ok is True or all(
        p.block != "encoder2" for p in window.doc.report.problems
    )
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    window.doc.undo_stack.undo()
    assert window.doc.report.ok
    assert "Valid" in window.status_label.text()


def test_shape_problem_on_the_right_block(window):
    window.scene.select_blocks(["input"])
    editor = window.inspector.editor("shape", "params")
    editor.widget.setText("48")
    editor.widget.editingFinished.emit()
    window.add_block("Conv2D")
    window.doc.undo_stack.push(Remove(window.doc, [], [Wire("input", "flatten", 0)]))
    window.scene.connect_ports("input", "conv2d1", 0)
    conv = window.scene.blocks["conv2d1"]
    assert conv.problems
    assert conv.problems[0] in conv.toolTip().replace("&lt;", "<").replace("&gt;", ">")


def test_whole_session_undoes_to_the_start_and_redoes_to_the_end(window):
    doc = window.doc
    start = doc.project.to_json()
    window.add_block("Dense")
    window.scene.connect_ports("code", "dense1", 0)
    window.scene.select_blocks(["dense1"])
    window.inspector.editor("units", "params").widget.setValue(10)
    window.scene.select_blocks(["encoder2", "code"])
    window.act_copy.trigger()
    window.act_paste.trigger()
    window.act_tidy.trigger()
    window.scene.select_blocks(["flatten"])
    window.act_delete.trigger()
    end = doc.project.to_json()
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert doc.project.to_json() == start
    assert doc.undo_stack.isClean()
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert doc.project.to_json() == end


def test_zoom_and_fit(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    view = window.view
    view.reset_zoom()
    window.act_zoom_in.trigger()
    assert view.zoom() > 1.0
    window.act_zoom_out.trigger()
    window.act_zoom_out.trigger()
    assert view.zoom() < 1.0
    window.act_fit.trigger()
    for item in window.scene.blocks.values():
        rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
        assert view.viewport().rect().contains(rect)


def test_wire_dragged_from_an_input_port_back_to_an_output(window):
    window.add_block("Dense")
    scene = window.scene
    assert scene.finish_wire(scene.blocks["dense1"].in_ports[0], scene.blocks["code"].out_port)
    assert Wire("code", "dense1", 0) in window.doc.spec.wires
    # two inputs (or two outputs) cannot be wired together
    assert not scene.finish_wire(
        scene.blocks["dense1"].in_ports[0], scene.blocks["code"].in_ports[0]
    )
    assert "output port" in window.last_message


def test_project_with_unknown_type_and_a_loop_opens_and_is_marked(window, tmp_path):
    from core import project as project_io
    from core import templates

    project = templates.load("deephear")
    project.network.blocks[1].type = "Wobble"
    project.network.wires.append(Wire("code", "encoder1", 1))
    path = tmp_path / "odd.json"
    project_io.save(project, path)
    assert window.open_path(str(path))
    flatten = window.scene.blocks["flatten"]
    assert any("unknown block type" in p for p in flatten.problems)
    assert any("loop" in p for p in window.scene.blocks["encoder2"].problems)
    assert flatten.in_ports and flatten.out_port is not None
    window.scene.select_blocks(["flatten"])  # the inspector copes too
    assert window.inspector.editor("units") is None
    window.scene.select_blocks(["code"])
    window.act_delete.trigger()
    assert not window.scene.blocks["encoder2"].problems


def test_space_drag_and_middle_drag_pan_the_view(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    view = window.view
    view.reset_zoom()
    view.centerOn(0, 0)
    start = view.mapToScene(view.viewport().rect().center())
    viewport = view.viewport()
    centre = viewport.rect().center()
    qtbot.mousePress(viewport, Qt.MouseButton.MiddleButton, pos=centre)
    qtbot.mouseMove(viewport, centre + QPoint(80, 40))
    qtbot.mouseRelease(viewport, Qt.MouseButton.MiddleButton, pos=centre + QPoint(80, 40))
    moved = view.mapToScene(viewport.rect().center())
    assert (start - moved).x() > 40 and (start - moved).y() > 20
    assert net(window)["blocks"] == window.doc.project.network.to_json()["blocks"]
    assert not window.doc.undo_stack.canUndo()  # panning is not an edit


def test_spin_box_steps_merge_into_one_undo_step(window):
    doc = window.doc
    window.scene.select_blocks(["encoder1"])
    box = window.inspector.editor("units", "params").widget
    count = doc.undo_stack.count()
    for _ in range(5):
        box.stepUp()
    assert doc.spec.block("encoder1").params["units"] == 517
    assert doc.undo_stack.count() == count + 1
    doc.undo_stack.undo()
    assert doc.spec.block("encoder1").params["units"] == 512
    # a different parameter is a new step
    doc.undo_stack.redo()
    window.inspector.editor("sparsity_target", "params").widget.setValue(0.1)
    assert doc.undo_stack.count() == count + 2


def test_wire_with_the_mouse_on_the_view(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    window.add_block("Dense")
    window.view.fit()
    viewport = window.view.viewport()
    start = window.view.mapFromScene(window.scene.blocks["code"].out_port.scenePos())
    end = window.view.mapFromScene(window.scene.blocks["dense1"].in_ports[0].scenePos())
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + end) / 2)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert Wire("code", "dense1", 0) in window.doc.spec.wires
    assert window.doc.spec.block("code").position == (0.0, 440.0)  # the block did not move


def test_rubber_band_selects_blocks(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    window.view.fit()
    view, scene = window.view, window.scene
    top = scene.blocks["input"].sceneBoundingRect().topLeft() - QPointF(30, 20)
    bottom = scene.blocks["flatten"].sceneBoundingRect().bottomRight() + QPointF(30, 5)
    start, end = view.mapFromScene(top), view.mapFromScene(bottom)
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + end) / 2)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert scene.selected_block_ids() == ["input", "flatten"]
    labels = [label.text() for label in window.inspector.widget().findChildren(QLabel)]
    assert any("2 blocks selected" in text for text in labels)


def test_clicking_a_problem_selects_its_block(window):
    window.add_block("GRU")
    window.scene.clearSelection()
    items = [window.problems.item(i) for i in range(window.problems.count())]
    item = next(i for i in items if i.text().startswith("⚠ gru1:"))
    window.problems.itemClicked.emit(item)
    assert window.scene.selected_block_ids() == ["gru1"]
    assert window.inspector.editor("units", "params") is not None


def test_data_form_follows_the_declared_sources(window):
    doc = window.doc
    window.scene.clearSelection()
    inspector = window.inspector
    source = inspector.editor("source", "data").widget
    representation = inspector.editor("pitch_count", "representation").widget.parentWidget()
    assert [source.itemData(i) for i in range(source.count())][-3:] == [
        "midi-folder",
        "npz",
        "arrays",
    ]
    assert inspector.editor("path", "data").widget.isHidden()
    source.setCurrentIndex(source.findData("midi-folder"))
    path = inspector.editor("path", "data").widget
    assert not path.isHidden() and not representation.isHidden()
    assert any("data.path must name a folder" in p.message for p in doc.report.problems)
    path.setText("  songs/ ")
    path.editingFinished.emit()
    assert doc.project.data["path"] == "songs/"
    assert not any("data.path" in p.message for p in doc.report.problems)
    source.setCurrentIndex(source.findData("digits"))
    assert representation.isHidden() and path.isHidden()
    limit = inspector.editor("limit", "data").widget
    assert limit.text() == "all"
    limit.setValue(7)
    assert doc.project.data["limit"] == 7
    limit.setValue(limit.minimum())
    assert doc.project.data["limit"] is None
    limit.setValue(7)
    doc.undo_stack.undo()  # the steps of one spin box are one edit, from unset
    assert doc.project.data["limit"] is None and limit.text() == "all"
    doc.undo_stack.undo()
    assert doc.project.data["source"] == "midi-folder" and not representation.isHidden()
