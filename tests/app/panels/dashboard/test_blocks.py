"""Which blocks a project trains, and their states between runs (no Qt)."""

from __future__ import annotations

from app.panels.dashboard.blocks import (
    BlockState,
    BlockStates,
    has_weights,
    pretrained_lr_scale,
    weight_blocks,
)
from core import templates


def test_weight_blocks_leave_out_layers_without_weights():
    project = templates.load("dbn-digits")
    kinds = {b.id: b.type for b in project.network.blocks}
    assert weight_blocks(project) == ["rbm1", "rbm2", "classes"]
    assert not any(has_weights(kinds[b]) for b in kinds if b not in weight_blocks(project))
    assert not has_weights("Flatten") and not has_weights("Input") and not has_weights("Dropout")
    assert has_weights("Dense")
    assert not has_weights("MaxPooling")  # what the catalog declares, not a list kept here
    assert has_weights("SomeFutureLayer")  # unknown types are assumed to train
    assert weight_blocks(None) == []


def test_pretrained_learning_rate_scale_from_the_project():
    project = templates.load("dbn-digits")
    assert pretrained_lr_scale(project) == float(
        project.finetune_settings().get("pretrained_learning_rate_scale", 1)
    )
    project.training.setdefault("finetune", {})["pretrained_learning_rate_scale"] = 0
    assert pretrained_lr_scale(project) == 0.0
    assert pretrained_lr_scale(None) == 1.0


def test_replacing_and_resetting_tell_listeners_only_when_asked():
    states = BlockStates(["a"])
    heard = []
    states.listeners.append(lambda block, state: heard.append((block, state)))
    states.set("a", BlockState.TRAINED)
    states.set("a", BlockState.TRAINED)  # no change, nothing said
    states.replace(["a", "b"], notify=False)
    assert heard == [("a", BlockState.TRAINED)]
    assert states.as_dict() == {"a": "untrained", "b": "untrained"}
    states.set("b", BlockState.PRETRAINED, notify=False)
    states.reset(notify=True)
    assert heard[1:] == [("a", BlockState.UNTRAINED), ("b", BlockState.UNTRAINED)]
