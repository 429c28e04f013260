"""Fine-tuning's settings: it stops when the validation loss stops falling and keeps its best
epoch, its gradients can be clipped, and a label fraction keeps shifted copies together."""

from __future__ import annotations

import numpy as np
from training_helpers import dbn_project, run_all

from core.training.early_stopping import EarlyStopping
from core.training.events import EpochMetrics, Finished
from core.training.finetune import optimizer_groups
from core.training.phases import Phase
from core.training.session import run_training


class Weights:
    """A model as the watcher sees it: weights to read and put back."""

    def __init__(self):
        self.weights = [np.zeros(2)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]


class Trainer:
    def __init__(self, model):
        self.model = model


def _phase(kind="finetune", early_stopping=2):
    return Phase("fine-tune", kind, None, "classifier", 10, {"early_stopping": early_stopping})


def test_it_stops_after_the_patience_and_puts_the_best_weights_back():
    model = Weights()
    watcher = EarlyStopping.for_phase(_phase(), Trainer(model))
    losses = [3.0, 2.0, 2.5, 1.9, 2.2, 2.1]
    stopped_at = None
    for epoch, loss in enumerate(losses):
        model.weights = [np.full(2, float(epoch))]
        if watcher.after_epoch(epoch, {"loss": 0.5, "val_loss": loss}):
            stopped_at = epoch
            break
    assert stopped_at == 5  # epochs 4 and 5 did not beat epoch 3
    assert watcher.finish() == {"loss": 0.5, "val_loss": 1.9, "best_epoch": 3}
    assert model.weights[0].tolist() == [3.0, 3.0]


def test_it_watches_only_fine_tuning_with_a_patience_and_needs_validation_figures():
    model = Weights()
    assert EarlyStopping.for_phase(_phase(early_stopping=0), Trainer(model)) is None
    assert EarlyStopping.for_phase(_phase(kind="pretrain"), Trainer(model)) is None
    watcher = EarlyStopping.for_phase(_phase(early_stopping=1), Trainer(model))
    assert not any(watcher.after_epoch(e, {"loss": 1.0}) for e in range(5))
    assert watcher.finish() == {}  # nothing watched, nothing restored
    watcher = EarlyStopping.for_phase(_phase(early_stopping=1), Trainer(model))
    assert not watcher.after_epoch(0, {"val_reconstruction_error": 0.2})
    assert watcher.after_epoch(1, {"val_reconstruction_error": 0.2})  # equal is no better


def test_a_session_stops_fine_tuning_early_and_says_which_epoch_it_kept(tmp_path, digits):
    # a learning rate far too high: the validation loss soon stops improving
    finetune = {"epochs": 40, "early_stopping": 2, "learning_rate": 0.5}
    project = dbn_project(epochs=1, finetune_epochs=40, finetune=finetune)
    events = run_all(run_training(project, tmp_path / "run", dataset=digits, snapshot_every=0))
    assert isinstance(events[-1], Finished)
    tuned = [e for e in events if isinstance(e, EpochMetrics) and e.phase == 2]
    assert 3 <= len(tuned) < 40
    final = events[-1].summary["phases"][-1]["final"]
    best = min(tuned, key=lambda e: e.metrics["val_loss"])
    assert final["best_epoch"] == best.epoch == len(tuned) - 3
    assert final["val_loss"] == best.metrics["val_loss"]
    assert [p["name"] for p in events[-1].summary["phases"]].count("fine-tune") == 1


def test_clip_norm_gives_the_optimizers_a_global_clip(digits):
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    settings = {"learning_rate": 0.01, "clip_norm": 1.5}
    [(optimizer, variables)] = optimizer_groups(model, [], settings)
    assert optimizer.global_clipnorm == 1.5 and len(variables) == 2
    [(optimizer, _)] = optimizer_groups(model, [], {"learning_rate": 0.01})
    assert optimizer.global_clipnorm is None


def test_a_label_fraction_keeps_each_sample_with_its_shifted_copies():
    from core.training.finetune import label_subset

    y = np.repeat(np.arange(5), 20)  # 100 samples, 20 a class
    plain = label_subset(y, 0.1, seed=0)
    assert len(plain) == 10 and sorted(np.bincount(y[plain])) == [2] * 5
    copied = np.tile(y, 3)  # the same samples, then two copies of them
    keep = label_subset(copied, 0.1, seed=0, copies=3)
    assert len(keep) == 30
    originals = keep[keep < 100]
    assert keep.tolist() == sorted([*originals, *(originals + 100), *(originals + 200)])
    assert sorted(np.bincount(copied[originals])) == [2] * 5
    assert label_subset(copied, 1.0, seed=0, copies=3).tolist() == list(range(300))


def test_a_next_step_output_starts_at_the_key_frequencies_once():
    import keras

    from core.training.output_bias import start_at_key_frequencies

    def model(activation):
        dense = keras.layers.Dense(3, activation=activation)
        return keras.Sequential([keras.Input((None, 2)), keras.layers.TimeDistributed(dense)])

    targets = np.zeros((4, 5, 3), np.float32)
    targets[:, :, 0] = 1  # always on
    targets[:2, :, 1] = 1  # on half the time; key 2 never
    sigmoid = model("sigmoid")
    assert start_at_key_frequencies(sigmoid, targets)
    bias = sigmoid.layers[-1].layer.bias.numpy()
    assert bias[0] > 9 and abs(bias[1]) < 1e-6 and bias[2] < -9
    assert not start_at_key_frequencies(sigmoid, 1 - targets)  # no longer zeros: left alone
    assert sigmoid.layers[-1].layer.bias.numpy().tolist() == bias.tolist()
    linear = model("linear")
    assert not start_at_key_frequencies(linear, targets)
    assert not linear.layers[-1].layer.bias.numpy().any()
