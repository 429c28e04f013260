"""An RBM whose visible layer joins the data's labels as one softmax group (the top RBM of
Hinton, Osindero and Teh 2006): the label group sampled one of K, the free energy of each
label, training on digits, generating a chosen class, saving, validating, evaluating."""

import numpy as np
import pytest
from training_helpers import block, chain

from core.keras_env import load_keras

keras = load_keras()
from core.layers import RBM  # noqa: E402
from core.training.trainer import PhaseData  # noqa: E402

SETTINGS = {
    "batch_size": 20,
    "learning_rate": 0.05,
    "cd_k": 1,
    "momentum": 0.5,
    "final_momentum": 0.9,
    "weight_decay": 1e-4,
}


def _digits():
    from sklearn.datasets import load_digits

    d = load_digits()
    x, y = (d.data / 16).astype(np.float32), d.target
    return x[:1300], y[:1300], x[1300:], y[1300:]


def _trained_joint_rbm(epochs=15, units=256):
    import tensorflow as tf

    from core.training.joint_rbm import JointRBMTrainer

    x, y, x_test, y_test = _digits()
    inputs = keras.Input((64,), name="pixels")
    layer = RBM(units, label_units=10, name="memory")
    model = keras.Model(inputs, layer(inputs))
    data = PhaseData(x, x_test, SETTINGS, 0, tf.Variable(False), 0, y_train=y, y_val=y_test)
    trainer = JointRBMTrainer(layer, data)
    for epoch in range(epochs):
        trainer.begin_epoch(epoch)
        done, metrics = trainer.run(epoch, 0, trainer.steps_per_epoch)
        assert done == trainer.steps_per_epoch and np.isfinite(metrics["reconstruction_error"])
    return model, trainer


@pytest.fixture(scope="module")
def joint():
    return _trained_joint_rbm()


def test_the_label_group_is_sampled_one_of_k_with_the_softmax_probabilities():
    import tensorflow as tf

    from core.music.generation.dbn import DeepBeliefNet
    from core.training.joint_rbm import softmax_sample

    rng = tf.random.Generator.from_seed(1)
    logits = tf.constant(np.log([[1.0, 3.0, 6.0]] * 6000), tf.float32)
    draws = softmax_sample(tf, rng, logits).numpy()
    assert set(np.unique(draws)) == {0.0, 1.0}
    np.testing.assert_array_equal(draws.sum(axis=1), 1.0)
    np.testing.assert_allclose(draws.mean(axis=0), [0.1, 0.3, 0.6], atol=0.025)

    inputs = keras.Input((5,))
    top = RBM(4, label_units=3, name="top")
    net = DeepBeliefNet([keras.Model(inputs, top(inputs)).layers[-1]])
    hidden = (np.random.default_rng(0).random((6000, 4)) < 0.5).astype(np.float32)
    labels = net.sample_labels(hidden, 1.0, np.random.default_rng(2))
    np.testing.assert_array_equal(labels.sum(axis=1), 1.0)
    logits_np = hidden @ net.label_kernel.T + net.label_bias
    expected = np.exp(logits_np) / np.exp(logits_np).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(labels.mean(axis=0), expected.mean(axis=0), atol=0.025)


def test_each_labels_free_energy_is_the_joint_rbms_with_that_one_hot_label():
    layer = RBM(5, label_units=3)
    v = (np.random.default_rng(0).random((4, 6)) < 0.5).astype(np.float32)
    layer(v)
    rng = np.random.default_rng(1)
    for weight in layer.weights:
        weight.assign(rng.normal(size=weight.shape).astype(np.float32))
    joined = RBM(5)  # one plain RBM over [v, one-hot label]
    joined(np.zeros((1, 9), np.float32))
    joined.kernel.assign(np.concatenate([layer.kernel.numpy(), layer.label_kernel.numpy()]))
    joined.hidden_bias.assign(layer.hidden_bias.numpy())
    joined.visible_bias.assign(
        np.concatenate([layer.visible_bias.numpy(), layer.label_bias.numpy()])
    )
    energies = keras.ops.convert_to_numpy(layer.label_free_energies(v))
    for label in range(3):
        one_hot = np.zeros((4, 3), np.float32)
        one_hot[:, label] = 1
        expected = keras.ops.convert_to_numpy(joined.free_energy(np.hstack([v, one_hot])))
        np.testing.assert_allclose(energies[:, label], expected, rtol=1e-5)
    probabilities = keras.ops.convert_to_numpy(layer.classify(v))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(probabilities.argmax(1), energies.argmin(1))
    # in the network the layer reads its input alone
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(layer(v)),
        keras.ops.convert_to_numpy(
            joined.hidden_probabilities(np.hstack([v, np.zeros((4, 3), np.float32)]))
        ),
        rtol=1e-5,
    )


