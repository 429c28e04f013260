"""Importing .keras models as projects: templates round-trip; what a block cannot express is
listed; a model carrying code is imported without running it."""

import json

import pytest

from core import catalog, templates
from core.errors import ModelFileError
from core.export import import_keras_model
from core.validate import validate


def _network(project):
    out = {}
    for block in project.network.blocks:
        out[block.id] = (block.type, catalog.get(block.type).with_defaults(block.params))
    wires = sorted((w.source, w.target, w.port) for w in project.network.wires)
    return out, wires


@pytest.mark.parametrize("name", templates.names())
def test_templates_round_trip(name, tmp_path):
    from core.build import build

    project = templates.load(name)
    path = tmp_path / f"{name}.keras"
    build(project).model.save(path)
    imported, unmapped = import_keras_model(path)
    assert unmapped == []
    assert validate(imported).ok, validate(imported).problems
    assert _network(imported) == _network(project)
    assert imported.training["initial_weights"]["path"] == str(path.resolve())
    ys = [b.position[1] for b in imported.network.blocks]
    assert ys == sorted(ys) and len(set(ys)) > 1


def test_what_a_block_cannot_express_is_listed(tmp_path):
    from core.keras_env import load_keras

    keras = load_keras()
    inputs = keras.Input((12,), name="notes")
    x = keras.layers.Dense(8, use_bias=False, name="nobias")(inputs)
    y = keras.layers.Dense(8, activation="relu", name="fine")(inputs)
    z = keras.layers.Dense(8, kernel_regularizer="l2", name="regular")(y)
    w = keras.layers.Dense(8, activation="swish", name="swishy")(y)
    out = keras.layers.Concatenate(name="join")(
        [
            w,
            z,
            keras.layers.Bidirectional(keras.layers.GRU(4), name="bidi")(
                keras.layers.RepeatVector(3, name="rep")(x)
            ),
        ]
    )
    path = tmp_path / "m.keras"
    keras.Model(inputs, out).save(path)
    project, unmapped = import_keras_model(path)
    text = "\n".join(unmapped)
    assert "nobias: Dense — use_bias=False cannot be expressed by the Dense block" in text
    assert "regular: Dense — kernel_regularizer=L2 cannot be expressed" in text
    assert "swishy: Dense — the Dense block's 'activation' must be one of" in text
    assert "join: Concatenate — left out because its input 'swishy' is not imported" in text
    assert "bidi: Bidirectional — left out" in text
    assert "notes" in {b.id for b in project.network.blocks}


def test_a_sequential_model_and_the_cli(tmp_path, capsys):
    from core.commands import import_model
    from core.keras_env import load_keras

    keras = load_keras()
    model = keras.Sequential(
        [
            keras.Input((16, 4)),
            keras.layers.Conv1D(5, 3, name="c"),
            keras.layers.AveragePooling1D(2, name="p"),
            keras.layers.LSTM(6, name="l"),
            keras.layers.LayerNormalization(name="n"),
        ]
    )
    model.save(tmp_path / "s.keras")
    out = tmp_path / "s.json"

    class Args:
        model = str(tmp_path / "s.keras")

    Args.out = str(out)
    assert import_model.run(Args) == 0
    assert "5 blocks, 0 layer(s) not imported, valid" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert [b["type"] for b in doc["network"]["blocks"]] == [
        "Input",
        "Conv1D",
        "AveragePooling",
        "LSTM",
        "LayerNormalization",
    ]


def test_foreign_and_truncated_files(tmp_path):
    (tmp_path / "a.keras").write_text("hello")
    with pytest.raises(ModelFileError, match="not a .keras model"):
        import_keras_model(tmp_path / "a.keras")
    with pytest.raises(ModelFileError, match="no such file"):
        import_keras_model(tmp_path / "missing.keras")


def test_wrappers_merges_and_layerwise_layers(tmp_path):
    from core.keras_env import load_keras
    from core.layers import RBM, Maxout

    keras = load_keras()
    i = keras.Input((10, 6), name="seq")
    b = keras.layers.Bidirectional(
        keras.layers.GRU(5, return_sequences=True), merge_mode="sum", name="bi"
    )(i)
    t = keras.layers.TimeDistributed(keras.layers.Dense(6, activation="tanh"), name="td")(b)
    a = keras.layers.Add(name="add")([t, i])
    n = keras.layers.BatchNormalization(momentum=0.9, name="bn")(
        keras.layers.GaussianNoise(0.2, name="noise")(a)
    )
    m = Maxout(7, pieces=3, name="mx")(keras.layers.Flatten(name="flat")(n))
    o = keras.layers.Activation("softmax", name="act")(RBM(9, visible="gaussian", name="rbm")(m))
    keras.Model(i, o).save(tmp_path / "m.keras")
    project, unmapped = import_keras_model(tmp_path / "m.keras")
    assert unmapped == []
    blocks = {b.id: (b.type, b.params) for b in project.network.blocks}
    assert blocks["bi"] == (
        "Bidirectional",
        {"cell": "GRU", "units": 5, "return_sequences": True, "merge_mode": "sum"},
    )
    assert blocks["td"] == ("TimeDistributedDense", {"units": 6, "activation": "tanh"})
    assert blocks["mx"] == ("Maxout", {"units": 7, "pieces": 3})
    assert blocks["rbm"] == ("RBM", {"units": 9, "visible": "gaussian"})
    assert blocks["act"] == ("Activation", {"function": "softmax"})
    assert sorted((w.source, w.port) for w in project.network.inputs_of("add")) == [
        ("seq", 1),
        ("td", 0),
    ]
    assert validate(project).ok
