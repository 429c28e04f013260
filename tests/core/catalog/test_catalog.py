"""Every block type is declared once, and its pure-Python shape and parameter rules agree
with the Keras layer the builder makes from the same declaration."""

import numpy as np
import pytest

from core import catalog
from core.catalog import ShapeError, blocks_keras

REQUIRED = {
    "Input",
    "Dense",
    "Conv1D",
    "Conv2D",
    "MaxPooling",
    "AveragePooling",
    "Flatten",
    "Reshape",
    "Dropout",
    "GaussianNoise",
    "BatchNormalization",
    "LayerNormalization",
    "Activation",
    "Maxout",
    "LSTM",
    "GRU",
    "Bidirectional",
    "RepeatVector",
    "TimeDistributedDense",
    "Concatenate",
    "Add",
    "RBM",
    "Autoencoder",
    "VAE",
}

# (type, params, input shapes) covering every block and both pooling ranks.
CASES = [
    ("Dense", {"units": 7}, [(5,)]),
    ("Dense", {"units": 3}, [(4, 6)]),
    ("Activation", {"function": "gelu"}, [(5,)]),
    ("Maxout", {"units": 4, "pieces": 3}, [(6,)]),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "valid"}, [(11, 5)]),
    ("Conv2D", {"filters": 4, "kernel_size": 3, "padding": "same"}, [(8, 8, 2)]),
    ("MaxPooling", {"pool_size": 2}, [(9, 3)]),
    ("MaxPooling", {"pool_size": 2, "padding": "same"}, [(7, 7, 2)]),
    ("AveragePooling", {"pool_size": 3}, [(9, 9, 1)]),
    ("Flatten", {}, [(4, 6)]),
    ("Reshape", {"target_shape": [3, 8]}, [(24,)]),
    ("RepeatVector", {"times": 5}, [(3,)]),
    ("Dropout", {"rate": 0.2}, [(5,)]),
    ("GaussianNoise", {"stddev": 0.3}, [(5,)]),
    ("BatchNormalization", {}, [(6,)]),
    ("LayerNormalization", {}, [(4, 6)]),
    ("LSTM", {"units": 5, "return_sequences": True}, [(7, 3)]),
    ("GRU", {"units": 5}, [(7, 3)]),
    ("Bidirectional", {"cell": "GRU", "units": 4, "return_sequences": True}, [(7, 3)]),
    ("Bidirectional", {"cell": "LSTM", "units": 4, "merge_mode": "sum"}, [(7, 3)]),
    ("TimeDistributedDense", {"units": 4}, [(7, 3)]),
    ("Concatenate", {}, [(4, 2), (4, 3)]),
    ("Add", {}, [(5,), (5,)]),
    ("RBM", {"units": 6, "visible": "gaussian"}, [(10,)]),
    ("RNNRBM", {"hidden_units": 7, "recurrent_units": 5, "mean_field_steps": 2}, [(None, 9)]),
    ("AutoregressiveKeys", {"keys": 6, "hidden_units": 0}, [(None, 9)]),
    ("AutoregressiveKeys", {"keys": 6, "hidden_units": 4}, [(7, 9)]),
    ("ConvRBM", {"filters": 5, "kernel_time": 3, "pool_frequency": 3}, [(12, 16, 2)]),
    ("ConvRBM", {"kernel_frequency": 8, "pool_frequency": 1, "visible": "bernoulli"}, [(9, 8, 1)]),
    ("Autoencoder", {"units": 6, "tied": False}, [(10,)]),
    ("Autoencoder", {"units": 6, "tied": True}, [(10,)]),
    ("VAE", {"latent_dim": 3}, [(10,)]),
]


def test_catalog_declares_every_required_block_with_documented_params():
    assert set(catalog.REGISTRY) >= REQUIRED
    for block in catalog.BLOCKS:
        assert block.help and block.group in catalog.GROUPS
        for param in block.params:
            assert param.help, f"{block.name}.{param.name} has no help text"
            assert param.check(param.default) is None, f"{block.name}.{param.name} default"


def test_cases_cover_every_block_with_weights_or_shape_rules():
    # The blocks for layers from Keras models have their own cases (tests/core/catalog/).
    keras_blocks = {b.name for b in blocks_keras.BLOCKS}
    assert {t for t, _, _ in CASES} | keras_blocks | {"Input"} == set(catalog.REGISTRY)


def test_param_check_messages():
    units = catalog.get("Dense").param_index["units"]
    assert "whole number" in units.check("12")
    assert "at least" in units.check(0)
    assert units.check(True) is not None
    act = catalog.get("Dense").param_index["activation"]
    assert "one of" in act.check("swish-ish")


def test_shape_errors_speak_plainly():
    rbm = catalog.get("RBM")
    with pytest.raises(ShapeError, match="Flatten"):
        rbm.infer(rbm.defaults(), [(8, 8)])
    reshape = catalog.get("Reshape")
    with pytest.raises(ShapeError, match="24 values"):
        reshape.infer({"target_shape": [5, 5]}, [(24,)])
    conv = catalog.get("Conv1D")
    with pytest.raises(ShapeError, match="does not fit"):
        conv.infer({**conv.defaults(), "kernel_size": 9}, [(4, 2)])
    crbm = catalog.get("ConvRBM")
    with pytest.raises(ShapeError, match="Reshape"):
        crbm.infer(crbm.defaults(), [(16, 12)])
    with pytest.raises(ShapeError, match="every axis known"):
        crbm.infer(crbm.defaults(), [(None, 12, 1)])
    with pytest.raises(ShapeError, match="kernel_frequency"):
        crbm.infer(crbm.defaults(), [(16, 4, 1)])
    with pytest.raises(ShapeError, match="shorter than pool_time"):
        crbm.infer({**crbm.defaults(), "pool_time": 4}, [(8, 12, 1)])


