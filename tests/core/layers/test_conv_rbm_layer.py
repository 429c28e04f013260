"""The convolutional RBM layer: its config round-trips, a saved model loads with the same
outputs, the shapes agree with the catalog, each pooling block's probabilities sum to at most
one, the down-pass is the up-pass's transpose, and the free energy is the one the pooling
constraint defines (checked by enumerating every hidden state of a small model)."""

import itertools

import numpy as np
import pytest

from core import catalog
from core.keras_env import load_keras

keras = load_keras()
from core.layers import ConvRBM  # noqa: E402

SHAPE = (11, 9, 2)  # time, frequency, channels


def _layer(visible="gaussian", pool=(2, 3), shape=SHAPE, seed=0):
    layer = ConvRBM(4, 3, 2, *pool, visible=visible, name="crbm")
    layer.build((None, *shape))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(0, 0.7, w.shape).astype("float32") for w in layer.weights])
    return layer


def _spectra(n=3, shape=SHAPE, seed=1):
    return np.random.default_rng(seed).normal(size=(n, *shape)).astype("float32")


def test_config_round_trip():
    layer = ConvRBM(8, 5, 7, pool_time=3, pool_frequency=1, visible="bernoulli", name="c")
    config = layer.get_config()
    assert {k: config[k] for k in ("filters", "kernel_time", "kernel_frequency")} == {
        "filters": 8,
        "kernel_time": 5,
        "kernel_frequency": 7,
    }
    assert (config["pool_time"], config["pool_frequency"], config["visible"]) == (3, 1, "bernoulli")
    assert ConvRBM.from_config(config).get_config() == config


@pytest.mark.parametrize(
    "bad",
    [
        lambda: ConvRBM(0, 3, 3),
        lambda: ConvRBM(4, 0, 3),
        lambda: ConvRBM(4, 3, 3, pool_time=0),
        lambda: ConvRBM(4, 3, 3, pool_frequency=True),
        lambda: ConvRBM(4, 3, 3, visible="binary"),
    ],
)
def test_bad_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_shapes_agree_with_the_catalog():
    layer = _layer()
    x = _spectra()
    params = {**catalog.get("ConvRBM").defaults(), "filters": 4, "kernel_time": 3}
    params.update(kernel_frequency=2, pool_time=2, pool_frequency=3)
    expected = catalog.get("ConvRBM").infer(params, [SHAPE])
    assert expected == (4, 2, 4)  # hidden maps 9 × 8, cut to whole blocks: 8 × 6
    assert tuple(layer(x).shape) == (3, *expected)
    assert tuple(layer.compute_output_shape((None, *SHAPE))) == (None, *expected)
    assert tuple(layer.hidden_probabilities(x).shape) == (3, 8, 6, 4)
    assert tuple(layer.visible_mean(layer.hidden_probabilities(x)).shape) == (3, *SHAPE)
    count = catalog.get("ConvRBM").count(params, [SHAPE])
    assert count == sum(int(np.prod(w.shape)) for w in layer.weights) == 3 * 2 * 2 * 4 + 4 + 2


def test_pooling_probabilities_sum_to_at_most_one_per_block():
    layer = _layer()
    x = 3 * _spectra()  # large inputs: some blocks nearly always on
    hidden, off = (np.asarray(a) for a in layer.block_probabilities(x))
    blocks = hidden.reshape(3, 4, 2, 2, 3, 4).sum(axis=(2, 4))  # (batch, t', f', filters)
    assert (blocks <= 1 + 1e-6).all() and (hidden >= 0).all()
    np.testing.assert_allclose(blocks + off, 1.0, atol=1e-5)
    np.testing.assert_allclose(np.asarray(layer(x)), blocks, atol=1e-5)
    assert blocks.max() > 0.99 and np.isfinite(hidden).all()


def test_the_down_pass_is_the_transpose_of_the_up_pass():
    layer = _layer()
    v = _spectra(2)
    h = np.random.default_rng(2).random((2, 8, 6, 4)).astype("float32")
    up = np.asarray(layer.hidden_input(v)) - layer.hidden_bias.numpy()
    down = np.asarray(layer.visible_mean(h)) - layer.visible_bias.numpy()
    np.testing.assert_allclose((up * h).sum(), (v * down).sum(), rtol=1e-4)


@pytest.mark.parametrize("visible", ["gaussian", "bernoulli"])
def test_free_energy_matches_enumerating_the_hidden_states(visible):
    """One filter, hidden map 2 × 2 in blocks of 2 × 1: each block off or one of two units
    on, so 3 × 3 states; F(v) = -log Σ_h exp(-E(v, h))."""
    layer = ConvRBM(1, 2, 2, pool_time=2, pool_frequency=1, visible=visible)
    layer.build((None, 3, 3, 1))
    rng = np.random.default_rng(3)
    layer.set_weights([rng.normal(0, 0.8, w.shape).astype("float32") for w in layer.weights])
    v = rng.random((2, 3, 3, 1)).astype("float32")
    inputs = np.asarray(layer.hidden_input(v))[..., 0]  # (2, t 2, f 2)
    c = float(layer.visible_bias.numpy()[0])
    for i in range(2):
        total = 0.0
        for on in itertools.product((None, 0, 1), repeat=2):  # per frequency column's block
            total += np.exp(sum(inputs[i, t, f] for f, t in enumerate(on) if t is not None))
        visible_term = -c * v[i].sum() if visible == "bernoulli" else 0.5 * ((v[i] - c) ** 2).sum()
        expected = visible_term - np.log(total)
        assert float(layer.free_energy(v)[i]) == pytest.approx(expected, rel=1e-4, abs=1e-4)


def test_a_saved_model_loads_with_the_same_outputs(tmp_path):
    inputs = keras.Input(SHAPE)
    first = ConvRBM(4, 3, 2, 2, 3, name="crbm")
    model = keras.Model(inputs, keras.layers.Flatten()(first(inputs)))
    model.set_weights(_layer().get_weights())
    x = _spectra()
    path = tmp_path / "crbm.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.get_layer("crbm")).__name__ == "ConvRBM"
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)
