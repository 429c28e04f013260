"""The AutoregressiveKeys layer: its likelihood is a true joint distribution over a step's keys
(summed over every configuration it gives 1), each key reads only the keys below it, its
mean-field output is exact for the lowest key, the sampler draws from the same distribution,
and the layer saves, loads and round-trips its config."""

import itertools

import numpy as np
import pytest

from core.keras_env import load_keras

keras = load_keras()
from core.layers import AutoregressiveKeys  # noqa: E402
from core.music.generation.joint_keys import JointKeysSampler  # noqa: E402

KEYS, FEATURES = 5, 4


def _layer(hidden_units, seed=0):
    layer = AutoregressiveKeys(KEYS, hidden_units=hidden_units, name="joint")
    layer.build((None, FEATURES))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 1.0, w.shape).astype("float32") for w in layer.weights])
    return layer


def _every_frame(keys=KEYS):
    return np.array(list(itertools.product((0.0, 1.0), repeat=keys)), np.float32)


@pytest.mark.parametrize("hidden_units", [0, 3])
def test_the_likelihood_sums_to_one_over_every_configuration(hidden_units):
    layer = _layer(hidden_units)
    features = np.random.default_rng(1).normal(size=(3, FEATURES)).astype("float32")
    frames = _every_frame()
    for h in features:
        repeated = np.repeat(h[None], len(frames), axis=0)
        log_p = np.asarray(layer.log_likelihood(repeated, frames), np.float64)
        assert np.exp(log_p).sum() == pytest.approx(1.0, abs=1e-5)
        assert np.all(log_p < 0)


@pytest.mark.parametrize("hidden_units", [0, 3])
def test_each_key_reads_only_the_keys_below_it(hidden_units):
    layer = _layer(hidden_units)
    rng = np.random.default_rng(2)
    features = rng.normal(size=(6, FEATURES)).astype("float32")
    frames = (rng.random((6, KEYS)) < 0.5).astype("float32")
    logits = np.asarray(layer.conditional_logits(features, frames))
    for key in range(KEYS):
        changed = frames.copy()
        changed[:, key:] = 1 - changed[:, key:]  # the key itself and every key above it
        again = np.asarray(layer.conditional_logits(features, changed))
        np.testing.assert_allclose(logits[:, : key + 1], again[:, : key + 1], atol=1e-5)
    # and a key below does change the keys above it
    changed = frames.copy()
    changed[:, 0] = 1 - changed[:, 0]
    assert not np.allclose(
        logits[:, 1:], np.asarray(layer.conditional_logits(features, changed))[:, 1:]
    )


@pytest.mark.parametrize("hidden_units", [0, 3])
def test_the_mean_field_output_follows_the_keys_below(hidden_units):
    layer = _layer(hidden_units)
    features = np.random.default_rng(3).normal(size=(4, FEATURES)).astype("float32")
    out = np.asarray(layer(features))
    assert out.shape == (4, KEYS) and np.all((out > 0) & (out < 1))
    # the lowest key's probability is exact; each key's is its conditional given the
    # mean-field values below it
    direct = 1 / (1 + np.exp(-np.asarray(layer.conditional_logits(features, out))))
    np.testing.assert_allclose(out, direct, atol=1e-5)
    silent = np.zeros((4, KEYS), "float32")
    lowest = 1 / (1 + np.exp(-np.asarray(layer.conditional_logits(features, silent))[:, 0]))
    np.testing.assert_allclose(out[:, 0], lowest, atol=1e-6)


@pytest.mark.parametrize("hidden_units", [0, 3])
def test_the_sampler_draws_from_the_layers_distribution(hidden_units):
    layer = _layer(hidden_units, seed=4)
    h = np.random.default_rng(5).normal(size=(1, FEATURES)).astype("float32")
    frames = _every_frame()
    exact = np.exp(np.asarray(layer.log_likelihood(np.repeat(h, len(frames), 0), frames)))
    draws = JointKeysSampler(layer).sample(
        np.repeat(h, 20_000, axis=0), 1.0, np.random.default_rng(6)
    )
    index = (draws @ (2 ** np.arange(KEYS)[::-1])).astype(int)
    seen = np.bincount(index, minlength=len(frames)) / len(draws)
    assert np.abs(seen - exact).max() < 0.015
    # at temperature 0 each key is on when its conditional passes 0.5 (a greedy decode)
    greedy = JointKeysSampler(layer).sample(h, 0.0, np.random.default_rng(0))
    logits = np.asarray(layer.conditional_logits(h, greedy))
    np.testing.assert_array_equal(greedy[0], (logits[0] > 0).astype("float32"))


def test_config_round_trip_and_shape():
    layer = AutoregressiveKeys(12, hidden_units=5, name="j")
    config = layer.get_config()
    assert config["keys"] == 12 and config["hidden_units"] == 5
    assert AutoregressiveKeys.from_config(config).get_config() == config
    assert layer.compute_output_shape((None, 7, 30)) == (None, 7, 12)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: AutoregressiveKeys(0),
        lambda: AutoregressiveKeys(4, hidden_units=-1),
        lambda: AutoregressiveKeys(True),
        lambda: AutoregressiveKeys(4, hidden_units=2.5),
    ],
)
def test_bad_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_a_saved_sequence_model_loads_with_the_same_outputs(tmp_path):
    inputs = keras.Input((None, KEYS))
    hidden = keras.layers.LSTM(6, return_sequences=True)(inputs)
    model = keras.Model(inputs, AutoregressiveKeys(KEYS, hidden_units=2, name="joint")(hidden))
    rng = np.random.default_rng(7)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.weights])
    frames = (rng.random((2, 5, KEYS)) < 0.4).astype("float32")
    path = tmp_path / "joint.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.get_layer("joint")).__name__ == "AutoregressiveKeys"
    np.testing.assert_allclose(loaded(frames), model(frames), atol=1e-6)
