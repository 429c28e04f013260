"""Greedy pretraining of single blocks: RBM (CD-k, PCD, Gaussian) and autoencoders."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from core.keras_env import load_keras


def _flat(ds):
    return (ds.x_train.reshape(len(ds.x_train), -1), ds.x_val.reshape(len(ds.x_val), -1))


def _rbm_trainer(x, xv, units=32, visible="bernoulli", **settings):
    load_keras()
    import tensorflow as tf

    from core.layers import RBM
    from core.training.rbm import RBMTrainer
    from core.training.trainer import PhaseData

    # Initial weights from a fixed seed, not from whatever earlier tests left in the state.
    load_keras().utils.set_random_seed(0)
    layer = RBM(units, visible=visible)
    layer.build((None, x.shape[1]))
    base = {
        "batch_size": 20,
        "learning_rate": 0.1,
        "cd_k": 1,
        "persistent": False,
        "momentum": 0.5,
        "final_momentum": 0.9,
        "weight_decay": 1e-4,
    }
    base.update(settings)
    flag = tf.Variable(False)
    return RBMTrainer(layer, PhaseData(x, xv, base, seed=0, interrupt=flag, shuffle_seed=0)), flag


def _epochs(trainer, n):
    errors = []
    for epoch in range(n):
        trainer.reset_accumulators()
        trainer.begin_epoch(epoch)
        trainer.run(epoch, 0, trainer.steps_per_epoch)
        errors.append(trainer.validation_metrics())
    return errors


@pytest.mark.parametrize(
    "settings", [{"cd_k": 1}, {"cd_k": 3}, {"persistent": True}], ids=["cd1", "cd3", "pcd"]
)
def test_rbm_lowers_reconstruction_error(digits, settings):
    x, xv = _flat(digits)
    trainer, _ = _rbm_trainer(x, xv, **settings)
    before = float(np.mean((xv - trainer.reconstruct(xv)) ** 2))
    metrics = _epochs(trainer, 6)
    after = metrics[-1]["val_reconstruction_error"]
    assert after < 0.8 * before
    assert np.isfinite(metrics[-1]["pseudo_log_likelihood"])


def test_rbm_sparsity_target_pulls_mean_activation(digits):
    x, xv = _flat(digits)
    trainer, _ = _rbm_trainer(x, xv, sparsity_target=0.05, sparsity_cost=5.0)
    _epochs(trainer, 5)
    assert float(trainer.hidden(xv).mean()) < 0.3


def test_gaussian_visible_rbm_runs_and_learns(digits):
    x, xv = _flat(digits)
    mean, std = x.mean(0), x.std(0) + 1e-3
    z, zv = (x - mean) / std, (xv - mean) / std
    trainer, _ = _rbm_trainer(z, zv, visible="gaussian", learning_rate=0.005)
    before = float(np.mean((zv - trainer.reconstruct(zv)) ** 2))
    metrics = _epochs(trainer, 4)
    assert np.isfinite(metrics[-1]["val_reconstruction_error"])
    assert metrics[-1]["val_reconstruction_error"] < before
    assert "pseudo_log_likelihood" not in metrics[-1]


def test_rbm_compiled_chunk_stops_within_one_batch():
    """A whole epoch runs in one tf.function call; flipping the flag ends it after the batch
    in flight."""
    rng = np.random.default_rng(0)
    x = (rng.random((20000, 784)) < 0.3).astype(np.float32)  # ~1 ms a batch: ~2 s an epoch
    trainer, flag = _rbm_trainer(x, x[:100], units=500, batch_size=10)
    trainer.begin_epoch(0)
    trainer.run(0, 0, 2)  # trace first
    steps = trainer.steps_per_epoch
    timer = threading.Timer(0.2, lambda: flag.assign(True))
    timer.start()
    t = time.perf_counter()
    done, _ = trainer.run(0, 2, steps - 2)
    timer.join()
    assert 1 <= done < steps - 2
    assert time.perf_counter() - t < 3.0  # ended soon after the flag, not at the epoch end
    flag.assign(False)
    done2, _ = trainer.run(0, 2 + done, 3)
    assert done2 == 3


def _ae_trainer(x, xv, **params):
    load_keras()
    import tensorflow as tf

    from core.layers import Autoencoder
    from core.training.autoencoder import AutoencoderTrainer
    from core.training.trainer import PhaseData

    layer = Autoencoder(24, **params)
    layer.build((None, x.shape[1]))
    settings = {"batch_size": 20, "learning_rate": 0.01, "optimizer": "adam"}
    data = PhaseData(x, xv, settings, seed=0, interrupt=tf.Variable(False), shuffle_seed=0)
    return AutoencoderTrainer(layer, data)


@pytest.mark.parametrize(
    "params",
    [
        {"tied": True},
        {"tied": False},
        {"sparsity_weight": 0.5, "sparsity_target": 0.05},
        {"corruption": "masking", "corruption_level": 0.3},
        {"corruption": "gaussian", "corruption_level": 0.2},
    ],
    ids=["tied", "untied", "sparse", "masking", "gaussian"],
)
def test_autoencoder_pretraining_lowers_error(digits, params):
    x, xv = _flat(digits)
    trainer = _ae_trainer(x, xv, **params)
    before = float(np.mean((xv - trainer.reconstruct(xv)) ** 2))
    metrics = _epochs(trainer, 5)
    assert metrics[-1]["val_reconstruction_error"] < 0.8 * before
    if params.get("sparsity_weight"):
        assert float(trainer.hidden(xv).mean()) < 0.35


def test_denoising_corrupts_only_while_training(digits):
    x, xv = _flat(digits)
    trainer = _ae_trainer(x, xv, corruption="masking", corruption_level=0.5)
    layer = trainer.layer
    corrupted = np.asarray(layer.corrupt(xv))
    assert np.mean(corrupted == 0) > np.mean(xv == 0) + 0.2
    assert np.allclose(np.asarray(layer(xv)), np.asarray(layer.encode(xv)))
