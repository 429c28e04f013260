"""Hostile model files: every one is refused in one line by the one safe loader (used by
generate, export, import and the window) before Keras sees it, and nothing in it runs."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from hostile_payloads import (
    MiB,
    cuts,
    deep_json,
    dense,
    fire_lambda,
    inflating_archive,
    keras_archive,
    lambda_layer,
    midi_bytes,
    npz_bytes,
    sequential,
    wav_bytes,
)

from core import limits
from core.errors import LayerwiseError, ModelFileError
from core.export.importer import import_keras_model
from core.export.safe_load import load_model_safely
from core.music.generation.source import load_model

VALID = json.dumps(sequential(dense("a"), dense("b")))


def _foreign(module: str, name: str, **extra) -> dict:
    return {"module": module, "class_name": name, "config": {"name": "x"}, **extra}


def _code_configs(marker) -> list[tuple[str, dict]]:
    evil = lambda_layer(marker)
    nested = sequential(dense(), sequential(dense("c"), sequential(evil)))
    activation = dense("act")
    activation["config"]["activation"] = evil["config"]["function"]
    compiled = sequential(dense())
    compiled["compile_config"] = {"loss": _foreign("os", "system")}
    return [
        ("lambda", sequential(evil)),
        ("lambda-nested-3-deep", nested),
        ("lambda-function-as-activation", sequential(activation)),
        ("tfsmlayer", sequential(_foreign("keras.layers", "TFSMLayer"))),
        ("os-system", sequential(_foreign("os", "system"))),
        ("builtins-eval", sequential(_foreign("builtins", "eval"))),
        ("subprocess", sequential(_foreign("subprocess", "Popen"))),
        ("spoofed-layerwise", sequential(_foreign("os", "system", registered_name="layerwise>X"))),
        (
            "foreign-initializer",
            sequential(
                dict(
                    dense(),
                    config={
                        "name": "i",
                        "units": 2,
                        "kernel_initializer": _foreign("evil.init", "Boom"),
                    },
                )
            ),
        ),
        ("foreign-model-class", _foreign("evil.models", "Backdoor")),
        ("compile-loss-os", compiled),
    ]


CODE_IDS = [name for name, _ in _code_configs("m")]
# Generation never compiles, so a training configuration naming code is not read there.
CODE_CASES = [
    pytest.param(index, entry, id=f"{entry}-{name}")
    for entry in ("safe-loader", "generate", "import")
    for index, name in enumerate(CODE_IDS)
    if not (entry == "generate" and name.startswith("compile"))
]


@pytest.mark.parametrize("index, entry", CODE_CASES)
def test_a_model_carrying_code_is_refused_and_runs_nothing(tmp_path, index, entry):
    marker = tmp_path / "fired"
    name, config = _code_configs(marker)[index]
    path = keras_archive(tmp_path / f"{name}.keras", json.dumps(config))
    if entry == "import":
        try:  # the importer reads the config as data: it may map or refuse, never run
            import_keras_model(path)
        except LayerwiseError as exc:
            assert "\n" not in str(exc)
    else:
        with pytest.raises(ModelFileError) as caught:
            (load_model if entry == "generate" else lambda p: load_model_safely(p, True))(path)
        message = str(caught.value)
        assert "\n" not in message and len(message) < 400
        assert "safe_mode" not in message and "unsafe" not in message
    assert not marker.exists()


GOOD = keras_archive(io.BytesIO(), VALID).getvalue()
DAMAGED: list[tuple[str, object]] = [
    *((f"truncated-{i}", cut) for i, cut in enumerate(cuts(GOOD, 6))),
    ("empty", b""),
    ("not-zip", b"PK\x03\x04 no zip here"),
    ("wav", wav_bytes()),
    ("midi", midi_bytes()),
    ("npz", npz_bytes(x=[1, 2])),
    ("no-config", lambda p: keras_archive(p, None)),
    ("no-weights", lambda p: keras_archive(p, VALID, weights=False)),
    ("config-not-json", lambda p: keras_archive(p, "{'python': True}")),
    ("config-not-utf8", lambda p: keras_archive(p, b"\xff\xfe{}")),
    ("config-list", lambda p: keras_archive(p, "[1, 2]")),
    ("config-deep", lambda p: keras_archive(p, deep_json(100_000))),
    ("config-deep-objects", lambda p: keras_archive(p, '{"a":' * 3000 + "1" + "}" * 3000)),
    ("config-inflates", lambda p: inflating_archive(p, limits.MAX_KERAS_CONFIG_BYTES + MiB)),
]


@pytest.mark.parametrize("name, payload", DAMAGED, ids=[name for name, _ in DAMAGED])
def test_a_damaged_or_foreign_model_file_is_one_line(tmp_path, name, payload):
    path = tmp_path / f"{name}.keras"
    if callable(payload):
        payload(path)
    else:
        path.write_bytes(payload)
    for load in (load_model_safely, load_model, import_keras_model):
        with pytest.raises(LayerwiseError) as caught:
            load(path)
        message = str(caught.value)
        assert "\n" not in message and len(message) < 400 and "No such file" not in message


@pytest.mark.parametrize(
    "name, make",
    [
        ("legacy.h5", lambda p: p.write_bytes(b"\x89HDF\r\n\x1a\n")),
        ("model.onnx", lambda p: p.write_bytes(b"\x08\x07")),
        ("folder", lambda p: p.mkdir()),
        ("saved", lambda p: (p.mkdir(), (p / "saved_model.pb").write_bytes(b"x"))),
        ("missing.keras", lambda p: None),
    ],
)
def test_paths_that_are_not_keras_models_are_refused(tmp_path, name, make):
    path = tmp_path / name
    make(path)
    with pytest.raises(ModelFileError) as caught:
        load_model_safely(path)
    assert "\n" not in str(caught.value)


def test_positive_controls_the_code_payloads_fire_when_loaded_unsafely(tmp_path):
    marker = tmp_path / "fired"
    fire_lambda(lambda_layer(marker))
    assert marker.read_text() == "fired"
    foreign = _foreign("os", "system")
    assert getattr(importlib.import_module(foreign["module"]), foreign["class_name"]) is (
        importlib.import_module("os").system
    )
    bomb = inflating_archive(tmp_path / "bomb.keras", limits.MAX_KERAS_CONFIG_BYTES + MiB)
    import zipfile

    with zipfile.ZipFile(bomb) as archive:
        info = archive.getinfo("config.json")
        assert info.file_size > limits.MAX_KERAS_CONFIG_BYTES > 100 * info.compress_size
    with pytest.raises(RecursionError):
        json.loads(deep_json(100_000))
