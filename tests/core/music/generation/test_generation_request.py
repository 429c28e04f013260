"""Generation methods and options declared once: the request, the catalog, the CLI parser."""

import dataclasses

import numpy as np
import pytest

from core import cli
from core.catalog import generation as declared
from core.music.generation import GenerationError, GenerationRequest
from core.music.generation.sampling import ATTRIBUTES


def test_the_request_has_one_field_per_declared_option():
    fields = {f.name: f.default for f in dataclasses.fields(GenerationRequest)}
    assert list(fields) == ["method", *(o.name for o in declared.OPTIONS)]
    for option in declared.OPTIONS:
        assert fields[option.name] == option.default
    assert GenerationRequest().method == "auto"


def test_the_declarations_agree_with_the_code():
    assert tuple(ATTRIBUTES) == declared.ATTRIBUTE_NAMES
    assert list(declared.METHODS)[0] == "auto"
    for method in declared.METHOD_LIST:
        assert set(method.options) <= set(declared.OPTION_INDEX), method.name
        assert set(method.model_kinds) <= set(declared.MODEL_KINDS), method.name
        assert method.help and method.label
    with pytest.raises(KeyError, match="unknown generation method"):
        declared.method("telepathy")
    assert declared.methods_taking("code") == ("decode", "vae-prior")
    assert "vae-interpolate" not in declared.methods_taking("bars")


def test_values_are_checked_and_made_plain():
    request = GenerationRequest(seed=np.int32(4), bars=np.int64(2), temperature=np.float32(0.5))
    assert (request.seed, request.bars, request.temperature) == (4, 2, 0.5)
    assert type(request.seed) is int and type(request.temperature) is float
    with pytest.raises(GenerationError, match="bars must be a whole number from 1 to 1024"):
        GenerationRequest(bars=0)
    with pytest.raises(GenerationError, match="seed"):
        GenerationRequest(seed=1.5)
    with pytest.raises(GenerationError, match="threshold"):
        GenerationRequest(threshold=2.0)
    with pytest.raises(GenerationError, match="unknown attribute 'colour'"):
        GenerationRequest(attribute="colour")
    with pytest.raises(GenerationError, match="unknown generation method"):
        GenerationRequest(method="telepathy")
    assert GenerationRequest(threshold=None).threshold is None  # None: sample each note
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.seed = 5


def test_unknown_options_are_refused_by_name():
    with pytest.raises(GenerationError, match="unknown generation option 'temprature'"):
        GenerationRequest.of(temprature=0.5)
    base = GenerationRequest(seed=3)
    assert GenerationRequest.of(base) is base
    assert GenerationRequest.of(base, bars=2) == GenerationRequest(seed=3, bars=2)


def test_an_option_the_method_does_not_read_is_an_error():
    GenerationRequest(temperature=1.0).check_applies("decode")  # its default: fine
    with pytest.raises(GenerationError, match="'temperature' does not apply to decode"):
        GenerationRequest(temperature=0.3).check_applies("decode")
    with pytest.raises(GenerationError, match="'bars' does not apply to vae-interpolate"):
        GenerationRequest(bars=8).check_applies("vae-interpolate")
    GenerationRequest(temperature=0.3, iterations=5).check_applies("gibbs")
    assert GenerationRequest(seed=2, tempo=90).given() == ["seed", "tempo"]


def test_a_form_keeps_only_what_the_method_reads():
    values = {"seed": 7, "bars": 8, "temperature": 0.2, "threshold": 0.4, "tempo": 90.0}
    decode = GenerationRequest.for_method("decode", values)
    assert (decode.seed, decode.bars, decode.temperature) == (7, 8, 1.0)
    between = GenerationRequest.for_method("vae-interpolate", {**values, "steps": 5})
    assert (between.bars, between.steps, between.tempo) == (4, 5, 90.0)


def _generate_parser():
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices["generate"]


def test_the_cli_parser_is_made_from_the_declarations():
    actions = {a.dest: a for a in _generate_parser()._actions}
    for option in declared.OPTIONS:
        action = actions[option.name]
        assert action.option_strings == ["--" + option.name]
        assert action.default == option.default and action.help == option.help
    assert tuple(actions["attribute"].choices) == declared.ATTRIBUTE_NAMES
    assert tuple(actions["method"].choices) == tuple(declared.METHODS)


def test_cli_ranges_come_from_the_declarations(tmp_path, capsys):
    for flag, value in (("--steps", "300"), ("--iterations", "0"), ("--attribute", "colour")):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["generate", "run", "--out", str(tmp_path / "x.mid"), flag, value])
        assert exit_info.value.code == 2
        assert flag in capsys.readouterr().err


def test_an_option_the_named_method_does_not_read_is_a_usage_error(tmp_path, capsys):
    argv = ["generate", "run", "--out", str(tmp_path / "x.mid"), "--method", "decode"]
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--iterations", "5"])
    assert exit_info.value.code == 2
    assert "--iterations does not apply to --method decode" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv[:-2], "--method", "vae-interpolate", "--bars", "8"])
    assert exit_info.value.code == 2
    assert not (tmp_path / "x.mid").exists()