@pytest.mark.parametrize(
    "bad",
    [
        lambda: RBM(4, label_units=-1),
        lambda: RBM(4, label_units=1),
        lambda: RBM(4, label_units=True),
        lambda: RBM(4, per_frame=True, label_units=3),
    ],
)
def test_bad_label_units_are_refused(bad):
    with pytest.raises(ValueError):
        bad()


def test_the_joint_rbm_classifies_held_out_digits_by_free_energy(joint):
    model, trainer = joint
    _, _, x_test, y_test = _digits()
    accuracy = trainer.label_accuracy(x_test, y_test)
    assert accuracy > 0.8, accuracy
    assert trainer.validation_metrics()["val_label_accuracy"] == pytest.approx(accuracy)


def test_a_held_class_is_generated_as_that_class(joint):
    """Samples of the memory with its label units held at a digit are recognised as that
    digit by a plain classifier trained on the same digits (it is not the model itself)."""
    from sklearn.linear_model import LogisticRegression

    from core.music.generation.dbn import DeepBeliefNet
    from core.music.generation.layers import chain as layer_chain

    model, _ = joint
    x, y, _, _ = _digits()
    judge = LogisticRegression(max_iter=2000).fit(x, y)
    net = DeepBeliefNet(layer_chain(model))
    rng = np.random.default_rng(0)
    hits = []
    for digit in range(10):
        images = net.sample_class(digit, 20, 200, rng)
        assert images.shape == (20, 64) and images.min() >= 0 and images.max() <= 1
        hits.append(np.mean(judge.predict(images) == digit))
    assert np.mean(hits) > 0.7, hits
    free = net.sample_class(None, 200, 200, rng)  # the memory samples the class itself
    assert len(set(judge.predict(free))) >= 5


def test_label_units_are_saved_and_loaded_with_the_model(joint, tmp_path):
    model, _ = joint
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    layer = loaded.get_layer("memory")
    assert layer.label_units == 10 and layer.get_config()["label_units"] == 10
    np.testing.assert_array_equal(
        layer.label_kernel.numpy(), model.get_layer("memory").label_kernel.numpy()
    )
    np.testing.assert_array_equal(
        layer.label_bias.numpy(), model.get_layer("memory").label_bias.numpy()
    )
    assert not layer.label_kernel.trainable  # learnt by contrastive divergence only


def _labels_project(label_units=10, data=None, on="memory", finetune_epochs=2):
    blocks = [
        block("input", "Input", shape=[8, 8]),
        block("flatten", "Flatten"),
        block("rbm1", "RBM", units=32),
        block("memory", "RBM", units=64),
    ]
    for b in blocks:
        if b["id"] == on:
            b["params"]["label_units"] = label_units
    lower = {"epochs": 15, "batch_size": 20, "learning_rate": 0.1}
    memory = {"epochs": 15, "batch_size": 20, "learning_rate": 0.1}
    return chain(
        blocks,
        {
            "seed": 0,
            "pretraining": {"enabled": True, "blocks": {"rbm1": lower, "memory": memory}},
            "finetune": {
                "objective": "wake-sleep",
                "epochs": finetune_epochs,
                "batch_size": 20,
                "learning_rate": 0.005,
            },
        },
        data,
    )


def _problems(project):
    from core.validate import validate

    return [str(p) for p in validate(project).problems]


