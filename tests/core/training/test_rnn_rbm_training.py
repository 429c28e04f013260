"""The RNN-RBM's trainer learns a sequence; the template trains through the session, then
evaluates and generates by Gibbs sampling step by step."""

import json

import numpy as np

from core.keras_env import load_keras
from core.training.rnn_rbm import RNNRBMTrainer
from core.training.trainer import PhaseData

SETTINGS = {"epochs": 1, "batch_size": 8, "learning_rate": 0.02, "cd_k": 3, "optimizer": "adam"}


def _scales(n=32, steps=12, keys=8):
    """Each window a rising scale from a random key: the next frame follows from the last."""
    rng = np.random.default_rng(0)
    x = np.zeros((n, steps, keys), np.float32)
    for i, start in enumerate(rng.integers(0, keys, n)):
        x[i, np.arange(steps), (start + np.arange(steps)) % keys] = 1
    return x.reshape(n, -1)


def test_contrastive_divergence_learns_the_next_step():
    import tensorflow as tf

    load_keras()
    from core.layers import RNNRBM

    layer = RNNRBM(16, 12)
    layer.build((None, None, 8))
    x = _scales()
    data = PhaseData(x, x[:8], SETTINGS, 1, tf.Variable(False), 3)
    trainer = RNNRBMTrainer(layer, data)
    before = trainer.validation_metrics()["val_next_step_nll"]
    for epoch in range(40):
        trainer.begin_epoch(epoch)
        done, metrics = trainer.run(epoch, 0, trainer.steps_per_epoch)
        assert done == trainer.steps_per_epoch and np.isfinite(metrics["reconstruction_error"])
    after = trainer.validation_metrics()["val_next_step_nll"]
    assert after < 0.6 * before, (before, after)
    assert len(trainer.state_variables()) > len(layer.weights)  # the optimizer's state too
    views = trainer.reconstruct(x[:2]), trainer.hidden(x[:2]), trainer.filters()
    assert views[0].shape == (2, 96) and views[1].shape == (2, 12 * 16)
    assert views[2].shape == (16, 96)


def test_the_template_trains_evaluates_and_generates(tmp_path):
    from core import templates
    from core.evaluate import evaluate_run
    from core.music.generation import load
    from core.project import project_from_json
    from core.training.session import run_training

    doc = json.loads(templates.template_dir().joinpath("rnn-rbm.json").read_text())
    doc["data"]["limit"] = 3
    doc["network"]["blocks"][1]["params"].update(hidden_units=12, recurrent_units=6)
    doc["training"]["pretraining"]["blocks"]["rnn_rbm"].update(epochs=1, cd_k=2)
    events = list(run_training(project_from_json(doc), tmp_path, snapshot_every=0))
    names = [type(e).__name__ for e in events]
    assert names[-1] == "Finished", [getattr(e, "message", "") for e in events]
    started = [e for e in events if type(e).__name__ == "PhaseStarted"]
    assert started[0].method == "rnn-rbm"
    gm = load(tmp_path)
    assert gm.objective == "sequence" and gm.methods == ["rnn-rbm-gibbs"]
    roll = gm.generate(method="rnn-rbm-gibbs", bars=1, seed=2, iterations=3)
    assert roll.roll.shape[1] == 88 and set(np.unique(roll.roll)) <= {0.0, 1.0}
    result = evaluate_run(tmp_path, pieces=0)
    assert result["nll_per_step"] > 0 and 0 <= result["frame_accuracy"] <= 1
    assert result["mean_field_nll_per_step"] > 0 and "importance" in result["nll_estimate"]
