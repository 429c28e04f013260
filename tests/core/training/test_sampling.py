"""Binary units drawn from their probabilities: 16 bits a unit in compiled batches."""

import numpy as np
import pytest

from core.keras_env import load_keras
from core.training.sampling import bernoulli


@pytest.fixture(scope="module")
def tf():
    load_keras()
    import tensorflow as tf

    return tf


@pytest.mark.parametrize("columns", [500, 7])  # an odd count draws one half-word too many
def test_units_are_on_as_often_as_their_probability(tf, columns):
    rng = tf.random.Generator.from_seed(3)
    probabilities = np.linspace(0.0, 1.0, columns, dtype=np.float32)
    p = tf.constant(np.tile(probabilities, (4000, 1)))
    draws = np.stack([bernoulli(tf, rng, p).numpy() for _ in range(5)])
    assert set(np.unique(draws)) <= {0.0, 1.0}
    frequency = draws.mean(axis=(0, 1))
    # 20,000 draws a unit: 4.5 standard deviations of the worst case (p = 0.5) is 0.016
    np.testing.assert_allclose(frequency, probabilities, atol=0.016)
    assert frequency[0] == 0.0 and frequency[-1] == 1.0  # certain units are exact


def test_compiled_draws_are_static_and_differ_between_batches(tf):
    rng = tf.random.Generator.from_seed(5)

    @tf.function(autograph=False)
    def two_draws(p):
        return bernoulli(tf, rng, p), bernoulli(tf, rng, p)

    first, second = two_draws(tf.fill([100, 500], 0.5))
    assert first.shape == (100, 500)
    assert 0.45 < float(tf.reduce_mean(first)) < 0.55
    assert float(tf.reduce_mean(tf.abs(first - second))) > 0.4  # independent halves of words


def test_a_batch_of_unknown_size_draws_float_numbers(tf):
    rng = tf.random.Generator.from_seed(7)

    @tf.function(autograph=False, input_signature=[tf.TensorSpec([None, 64], tf.float32)])
    def draw(p):
        return bernoulli(tf, rng, p)

    units = draw(tf.fill([300, 64], 0.25)).numpy()
    assert units.shape == (300, 64)
    assert 0.22 < units.mean() < 0.28
