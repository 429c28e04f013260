"""The RBM trainer's fused update and shared-matmul validation against their definitions."""

from __future__ import annotations

import numpy as np

from core.keras_env import load_keras


def test_momentum_update_is_the_classical_momentum_step():
    load_keras()
    import tensorflow as tf

    from core.training.rbm import momentum_update

    rng = np.random.default_rng(0)
    w0, v0, g = (rng.normal(size=(7, 5)).astype(np.float32) for _ in range(3))
    param, velocity = tf.Variable(w0), tf.Variable(v0)
    momentum_update(tf, param, velocity, tf.constant(-g), 0.1 / 20, 0.9)
    # velocity = momentum·velocity + lr·(mean gradient); param += velocity
    expected_velocity = 0.9 * v0 + 0.1 * g / 20
    np.testing.assert_allclose(velocity.numpy(), expected_velocity, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(param.numpy(), w0 + expected_velocity, rtol=1e-6, atol=1e-7)


def _trainer(x, weight_scale=0.1, **settings):
    load_keras()
    import tensorflow as tf

    from core.layers import RBM
    from core.training.rbm import RBMTrainer
    from core.training.trainer import PhaseData

    rng = np.random.default_rng(1)
    layer = RBM(40)
    layer.build((None, x.shape[1]))
    layer.kernel.assign(rng.normal(0, weight_scale, (x.shape[1], 40)).astype(np.float32))
    layer.visible_bias.assign(rng.normal(0, 0.5, x.shape[1]).astype(np.float32))
    layer.hidden_bias.assign(rng.normal(0, 0.5, 40).astype(np.float32))
    settings = {"batch_size": 10, "learning_rate": 0.1, **settings}
    data = PhaseData(x, x, settings, seed=0, interrupt=tf.Variable(False), shuffle_seed=0)
    return layer, RBMTrainer(layer, data)


def test_validation_matches_the_free_energy_definition():
    rng = np.random.default_rng(2)
    x = (rng.random((300, 64)) < 0.2).astype(np.float32)
    layer, trainer = _trainer(x)
    trainer.begin_epoch(4)
    metrics = trainer.validation_metrics()
    # the pseudo-log-likelihood from two free energies, as scikit-learn's score_samples
    cols = np.random.default_rng(4).integers(0, 64, len(x))
    flipped = x.copy()
    flipped[np.arange(len(x)), cols] = 1 - flipped[np.arange(len(x)), cols]
    diff = layer.free_energy(flipped).numpy() - layer.free_energy(x).numpy()
    expected = 64 * np.mean(-np.logaddexp(0, -diff))
    assert abs(metrics["pseudo_log_likelihood"] - expected) < 1e-4 * abs(expected)
    recon = trainer.reconstruct(x)
    assert abs(metrics["val_reconstruction_error"] - np.mean((x - recon) ** 2)) < 1e-6
    # data in (0, 1) is binarised for the likelihood: the same figure as its binary form
    soft = x * 0.8 + 0.1
    assert abs(trainer.pseudo_log_likelihood(soft) - expected) < 1e-4 * abs(expected)


def test_an_epochs_error_is_the_same_however_its_batches_are_cut_into_calls():
    rng = np.random.default_rng(5)
    x = (rng.random((300, 64)) < 0.2).astype(np.float32)
    figures = []
    for cuts in ([30], [1, 2, 27], [7, 7, 7, 9]):  # 30 batches of 10 in each epoch
        layer, trainer = _trainer(x)
        trainer.begin_epoch(0)
        start, means = 0, []
        for count in cuts:
            done, metrics = trainer.run(0, start, count)
            start += done
            means.append(metrics["reconstruction_error"])
        assert start == trainer.steps_per_epoch == 30
        epoch = trainer.train_metrics()["reconstruction_error"]
        # each call's own mean is the mean of its batches
        weighted = sum(m * c for m, c in zip(means, cuts, strict=True)) / 30
        assert abs(weighted - epoch) < 1e-9
        figures.append((epoch, layer.kernel.numpy()))
    first_error, first_kernel = figures[0]
    for error, kernel in figures[1:]:
        assert error == first_error  # bit for bit: the sum runs batch after batch in float64
        np.testing.assert_array_equal(kernel, first_kernel)


def test_a_phase_without_momentum_steps_the_weights_as_with_momentum_zero():
    rng = np.random.default_rng(6)
    x = (rng.random((300, 64)) < 0.2).astype(np.float32)
    plain_layer, plain = _trainer(x)  # no momentum at all: the velocities are never touched
    zero_layer, zero_now = _trainer(x, momentum=0.0, final_momentum=0.5)  # 0 for 5 epochs
    for trainer in (plain, zero_now):
        trainer.begin_epoch(0)
        trainer.run(0, 0, 30)
    np.testing.assert_allclose(plain_layer.kernel.numpy(), zero_layer.kernel.numpy(), atol=1e-6)
    assert not np.any(plain.vW.numpy()) and np.any(zero_now.vW.numpy())
