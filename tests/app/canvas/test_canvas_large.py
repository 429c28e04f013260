"""A network of hundreds of blocks (an imported model zoo network) opens on the canvas, tidies
and stays reachable; the palette finds blocks by the Keras class they build."""

from __future__ import annotations

import time

from app.canvas.document import Document
from app.canvas.layout import tidy_positions
from app.canvas.scene import NetworkScene
from app.panels.palette import Palette
from core.project import Project
from core.spec import Block, NetworkSpec, Wire


def _residual_tower(stages: int) -> Project:
    """Input, stages of conv → norm → relu → add (with a skip), then pooling and a classifier."""
    blocks = [Block("image", "Input", {"shape": [16, 16, 8]})]
    wires, last = [], "image"
    for i in range(stages):
        conv, norm, relu, add = (f"conv{i}", f"bn{i}", f"relu{i}", f"add{i}")
        blocks += [
            Block(conv, "Conv2D", {"filters": 8, "padding": "same", "use_bias": False}),
            Block(norm, "BatchNormalization", {}),
            Block(relu, "ReLU", {"max_value": 6.0}),
            Block(add, "Add", {}),
        ]
        wires += [Wire(last, conv), Wire(conv, norm), Wire(norm, relu)]
        wires += [Wire(relu, add, 0), Wire(last, add, 1)]
        last = add
    blocks += [Block("pool", "GlobalAveragePooling2D", {}), Block("classes", "Dense", {})]
    wires += [Wire(last, "pool"), Wire("pool", "classes")]
    return Project(network=NetworkSpec(blocks, wires))


def test_hundreds_of_blocks_open_tidy_and_fit_in_the_scene(qtbot):
    project = _residual_tower(100)
    doc = Document()
    scene = NetworkScene(doc)
    start = time.perf_counter()
    doc.set_project(project)
    scene.tidy()
    elapsed = time.perf_counter() - start
    assert len(scene.blocks) == 403 and len(scene.wire_items) == 502
    assert doc.report.ok, doc.report.problems[:3]
    positions = tidy_positions(doc.spec)
    assert all(tuple(b.position) == positions[b.id] for b in doc.spec.blocks)
    rect = scene.sceneRect()
    for item in scene.blocks.values():
        assert rect.contains(item.sceneBoundingRect())
    assert elapsed < 20.0  # about 1 s here; generous for a loaded machine


def test_palette_finds_blocks_by_keras_class_and_purpose(qtbot):
    palette = Palette()
    qtbot.addWidget(palette)
    palette.search.setText("MaxPooling2D")
    assert palette.visible_types()[0] == "MaxPooling"
    palette.search.setText("attention")
    assert "MultiHeadAttention" in palette.visible_types()
    palette.search.setText("padding")
    assert {"ZeroPadding1D", "ZeroPadding2D"} <= set(palette.visible_types())
    assert {"Activations", "Attention"} <= set(palette.group_items)
