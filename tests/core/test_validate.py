"""Validation reports every problem against its block, in plain words; shapes are inferred."""

import re

import pytest

from core import templates
from core.project import Project
from core.spec import Block, NetworkSpec, Wire
from core.validate import validate


def _project(blocks, wires, objective="classifier"):
    project = Project(network=NetworkSpec(blocks, wires))
    project.training["finetune"]["objective"] = objective
    return project


def _messages(report, block):
    return " | ".join(p.message for p in report.for_block(block))


@pytest.mark.parametrize("name", templates.ORDER)
def test_every_template_validates(name):
    report = validate(templates.load(name))
    assert report.ok, report.problems
    assert report.output and report.total_params > 0


def test_shapes_and_counts_of_a_dag():
    blocks = [
        Block("notes", "Input", {"shape": [16, 12]}),
        Block("lstm", "LSTM", {"units": 8, "return_sequences": True}),
        Block("conv", "Conv1D", {"filters": 4, "padding": "same"}),
        Block("both", "Concatenate"),
        Block("out", "TimeDistributedDense", {"units": 12}),
    ]
    wires = [
        Wire("notes", "lstm"),
        Wire("notes", "conv"),
        Wire("lstm", "both", 0),
        Wire("conv", "both", 1),
        Wire("both", "out"),
    ]
    report = validate(_project(blocks, wires, "sequence"))
    assert report.ok, report.problems
    assert report.shapes["both"] == (16, 12)
    assert report.shapes["out"] == (16, 12)
    assert report.params["lstm"] == 4 * (12 * 8 + 8 * 8 + 8)
    assert report.order.index("both") > report.order.index("conv")


def test_each_kind_of_problem_names_its_block():
    blocks = [
        Block("inp", "Input", {"shape": [8, 8]}),
        Block("rbm", "RBM", {"units": 0}),
        Block("dense", "Dense", {"units": 4, "colour": "red"}),
        Block("loose", "Dense"),
        Block("mystery", "Transformer"),
        Block("self", "Dense"),
    ]
    wires = [
        Wire("inp", "rbm"),
        Wire("inp", "dense"),
        Wire("self", "self"),
        Wire("ghost", "dense", 1),
    ]
    report = validate(_project(blocks, wires))
    assert "at least 1" in _messages(report, "rbm")
    assert "no parameter 'colour'" in _messages(report, "dense")
    assert "needs an input" in _messages(report, "loose")
    assert "unknown block type 'Transformer'" in _messages(report, "mystery")
    assert "wired to itself" in _messages(report, "self")
    assert "missing block 'ghost'" in _messages(report, "dense")


def test_cycle_is_reported_on_each_block_in_it():
    blocks = [
        Block("inp", "Input", {"shape": [4]}),
        Block("a", "Dense"),
        Block("b", "Add"),
        Block("c", "Dense"),
    ]
    wires = [Wire("inp", "b", 0), Wire("b", "a"), Wire("a", "c"), Wire("c", "b", 1)]
    report = validate(_project(blocks, wires))
    for block in ("a", "b", "c"):
        assert "loop" in _messages(report, block)
    assert not report.for_block("inp")


def test_incompatible_shapes_and_missing_input():
    blocks = [Block("inp", "Input", {"shape": [8, 8]}), Block("rbm", "RBM")]
    report = validate(_project(blocks, [Wire("inp", "rbm")]))
    assert "Flatten" in _messages(report, "rbm")
    no_input = validate(_project([Block("d", "Dense")], []))
    assert any("no Input block" in str(p) for p in no_input.problems)
    assert not validate(_project([], [])).ok


def test_settings_and_objective_checked():
    project = templates.load("dbn-digits")
    project.training["pretraining"]["blocks"]["rbm1"]["cd_k"] = 0
    project.training["pretraining"]["blocks"]["classes"] = {"epochs": 2}
    project.training["finetune"]["optimizer"] = "magic"
    report = validate(project)
    assert "'cd_k' must be at least 1" in _messages(report, "rbm1")
    assert "does not pretrain" in _messages(report, "classes")
    assert any("optimizer" in str(p) for p in report.problems)
    deephear = templates.load("melody-vae")
    deephear.training["finetune"]["objective"] = "classifier"
    assert "class scores" in _messages(validate(deephear), "roll")


def test_several_ends_are_reported():
    blocks = [Block("inp", "Input", {"shape": [4]}), Block("a", "Dense"), Block("b", "Dense")]
    report = validate(_project(blocks, [Wire("inp", "a"), Wire("inp", "b")]))
    assert any("several ends" in str(p) for p in report.problems)


@pytest.mark.parametrize(
    "data, words",
    [
        ({"source": "mp3s"}, "data.source must be one of"),
        ({"source": "midi-folder", "path": None}, "data.path must name a folder of MIDI files"),
        ({"source": "midi-folder", "path": ""}, "data.path"),
        ({"source": "npz"}, "data.path must name a .npz piece file"),
        ({"limit": 0}, "data.limit must be at least 1"),
        ({"representation": {"pitch_count": 200}}, "data.representation.pitch_count"),
        ({"representation": {"lowest_pitch": 100}}, "must not pass 128"),
        ({"representation": {"transpose": [2, 1]}}, "data.representation.transpose"),
        ({"representation": {"colour": 1}}, "unknown field 'colour'"),
        ({"split": {"validation": 0.5, "test": 0.5}}, "validation \\+ test"),
        ({"split": {"seed": -1}}, "data.split.seed"),
    ],
)
def test_data_problems_name_the_field(data, words):
    project = templates.load(templates.ORDER[0])
    project.data.update(data)
    problems = [p for p in validate(project).problems if p.block is None]
    assert len(problems) == 1, problems
    assert re.search(words, problems[0].message), problems[0].message


def test_piano_roll_settings_do_not_apply_to_digits():
    project = templates.load(templates.ORDER[0])
    project.data.update({"source": "digits", "representation": {"pitch_count": 0}})
    assert validate(project).ok
    project.data["source"] = "folk-tunes"
    assert not validate(project).ok
