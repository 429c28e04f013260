"""Models people bring import whole: every layer of keras.applications models (built with
weights=None) and of a Transformer over piano-roll steps becomes a block, the canvas lays
them out, and the imported project, exported as .keras, computes what the original did."""

import numpy as np
import pytest
from keras_zoo import applications, measure_import, piano_roll_transformer

from core import project as project_io
from core.build import build
from core.export import import_keras_model

TOLERANCE = 1e-5


def _check(row):
    assert row["unmapped"] == []
    assert row["layers_mapped"] == row["layers"] == row["blocks"]
    assert row["max_abs_diff"] <= TOLERANCE
    positions = [b.position for b in row["project"].network.blocks]
    assert len(set(positions)) == len(positions)


def test_piano_roll_transformer_imports_whole_with_its_weights(tmp_path):
    row = measure_import(piano_roll_transformer(steps=16, pitches=12, width=16), tmp_path)
    _check(row)
    types = {b.type for b in row["project"].network.blocks}
    assert {"MultiHeadAttention", "LayerNormalization", "Add", "Dense"} <= types
    attention = row["project"].network.inputs_of("attention")
    assert [w.source for w in attention] == ["embed"]  # self-attention: one input


def test_mobilenet_v2_imports_whole_at_a_small_size(tmp_path):
    from core.keras_env import load_keras

    model = load_keras().applications.MobileNetV2(
        input_shape=(32, 32, 3), alpha=0.35, weights=None, classes=10
    )
    row = measure_import(model, tmp_path)
    _check(row)
    types = {b.type for b in row["project"].network.blocks}
    assert {"ZeroPadding2D", "DepthwiseConv2D", "ReLU", "GlobalAveragePooling2D"} <= types


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ResNet50", "DenseNet121", "EfficientNetB0"])
def test_applications_import_whole(name, tmp_path):
    _check(measure_import(applications(32)[name](), tmp_path))


def test_a_saved_project_starts_from_the_imported_weights_and_survives_edits(tmp_path):
    model = piano_roll_transformer(steps=8, pitches=6, width=8, heads=2)
    model.save(tmp_path / "source.keras")
    project, _ = import_keras_model(tmp_path / "source.keras")
    project_io.save(project, tmp_path / "imported.json")
    opened = project_io.load(tmp_path / "imported.json")
    built = build(opened).model
    for name in ("embed", "attention", "norm1", "notes"):
        for want, got in zip(
            model.get_layer(name).get_weights(), built.get_layer(name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(want, got)
    opened.network.block("notes").params["units"] = 5  # edited: keeps fresh weights
    edited = build(opened).model
    assert edited.get_layer("notes").get_weights()[0].shape == (8, 5)
    np.testing.assert_array_equal(
        edited.get_layer("embed").get_weights()[0], model.get_layer("embed").get_weights()[0]
    )


def test_python_export_of_an_imported_model_rebuilds_its_layers(tmp_path):
    import runpy

    from core.export import export_model
    from core.keras_env import load_keras

    keras = load_keras()
    layers = keras.layers
    tokens = keras.Input((12,), name="tokens")
    x = layers.Embedding(30, 8, name="embed")(tokens)
    x = layers.SeparableConv1D(8, 3, padding="same", name="sep")(x)
    x = layers.ZeroPadding1D((1, 2), name="pad")(x)
    x = layers.Cropping1D((2, 1), name="crop")(x)
    x = layers.Dropout(0.1, noise_shape=(None, 1, 1), name="drop_path")(x)
    a = layers.MultiHeadAttention(2, 4, name="attention")(x, x)
    x = layers.Multiply(name="gate")([layers.Activation("sigmoid", name="sig")(a), x])
    x = layers.PReLU(name="prelu")(layers.Permute((2, 1), name="swap")(x))
    out = layers.GlobalMaxPooling1D(name="pool")(layers.UpSampling1D(2, name="up")(x))
    model = keras.Model(tokens, out)
    model.save(tmp_path / "source.keras")
    project, unmapped = import_keras_model(tmp_path / "source.keras")
    assert unmapped == []
    assert project.network.block("drop_path").params == {"rate": 0.1, "per_sample": True}
    script = export_model(project, "python", tmp_path / "model.py")
    rebuilt = runpy.run_path(str(script))["build_model"]()
    assert [type(layer).__name__ for layer in rebuilt.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
    assert rebuilt.count_params() == model.count_params()
    assert rebuilt.get_layer("drop_path").noise_shape == (None, 1, 1)


def test_layers_are_ordered_after_their_inputs_however_deep_the_chain():
    from core.export.importer import _order

    names = [f"layer{i}" for i in range(3000)]
    by_name = {name: {"name": name} for name in reversed(names)}
    inputs = {names[i]: [names[i - 1]] for i in range(1, len(names))}
    inputs[names[0]] = [names[-1]]  # a cycle is cut, not followed forever
    order = [entry["name"] for entry in _order(by_name, inputs)]
    assert sorted(order) == sorted(names)
    position = {name: i for i, name in enumerate(order)}
    assert all(position[names[i - 1]] < position[names[i]] for i in range(2, len(names)))