def test_validation_says_where_label_units_cannot_be_trained():
    assert _problems(_labels_project()) == []
    chorales = {
        "source": "bach-chorales",
        "limit": 4,
        "split": {"validation": 0.1, "test": 0.1, "seed": 0},
    }
    project = _labels_project(data=chorales)
    project.network.block("input").params["shape"] = [16, 48]
    assert _problems(project) == [
        "memory: joins the data's labels as 10 label units, but the dataset 'bach-chorales' "
        "has no labels; set label units to 0 or choose a labelled dataset (digits, "
        "gm-instruments, an audio folder or an array file with y)"
    ]
    assert _problems(_labels_project(label_units=7)) == [
        "memory: has 7 label units but the dataset 'digits' has 10 classes; set label units to 10"
    ]
    assert _problems(_labels_project(on="rbm1")) == [
        "rbm1: label units join the top RBM of a stack, but RBM 'memory' comes after this "
        "one; set them on 'memory' instead"
    ]
    assert _problems(_labels_project(label_units=1)) == [
        "memory: label units must be 0 (no labels) or one per class, at least 2"
    ]


@pytest.fixture(scope="module")
def labels_run(tmp_path_factory):
    from core.training.session import run_training

    run = tmp_path_factory.mktemp("dbn-labels")
    events = list(run_training(_labels_project(), run, snapshot_every=0))
    assert type(events[-1]).__name__ == "Finished", events[-1]
    return run


def test_a_run_trains_the_joint_rbm_and_fine_tunes_it_up_down(labels_run):
    from core.runs import RunFolder

    run = RunFolder(labels_run)
    summary = run.read_summary()
    assert [p["method"] for p in summary["phases"]] == ["rbm", "rbm", "wake-sleep"]
    memory = summary["phases"][1]["final"]
    assert memory["val_label_accuracy"] > 0.3, memory  # chance is 0.1
    model = keras.models.load_model(run.model, safe_mode=True)
    greedy = keras.models.load_model(run.pretrained_model, safe_mode=True)
    moved = model.get_layer("memory").label_kernel.numpy()
    before = greedy.get_layer("memory").label_kernel.numpy()
    assert np.abs(moved - before).max() > 1e-4  # up-down trains the label units too


def test_evaluate_reports_the_free_energy_accuracy_beside_the_other_figures(labels_run):
    from core.evaluate import evaluate_run

    result = evaluate_run(labels_run, pieces=0)
    assert result["objective"] == "wake-sleep" and result["joint_label_block"] == "memory"
    assert 0.3 < result["joint_label_accuracy"] <= 1.0, result
    assert "accuracy" not in result  # the classifier's key keeps its meaning
    assert result["reconstruction_error"]["test"] < 0.1


def test_dbn_memory_refuses_a_class_it_does_not_have(labels_run, tmp_path):
    from core.music.generation import GenerationError
    from core.music.generation.dbn import DeepBeliefNet
    from core.music.generation.layers import chain as layer_chain

    model = keras.models.load_model(labels_run / "model.keras", safe_mode=True)
    net = DeepBeliefNet(layer_chain(model))
    assert net.classes == 10 and net.untied
    assert net.sample_class(3, 4, 5, np.random.default_rng(0)).shape == (4, 64)
    with pytest.raises(GenerationError, match="class 10 is not one of this model's 10"):
        net.sample_class(10, 4, 5, np.random.default_rng(0))
    inputs = keras.Input((6,))
    plain = DeepBeliefNet([keras.Model(inputs, RBM(3)(inputs)).layers[-1]])
    with pytest.raises(GenerationError, match="joins no labels"):
        plain.sample_class(2, 4, 5, np.random.default_rng(0))


@pytest.mark.slow
def test_the_dbn_labels_template_classifies_and_generates_the_held_class():
    """The template at full scale (about a minute of CPU): free-energy accuracy on the
    held-out digits, and generated digits recognised as the class held."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_dbn_labels import measure

    figures = measure(1.0, {"samples": 30, "iterations": 500, "temperature": 1.0, "seed": 0})
    assert figures["joint_label_accuracy"] >= 0.92, figures  # measured 0.942
    rate = figures["generated_recognised"]["fine_tuned"]["logistic_regression"]["rate"]
    assert rate >= 0.65, figures  # measured 0.73 over 100 samples a class, 1000 steps
