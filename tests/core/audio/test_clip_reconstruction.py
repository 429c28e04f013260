"""A clip through a model and back: overlapping windows laid back into frames, a DBN's
up-down pass and an autoencoder's output as the reconstruction, a classifier refused."""

import numpy as np
import pytest

from core.audio.audition import clip_names, clip_windows, file_windows, overlap_average
from core.audio.frames import frame_windows
from core.audio.representation import SpectralFrames
from core.data.dataset import Dataset
from core.errors import DataError


def test_overlapping_windows_lay_back_into_the_frames_they_were_cut_from():
    rep = SpectralFrames(frames_per_window=6, window_hop=2, kind="mel", n_mels=8)
    frames = np.random.default_rng(0).random((20, 8)).astype(np.float32)
    windows = frame_windows(frames, rep)
    back = overlap_average(windows, rep.window_hop)
    assert np.allclose(back, frames[: len(back)], atol=1e-6)
    assert len(back) == (len(windows) - 1) * 2 + 6


def _dataset(rep: SpectralFrames) -> Dataset:
    rng = np.random.default_rng(1)
    x = {
        k: rng.random((n, *rep.sample_shape)).astype(np.float32)
        for k, n in (("train", 5), ("validation", 0), ("test", 7))
    }
    metadata = {
        "audio": rep.settings(),
        "classes": ["a", "b"],
        "files": {
            "train": ["a/1.wav", "b/1.wav"],
            "validation": [],
            "test": ["a/2.wav", "b/2.wav"],
        },
        "windows_per_file": {"train": [2, 3], "validation": [], "test": [3, 4]},
    }
    return Dataset(
        "t",
        "audio",
        x["train"],
        x["validation"],
        x["test"],
        None,
        None,
        None,
        rep.sample_shape,
        2,
        metadata,
    )


def test_a_files_windows_are_found_and_cut_to_the_clip_length():
    rep = SpectralFrames(
        sample_rate=8000,
        hop_length=400,
        frames_per_window=4,
        window_hop=2,
        n_fft=512,
        kind="mel",
        n_mels=16,
    )
    data = _dataset(rep)
    assert clip_names(data) == [
        ("test", "a/2.wav"),
        ("test", "b/2.wav"),
        ("train", "a/1.wav"),
        ("train", "b/1.wav"),
    ]
    assert np.array_equal(file_windows(data, "test", "b/2.wav"), data.x_test[3:7])
    # 0.05 s a frame: 0.3 s holds 6 frames, the first window and one more two frames on
    assert len(clip_windows(data, "test", "b/2.wav", max_seconds=0.3)) == 2
    assert len(clip_windows(data, "test", "b/2.wav", max_seconds=0.01)) == 1
    with pytest.raises(DataError):
        file_windows(data, "test", "c/9.wav")


def _rbm_model():
    import keras

    from core.layers.rbm import RBM

    model = keras.Sequential(
        [
            keras.Input((4, 3)),
            keras.layers.Flatten(),
            RBM(5, visible="gaussian", name="rbm1"),
            RBM(3, name="rbm2"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    rng = np.random.default_rng(2)
    for layer in model.layers:
        layer.set_weights(
            [rng.normal(size=w.shape).astype(np.float32) for w in layer.get_weights()]
        )
    return model


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_a_dbn_gives_back_its_up_down_pass():
    from core.audio.reconstruction import reconstructor

    model = _rbm_model()
    x = np.random.default_rng(3).normal(size=(2, 4, 3)).astype(np.float32)
    reconstruct, how = reconstructor(model)
    (w1, c1, b1), (w2, c2, b2) = (model.get_layer(n).get_weights() for n in ("rbm1", "rbm2"))
    h1 = _sigmoid(x.reshape(2, 12) @ w1 + c1)
    h2 = _sigmoid(h1 @ w2 + c2)
    v1 = _sigmoid(h2 @ w2.T + b2)
    v0 = v1 @ w1.T + b1  # Gaussian visible units: the mean itself
    assert np.allclose(reconstruct(x), v0.reshape(2, 4, 3), atol=1e-5)
    assert how == "up and down through rbm1, rbm2"


def test_an_autoencoder_gives_back_its_output_and_a_classifier_cannot():
    import keras

    from core.audio.reconstruction import reconstructor

    auto = keras.Sequential(
        [
            keras.Input((4, 3)),
            keras.layers.Flatten(),
            keras.layers.Dense(6),
            keras.layers.Dense(12),
            keras.layers.Reshape((4, 3)),
        ]
    )
    x = np.ones((1, 4, 3), np.float32)
    reconstruct, how = reconstructor(auto)
    assert np.allclose(reconstruct(x), auto.predict(x, verbose=0)) and how == "the network's output"
    plain = keras.Sequential([keras.Input((4, 3)), keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(DataError, match="cannot give its input back"):
        reconstructor(plain)


def test_a_convolutional_dbn_goes_up_and_down_its_first_convolutional_rbm():
    import keras

    from core.audio.reconstruction import reconstructor
    from core.layers.conv_rbm import ConvRBM

    conv = ConvRBM(3, 3, 3, name="crbm1")
    model = keras.Sequential(
        [
            keras.Input((8, 6)),
            keras.layers.Reshape((8, 6, 1)),
            conv,
            ConvRBM(2, 2, 2, name="crbm2", visible="bernoulli"),
            keras.layers.Flatten(),
            keras.layers.Dense(2),
        ]
    )
    x = np.random.default_rng(4).normal(size=(2, 8, 6)).astype(np.float32)
    reconstruct, how = reconstructor(model)
    expected = conv.visible_mean(conv.hidden_probabilities(x.reshape(2, 8, 6, 1)))
    assert np.allclose(reconstruct(x), np.asarray(expected).reshape(2, 8, 6), atol=1e-5)
    assert how == "up and down through crbm1"
