"""Annealed importance sampling finds a small RBM's exact log partition function."""

import itertools

import numpy as np

from core.evaluate.ais import frame_log_likelihood, log_partition


def _exact_log_z(w, bv, bh):
    states = np.array(list(itertools.product([0, 1], repeat=len(bv))), float)
    log_f = states @ bv + np.logaddexp(0, states @ w + bh).sum(-1)
    return np.logaddexp.reduce(log_f), states, log_f


def test_ais_matches_the_exact_partition_function():
    rng = np.random.default_rng(1)
    w = rng.normal(0, 1.0, (8, 5))
    bv, bh = rng.normal(0, 1, (3, 8)), rng.normal(0, 1, (3, 5))
    estimate = log_partition(w, bv, bh, np.random.default_rng(0), chains=64, betas=400)
    exact = np.array([_exact_log_z(w, bv[i], bh[i])[0] for i in range(3)])
    np.testing.assert_allclose(estimate, exact, atol=0.05)
    # and the frames' probabilities then sum to one
    log_z, states, _ = _exact_log_z(w, bv[0], bh[0])
    logp = frame_log_likelihood(w, bv[0], bh[0], states, np.full(len(states), log_z))
    assert abs(np.exp(logp).sum() - 1) < 1e-9
