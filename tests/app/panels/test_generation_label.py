"""The generation form's class control: declared once in the catalog, read by dbn-memory
only, left unset ("any") unless the user picks a class."""

from __future__ import annotations

from app.panels.generation_controls import GenerationControls
from core.catalog.generation import option


def test_the_class_control_serves_dbn_memory_and_asks_for_the_chosen_class(qtbot):
    controls = GenerationControls()
    qtbot.addWidget(controls)
    controls.set_methods(["dbn-memory", "decode"], None)
    label = controls.spins["label"]
    assert label.toolTip() == option("label").help and label.isEnabled()
    assert controls.request([], {}).label is None  # unset: the memory samples the class
    label.setValue(7)
    assert controls.request([], {}).label == 7
    controls.method_combo.setCurrentText("decode")
    assert not label.isEnabled()
    assert controls.request([], {}).label is None  # decode does not read it
