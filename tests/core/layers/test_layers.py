"""Layerwise's Keras layers: arguments checked, configs round-trip, models save and load."""

import numpy as np
import pytest

from core.keras_env import load_keras

keras = load_keras()
from core.layers import RBM, Autoencoder, Maxout, VAESampling  # noqa: E402

LAYERS = [
    RBM(12, visible="gaussian", name="rbm"),
    Autoencoder(
        5,
        activation="relu",
        decoder_activation="linear",
        tied=False,
        sparsity_target=0.1,
        sparsity_weight=0.5,
        corruption="gaussian",
        corruption_level=0.2,
        seed=3,
        name="ae",
    ),
    VAESampling(4, beta=0.5, seed=1, name="vae"),
    Maxout(6, pieces=3, name="maxout"),
]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: type(layer).__name__)
def test_config_round_trip(layer):
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config


@pytest.mark.parametrize(
    "bad",
    [
        lambda: RBM(0),
        lambda: RBM(4, visible="binary"),
        lambda: Autoencoder(4, corruption="x"),
        lambda: Autoencoder(4, sparsity_target=1.5),
        lambda: VAESampling(0),
        lambda: Maxout(3, 1),
    ],
)
def test_bad_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_model_with_every_custom_layer_saves_and_loads(tmp_path):
    inputs = keras.Input((10,))
    x = RBM(12, name="rbm")(inputs)
    x = Autoencoder(8, tied=False, name="ae")(x)
    x = Maxout(6, name="maxout")(x)
    x = VAESampling(4, name="vae")(x)
    model = keras.Model(inputs, x)
    data = np.random.default_rng(0).random((3, 10)).astype("float32")
    before = model.predict(data, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), before, rtol=1e-6)


def test_rbm_maths():
    rbm = RBM(3)
    v = np.array([[1.0, 0.0, 1.0, 1.0]], dtype="float32")
    h = rbm(v)
    w = rbm.kernel.numpy()
    expected = 1 / (1 + np.exp(-(v @ w)))
    np.testing.assert_allclose(h, expected, rtol=1e-5)
    mean = keras.ops.convert_to_numpy(rbm.visible_mean(h))
    np.testing.assert_allclose(mean, 1 / (1 + np.exp(-(expected @ w.T))), rtol=1e-5)
    fe = keras.ops.convert_to_numpy(rbm.free_energy(v))
    np.testing.assert_allclose(fe, -np.log1p(np.exp(v @ w)).sum(axis=1), rtol=1e-5)


def test_autoencoder_tied_decoder_uses_transpose_and_masks():
    ae = Autoencoder(3, corruption="masking", corruption_level=0.5, seed=0)
    x = np.ones((200, 6), dtype="float32")
    ae(x)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(ae.decoder_weights()), ae.kernel.numpy().T
    )
    kept = keras.ops.convert_to_numpy(ae.corrupt(x)).mean()
    assert 0.4 < kept < 0.6
    assert float(ae.sparsity_penalty(ae.encode(x))) == 0.0


def test_vae_adds_kl_and_samples_only_when_training():
    vae = VAESampling(2, seed=0)
    x = np.random.default_rng(1).random((5, 4)).astype("float32")
    vae(x)  # builds the weights
    mean, _ = vae.distribution(x)
    np.testing.assert_allclose(vae(x, training=False), mean, rtol=1e-6)
    assert not np.allclose(vae(x, training=True), mean)
    assert len(vae.losses) >= 1 and float(vae.losses[-1]) >= 0


def test_maxout_takes_largest_piece():
    layer = Maxout(2, pieces=2)
    x = np.random.default_rng(2).random((4, 3)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(x))
    linear = x @ layer.kernel.numpy() + layer.bias.numpy()
    np.testing.assert_allclose(out, linear.reshape(4, 2, 2).max(-1), rtol=1e-5)
