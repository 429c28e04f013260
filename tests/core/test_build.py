"""A valid project becomes a functional keras.Model plus its pretraining plan."""

import numpy as np
import pytest

from core import templates
from core.build import InvalidNetwork, build, pretraining_plan


@pytest.mark.parametrize("name", templates.ORDER)
def test_every_template_builds_with_the_declared_parameter_count(name):
    project = templates.load(name)
    built = build(project)
    model = built.model
    assert model.count_params() == built.report.total_params
    for block in project.network.blocks:
        if block.type != "Input":
            assert model.get_layer(block.id).count_params() == built.report.params[block.id]
    shape = [2 if d is None else d for d in project.network.block("input").params["shape"]]
    out = model.predict(np.zeros([2, *shape], "float32"), verbose=0)
    expected = [2 if d is None else d for d in built.report.shapes[built.output_block]]
    assert list(out.shape[1:]) == expected


def test_pretraining_plan_follows_the_data_and_the_switches():
    project = templates.load("deephear")
    assert [s.block for s in pretraining_plan(project)] == ["encoder1", "encoder2", "code"]
    assert {s.kind for s in pretraining_plan(project)} == {"autoencoder"}
    project.training["pretraining"]["blocks"]["encoder2"]["enabled"] = False
    assert [s.block for s in pretraining_plan(project)] == ["encoder1", "code"]
    project.training["pretraining"]["enabled"] = False
    assert pretraining_plan(project) == []
    dbn = pretraining_plan(templates.load("dbn-digits"))
    assert [(s.block, s.kind) for s in dbn] == [("rbm1", "rbm"), ("rbm2", "rbm")]
    assert dbn[0].settings["cd_k"] >= 1


def test_same_seed_same_initial_weights():
    a = build(templates.load("sda")).model.get_weights()
    b = build(templates.load("sda")).model.get_weights()
    c = build(templates.load("sda"), seed=1).model.get_weights()
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c, strict=True))


def test_invalid_network_lists_problems_not_a_keras_traceback():
    project = templates.load("dbn-digits")
    project.network.block("rbm2").params["units"] = -3
    project.network.block("classes").type = "Nonsense"
    with pytest.raises(InvalidNetwork) as info:
        build(project)
    assert len(info.value.problems) == 2
    assert "rbm2" in str(info.value)
