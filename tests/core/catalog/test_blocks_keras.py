"""The blocks for layers people bring from Keras models: each one's pure-Python shape and
parameter count agree with the layer Keras builds from its recipe, and a model made of it
imports back as the same block with the same parameters."""

import pytest

from core import catalog
from core.catalog import ShapeError, blocks_keras
from core.catalog.rules_keras import call_arguments

# (type, params, input shapes): every block of blocks_keras, with parameters off their defaults.
CASES = [
    (
        "DepthwiseConv2D",
        {"kernel_size": 3, "strides": 2, "depth_multiplier": 2, "use_bias": False},
        [(9, 8, 3)],
    ),
    ("DepthwiseConv2D", {"padding": "same", "activation": "relu6"}, [(8, 8, 4)]),
    ("SeparableConv1D", {"filters": 5, "kernel_size": 3, "depth_multiplier": 2}, [(10, 3)]),
    ("SeparableConv2D", {"filters": 6, "strides": 2, "padding": "same"}, [(8, 8, 3)]),
    ("Conv1DTranspose", {"filters": 4, "kernel_size": 3, "strides": 2}, [(7, 3)]),
    (
        "Conv2DTranspose",
        {"filters": 4, "strides": 2, "padding": "same", "use_bias": False},
        [(5, 6, 2)],
    ),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 1, "strides": 3}, [(4, 4, 2)]),
    ("GlobalAveragePooling1D", {}, [(7, 5)]),
    ("GlobalAveragePooling2D", {"keepdims": True}, [(6, 6, 3)]),
    ("GlobalMaxPooling1D", {"keepdims": True}, [(7, 5)]),
    ("GlobalMaxPooling2D", {}, [(6, 6, 3)]),
    ("ZeroPadding1D", {"pad_start": 0, "pad_end": 3}, [(7, 2)]),
    ("ZeroPadding2D", {"pad_top": 0, "pad_bottom": 1, "pad_left": 3, "pad_right": 2}, [(5, 6, 2)]),
    ("Cropping1D", {"crop_start": 2, "crop_end": 1}, [(7, 2)]),
    ("Cropping2D", {"crop_top": 1, "crop_bottom": 0, "crop_left": 2, "crop_right": 2}, [(5, 6, 2)]),
    ("UpSampling1D", {"size": 3}, [(4, 2)]),
    ("UpSampling2D", {"size": 2, "interpolation": "bilinear"}, [(3, 5, 2)]),
    ("Permute", {"dims": [2, 1]}, [(4, 6)]),
    ("Permute", {"dims": [3, 1, 2]}, [(2, 4, 6)]),
    ("Rescaling", {"scale": 0.5, "offset": -1.0}, [(4, 3)]),
    ("Embedding", {"input_dim": 20, "output_dim": 6, "mask_zero": True}, [(9,)]),
    ("ReLU", {"max_value": 6.0}, [(5,)]),
    ("ReLU", {"negative_slope": 0.1, "threshold": 0.5}, [(4, 3)]),
    ("LeakyReLU", {"negative_slope": 0.2}, [(5,)]),
    ("PReLU", {}, [(4, 3)]),
    ("ELU", {"alpha": 0.5}, [(5,)]),
    ("Softmax", {}, [(4, 6)]),
    ("Multiply", {}, [(4, 4, 3), (1, 1, 3)]),
    ("Subtract", {}, [(5,), (5,)]),
    ("Average", {}, [(4, 2), (4, 2), (4, 2)]),
    ("Maximum", {}, [(3,), (3,)]),
    ("Minimum", {}, [(3,), (3,)]),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, [(6, 8)]),
    ("MultiHeadAttention", {"num_heads": 3, "key_dim": 4, "use_bias": False}, [(6, 8), (5, 7)]),
    ("SpatialDropout1D", {"rate": 0.3}, [(7, 4)]),
    ("SpatialDropout2D", {}, [(5, 5, 4)]),
    ("GaussianDropout", {"rate": 0.4}, [(5,)]),
    ("Normalization", {}, [(6, 4)]),
    # Existing blocks with the settings real models need.
    ("Conv2D", {"filters": 4, "use_bias": False}, [(6, 6, 2)]),
    ("MaxPooling", {"pool_size": 3, "strides": 2}, [(9, 9, 2)]),
    ("BatchNormalization", {"epsilon": 1.001e-5}, [(4, 4, 3)]),
    ("Dropout", {"rate": 0.2, "per_sample": True}, [(4, 4, 3)]),
    ("Activation", {"function": "silu"}, [(5,)]),
]


def _built(type_name, params, shapes):
    from core.build import make_layer
    from core.keras_env import load_keras

    keras = load_keras()
    decl = catalog.get(type_name)
    full = decl.with_defaults(params)
    inputs = [keras.Input(shape=s) for s in shapes]
    layer = make_layer(decl.recipe(full), "block", len(shapes[0]))
    out = layer(*call_arguments(decl, inputs))
    return keras, decl, full, inputs, layer, out


def test_cases_cover_every_new_block_and_the_registry_holds_them():
    assert {t for t, _, _ in CASES} >= {b.name for b in blocks_keras.BLOCKS}
    assert all(catalog.get(b.name) is b for b in blocks_keras.BLOCKS)
    assert len(catalog.BLOCKS) >= 24 + 30
    groups = catalog.by_group()
    assert {b.name for b in groups["Activations"]} >= {"ReLU", "LeakyReLU", "PReLU", "ELU"}
    assert [b.name for b in groups["Attention"]] == ["MultiHeadAttention"]


@pytest.mark.parametrize("type_name,params,shapes", CASES, ids=[c[0] for c in CASES])
def test_declared_shape_and_count_match_keras(type_name, params, shapes):
    _, decl, full, _, layer, out = _built(type_name, params, shapes)
    assert tuple(out.shape[1:]) == decl.infer(full, shapes)
    assert layer.count_params() == decl.count(full, shapes)
    assert decl.has_weights == (layer.count_params() > 0), f"{type_name}.has_weights"
    assert catalog.for_keras_class(type(layer).__name__) is decl


@pytest.mark.parametrize("type_name,params,shapes", CASES, ids=[c[0] for c in CASES])
def test_a_model_of_the_block_imports_back_as_the_block(type_name, params, shapes, tmp_path):
    from core.export import import_keras_model

    keras, decl, full, inputs, _, out = _built(type_name, params, shapes)
    keras.Model(inputs if len(inputs) > 1 else inputs[0], out).save(tmp_path / "m.keras")
    project, unmapped = import_keras_model(tmp_path / "m.keras")
    assert unmapped == []
    (block,) = [b for b in project.network.blocks if b.type != "Input"]
    assert block.type == type_name
    assert decl.with_defaults(block.params) == full


def test_shape_rules_explain_what_does_not_fit():
    with pytest.raises(ShapeError, match="crop less"):
        catalog.get("Cropping1D").infer({"crop_start": 4, "crop_end": 4}, [(7, 2)])
    with pytest.raises(ShapeError, match="each once"):
        catalog.get("Permute").infer({"dims": [1, 1]}, [(3, 4)])
    with pytest.raises(ShapeError, match="agree"):
        catalog.get("Multiply").infer({}, [(4, 3), (5, 3)])
    with pytest.raises(ShapeError, match="fixed-size"):
        catalog.get("PReLU").count({}, [(None, 3)])