@pytest.mark.parametrize("type_name,params,shapes", CASES, ids=[c[0] for c in CASES])
def test_declared_shape_and_count_match_keras(type_name, params, shapes):
    from core.build import make_layer
    from core.keras_env import load_keras

    keras = load_keras()
    decl = catalog.get(type_name)
    full = decl.with_defaults(params)
    inputs = [keras.Input(shape=s) for s in shapes]
    layer = make_layer(decl.recipe(full), "block", len(shapes[0]))
    out = layer(inputs if decl.max_inputs > 1 else inputs[0])
    assert tuple(out.shape[1:]) == decl.infer(full, shapes)
    assert layer.count_params() == decl.count(full, shapes)
    assert decl.has_weights == (layer.count_params() > 0), f"{type_name}.has_weights"
    assert catalog.for_keras_class(type(layer).__name__) is decl


def test_input_is_declared_weightless_and_maps_from_keras_input_layer():
    from core.keras_env import load_keras

    keras = load_keras()
    layer = keras.Input(shape=(4,))._keras_history[0]
    decl = catalog.get("Input")
    assert not decl.has_weights and decl.reshape_only
    assert layer.count_params() == 0
    assert catalog.for_keras_class(type(layer).__name__) is decl


def test_reshape_only_blocks_keep_every_value_and_have_no_weights():
    reshaping = {b.name for b in catalog.BLOCKS if b.reshape_only}
    assert reshaping >= {"Input", "Flatten", "Reshape", "Dropout", "GaussianNoise"}
    assert not reshaping & {"Dense", "Activation", "MaxPooling", "RepeatVector", "Concatenate"}
    for name in reshaping:
        assert not catalog.get(name).has_weights, name


def test_keras_class_lookup_names_pooling_by_rank_and_custom_layers_without_prefix():
    assert catalog.for_keras_class("MaxPooling1D") is catalog.get("MaxPooling")
    assert catalog.for_keras_class("AveragePooling2D") is catalog.get("AveragePooling")
    assert catalog.for_keras_class("RBM") is catalog.get("RBM")
    assert catalog.for_keras_class("VAESampling") is catalog.get("VAE")
    assert catalog.for_keras_class("TimeDistributed") is catalog.get("TimeDistributedDense")
    assert catalog.for_keras_class("Conv3D") is None


def test_data_sources_and_settings_are_declared_with_help_and_valid_defaults():
    from core.catalog import data

    assert [s.name for s in data.SOURCES if s.builtin] == [
        "bach-chorales",
        "folk-tunes",
        "maple-leaf-rag",
        "digits",
        "jsb-chorales",
        "nottingham",
        "musedata",
        "piano-midi",
        "gm-instruments",
    ]
    assert {s.name for s in data.SOURCES if s.path} == {
        "midi-folder",
        "npz",
        "arrays",
        "audio-folder",
    }
    assert not data.data_source("digits").music and data.data_source("npz").music
    assert data.data_source("audio-folder").audio and not data.data_source("npz").audio
    for param in (
        data.DATA_PARAMS + data.REPRESENTATION_PARAMS + data.SPLIT_PARAMS + data.AUDIO_PARAMS
    ):
        assert param.help, param.name
        assert param.check(param.default) is None, param.name
    assert data.data_problems(data.default_data()) == []
    with pytest.raises(KeyError, match="unknown data source 'mp3s'"):
        data.data_source("mp3s")


def test_piano_roll_defaults_live_in_the_catalog_only():
    from core.catalog import data
    from core.data.representation import DEFAULT_REPRESENTATION
    from core.project import Project

    declared = catalog.defaults_of(data.REPRESENTATION_PARAMS)
    assert declared["steps_per_quarter"] == 4 and declared["pitch_count"] == 48
    assert Project().data["representation"] == declared == DEFAULT_REPRESENTATION
    assert list(Project().data) == ["source", "path", "limit", "representation", "split"]
    assert dict(data.PIANO_ROLL_DEFAULTS) == declared


def test_piano_roll_type_takes_its_default_grid_from_the_catalog():
    import inspect

    from core.catalog.data import PIANO_ROLL_DEFAULTS
    from core.music import pianoroll

    roll = pianoroll.PianoRoll(np.zeros((4, PIANO_ROLL_DEFAULTS["pitch_count"])))
    assert roll.steps_per_quarter == PIANO_ROLL_DEFAULTS["steps_per_quarter"]
    assert roll.lowest_pitch == PIANO_ROLL_DEFAULTS["lowest_pitch"]
    for reader in (pianoroll.read_midi, pianoroll.from_pretty_midi, pianoroll.roll_from_notes):
        given = inspect.signature(reader).parameters
        for name in ("steps_per_quarter", "lowest_pitch", "pitch_count"):
            assert given[name].default == PIANO_ROLL_DEFAULTS[name], (reader.__name__, name)


def test_new_param_kinds_check_intervals_text_and_unset_values():
    from core.catalog import data

    index = {p.name: p for p in data.DATA_PARAMS + data.REPRESENTATION_PARAMS}
    transpose = index["transpose"]
    assert transpose.check([-3, 2]) is None
    assert "low ≤ high" in transpose.check([2, -3])
    assert transpose.check([0, True]) is not None and transpose.check([1]) is not None
    assert index["path"].check("songs/") is None and index["path"].check(None) is None
    assert "text" in index["path"].check(3)
    assert index["limit"].check(None) is None and "at least 1" in index["limit"].check(0)
    assert index["steps_per_quarter"].check(None) is not None
