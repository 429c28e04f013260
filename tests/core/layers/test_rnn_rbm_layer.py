"""The RNN-RBM layer: its config round-trips, a saved model loads with the same outputs, and
each step's biases and output read only the frames before it."""

import numpy as np
import pytest

from core.keras_env import load_keras

keras = load_keras()
from core.layers import RNNRBM  # noqa: E402


def _model(keys=6, steps=5):
    inputs = keras.Input((None, keys))
    layer = RNNRBM(7, 4, mean_field_steps=3, name="rnn_rbm")
    model = keras.Model(inputs, layer(inputs))
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.weights])
    frames = (rng.random((3, steps, keys)) < 0.4).astype("float32")
    return model, layer, frames


def test_config_round_trip():
    layer = RNNRBM(12, 5, mean_field_steps=2, name="r")
    config = layer.get_config()
    assert config["hidden_units"] == 12 and config["recurrent_units"] == 5
    assert RNNRBM.from_config(config).get_config() == config


@pytest.mark.parametrize(
    "bad", [lambda: RNNRBM(0, 4), lambda: RNNRBM(4, -1), lambda: RNNRBM(4, 4, mean_field_steps=0)]
)
def test_bad_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_a_saved_model_loads_with_the_same_outputs(tmp_path):
    model, _, frames = _model()
    path = tmp_path / "rnn_rbm.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.get_layer("rnn_rbm")).__name__ == "RNNRBM"
    np.testing.assert_allclose(loaded(frames), model(frames), atol=1e-6)


def test_steps_read_only_the_past():
    model, layer, frames = _model()
    changed = frames.copy()
    changed[:, 3:] = 1 - changed[:, 3:]
    visible, hidden = (np.asarray(b) for b in layer.conditional_biases(frames))
    visible2, hidden2 = (np.asarray(b) for b in layer.conditional_biases(changed))
    # the biases of frames 0..3 depend on frames 0..2 only; frame 4's on frame 3 as well
    np.testing.assert_allclose(visible[:, :4], visible2[:, :4], atol=1e-6)
    np.testing.assert_allclose(hidden[:, :4], hidden2[:, :4], atol=1e-6)
    assert not np.allclose(visible[:, 4], visible2[:, 4])
    out, out2 = np.asarray(model(frames)), np.asarray(model(changed))
    # output t predicts frame t + 1 from frames 0..t
    np.testing.assert_allclose(out[:, :3], out2[:, :3], atol=1e-6)
    assert not np.allclose(out[:, 3], out2[:, 3])
    assert out.shape == frames.shape and (out > 0).all() and (out < 1).all()


def test_the_first_step_takes_the_initial_state():
    _, layer, frames = _model()
    visible, _ = layer.conditional_biases(frames)
    first = (
        layer.visible_bias.numpy() + layer.initial_state.numpy() @ layer.state_to_visible.numpy()
    )
    np.testing.assert_allclose(np.asarray(visible)[:, 0], np.broadcast_to(first, (3, 6)), atol=1e-5)
