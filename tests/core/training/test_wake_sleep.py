"""Wake-sleep ("up-down") fine-tuning of a stack of RBMs: the trainer on a tiny set, and the
objective through the session into a run folder that generates and evaluates."""

import numpy as np
import pytest

from core.errors import LayerwiseError
from core.keras_env import load_keras
from core.training.trainer import PhaseData

SETTINGS = {"epochs": 1, "batch_size": 16, "learning_rate": 0.05}


def _bars(n=96, keys=12, steps=4, seed=0):
    """Binary windows: each a chord of three keys held through the window, one of four."""
    rng = np.random.default_rng(seed)
    chords = [(0, 4, 7), (2, 5, 9), (4, 7, 11), (5, 9, 0)]
    x = np.zeros((n, steps, keys), np.float32)
    for i, c in enumerate(rng.integers(0, len(chords), n)):
        x[i][:, list(chords[c])] = 1
    return x.reshape(n, -1)


def _pretrained_stack(x):
    """Input → RBM(16) → RBM(8), each pretrained greedily with CD-1."""
    import tensorflow as tf

    keras = load_keras()
    from core.layers import RBM
    from core.training.rbm import RBMTrainer

    keras.utils.set_random_seed(0)  # the layers' first weights: the same stack every time
    inputs = keras.Input((x.shape[1],), name="input")
    rbm1, rbm2 = RBM(16, name="rbm1"), RBM(8, name="rbm2")
    model = keras.Model(inputs, rbm2(rbm1(inputs)))
    features = x
    for i, layer in enumerate((rbm1, rbm2)):
        data = PhaseData(features, features[:16], {**SETTINGS, "cd_k": 1}, i, tf.Variable(False), i)
        trainer = RBMTrainer(layer, data)
        for epoch in range(30):
            trainer.begin_epoch(epoch)
            trainer.run(epoch, 0, trainer.steps_per_epoch)
        features = trainer.hidden(features)
    return model


def _wake_sleep(model, x, seed=1):
    import tensorflow as tf

    from core.training.finetune import unroll
    from core.training.wake_sleep import WakeSleepTrainer, rbm_stack

    stack = rbm_stack(model)
    unrolled, code = unroll(model, x.shape[1:], binary=True)
    data = PhaseData(x, x[:32], SETTINGS, seed, tf.Variable(False), seed)
    return WakeSleepTrainer(unrolled, stack, data), unrolled, code


def test_up_down_changes_the_generative_weights_and_lowers_the_error_from_the_top():
    x = _bars()
    model = _pretrained_stack(x)
    trainer, unrolled, code = _wake_sleep(model, x)
    assert code == "rbm2"
    generative = unrolled.get_layer("decode_rbm1").get_weights()[0].copy()
    recognition = unrolled.get_layer("rbm1").get_weights()[0].copy()
    np.testing.assert_allclose(generative, recognition.T)  # untied, but starting tied
    before = trainer.reconstruction_error(x)
    for epoch in range(40):
        trainer.begin_epoch(epoch)
        done, metrics = trainer.run(epoch, 0, trainer.steps_per_epoch)
        assert done == trainer.steps_per_epoch and np.isfinite(metrics["reconstruction_error"])
    after = trainer.reconstruction_error(x)
    assert after < 0.9 * before, (before, after)
    moved = unrolled.get_layer("decode_rbm1").get_weights()[0]
    assert np.abs(moved - generative).max() > 1e-3
    assert np.abs(moved - unrolled.get_layer("rbm1").get_weights()[0].T).max() > 1e-3
    top = unrolled.get_layer("rbm2").get_weights()
    np.testing.assert_allclose(unrolled.get_layer("decode_rbm2").get_weights()[0], top[0].T)
    # the greedy stack is kept as it was
    (greedy,) = trainer.companion_models().values()
    np.testing.assert_allclose(greedy.get_layer("decode_rbm1").get_weights()[0], generative)
    evaluation = trainer.evaluate(x[:20])
    assert evaluation["cells_per_window"] == x.shape[1]
    assert 0 <= evaluation["wrong_notes_per_window"] < evaluation["notes_per_window"]


def test_only_a_stack_of_rbms_fine_tunes_up_down():
    keras = load_keras()
    from core.layers import RBM
    from core.training.wake_sleep import rbm_stack

    inputs = keras.Input((6,))
    dense = keras.Model(inputs, RBM(4, name="rbm")(keras.layers.Dense(5, name="d")(inputs)))
    with pytest.raises(LayerwiseError, match="block 'd' is a Dense"):
        rbm_stack(dense)


@pytest.fixture(scope="module")
def generative_run(tmp_path_factory):
    """The dbn-generative template, shrunk, trained through the session."""
    import json

    from core import templates
    from core.project import project_from_json
    from core.training.session import run_training

    doc = json.loads(templates.template_dir().joinpath("dbn-generative.json").read_text())
    doc["data"]["limit"] = 4
    for block, units in zip(doc["network"]["blocks"][2:], (24, 16, 32), strict=True):
        block["params"]["units"] = units
    for settings in doc["training"]["pretraining"]["blocks"].values():
        settings["epochs"] = 2
    doc["training"]["finetune"]["epochs"] = 2
    run = tmp_path_factory.mktemp("dbn-generative")
    events = list(run_training(project_from_json(doc), run, snapshot_every=0))
    assert type(events[-1]).__name__ == "Finished", events[-1]
    return run


def test_the_template_fine_tunes_up_down_and_keeps_the_greedy_stack(generative_run):
    from core.runs import RunFolder

    run = RunFolder(generative_run)
    summary = run.read_summary()
    assert summary["objective"] == "wake-sleep" and summary["code_block"] == "memory"
    assert [p["method"] for p in summary["phases"]] == ["rbm", "rbm", "rbm", "wake-sleep"]
    assert "wrong_notes_per_window" in summary["evaluation"]
    assert run.model.is_file() and run.pretrained_model.is_file()


def test_dbn_memory_generates_piano_rolls_from_the_fine_tuned_and_the_greedy_stack(
    generative_run,
):
    from core.music.generation import GenerationModel, load
    from core.runs import PRETRAINED

    gm = load(generative_run)
    assert gm.methods == ["dbn-memory", "decode", "fixed-point"]
    roll = gm.generate(method="dbn-memory", seed=3, bars=2, iterations=20)
    assert roll.roll.shape == (2 * 16, 48) and set(np.unique(roll.roll)) <= {0.0, 1.0}
    assert gm.last_info["generative"] == "untied"
    again = gm.generate(method="dbn-memory", seed=3, bars=2, iterations=20)
    np.testing.assert_array_equal(roll.roll, again.roll)
    greedy = GenerationModel(generative_run, model_file=PRETRAINED)
    other = greedy.generate(method="dbn-memory", seed=3, bars=2, iterations=20)
    assert other.roll.shape == roll.roll.shape


def test_dbn_memory_holds_clamped_bars_to_the_start_piece(generative_run):
    from core.music.generation import GenerationError, load
    from core.music.pianoroll import PianoRoll

    gm = load(generative_run)
    start = np.zeros((32, 48), np.float32)
    start[:16, [12, 16, 19]] = 1  # a held chord in the first bar
    piece = PianoRoll(start, 4, gm.lowest_pitch, 90.0, 0)
    made = gm.generate(method="dbn-memory", start=piece, clamp=6, bars=2, iterations=10)
    windows = made.roll.reshape(2, 16, 48)
    np.testing.assert_array_equal(windows[0, :6], start[:6])
    np.testing.assert_array_equal(windows[1, :6], start[16:22])
    with pytest.raises(GenerationError, match="whole"):
        gm.generate(method="dbn-memory", start=piece, clamp=16, bars=2, iterations=5)
    with pytest.raises(GenerationError, match="start piece"):
        gm.generate(method="dbn-memory", clamp=4, bars=2, iterations=5)


def test_evaluate_reports_dbn_memory_before_and_after_fine_tuning(generative_run):
    from core.evaluate import evaluate_run

    result = evaluate_run(generative_run, pieces=3)
    assert result["objective"] == "wake-sleep" and "wrong_notes_per_window" in result
    generation = result["generation"]
    for key in ("dbn-memory", "dbn-memory (before fine-tuning)"):
        report = generation[key]
        assert report["pieces"]["generated"] == 3, report
        assert set(report["statistics"]) >= {"pitch_class_entropy", "note_density", "polyphony"}
        assert report["mean_overlap"] is None or 0 <= report["mean_overlap"] <= 1


def test_validation_names_a_block_that_cannot_fine_tune_up_down():
    from training_helpers import dbn_project

    from core.validate import validate

    project = dbn_project(finetune={"objective": "wake-sleep"})
    problems = [(p.block, p.message) for p in validate(project).problems]
    assert problems == [
        (
            "classes",
            "the wake-sleep objective fine-tunes a stack of RBM blocks; a Dense block "
            "cannot take part",
        )
    ]
    from training_helpers import ae_project

    problems = [(p.block, p.message) for p in validate(ae_project("wake-sleep")).problems]
    assert (None, "the wake-sleep objective needs a stack of RBM blocks; there is none") in problems


def test_the_cli_generates_from_the_associative_memory(generative_run, tmp_path):
    import pretty_midi

    from core import cli

    out = tmp_path / "memory.mid"
    args = ["generate", str(generative_run), "--out", str(out), "--method", "dbn-memory"]
    assert cli.main([*args, "--bars", "2", "--iterations", "10", "--seed", "1"]) == 0
    assert pretty_midi.PrettyMIDI(str(out)).get_end_time() > 0


def test_a_stopped_wake_sleep_run_resumes_with_its_greedy_stack(tmp_path, digits):
    from training_helpers import block, chain

    from core.keras_env import load_keras
    from core.runs import RunFolder
    from core.training.control import Control
    from core.training.events import EpochMetrics, Stopped
    from core.training.session import run_training

    rbm = {"epochs": 1, "batch_size": 20, "learning_rate": 0.1}
    project = chain(
        [
            block("input", "Input", shape=[8, 8]),
            block("flatten", "Flatten"),
            block("rbm1", "RBM", units=24),
            block("rbm2", "RBM", units=12),
        ],
        {
            "seed": 0,
            "pretraining": {"enabled": True, "blocks": {"rbm1": dict(rbm), "rbm2": dict(rbm)}},
            "finetune": {"objective": "wake-sleep", "epochs": 3, "batch_size": 20},
        },
    )
    straight = list(run_training(project, tmp_path / "a", dataset=digits, snapshot_every=0))
    control, run = Control(), tmp_path / "b"
    events = []
    for event in run_training(project, run, control=control, dataset=digits, snapshot_every=0):
        events.append(event)
        if isinstance(event, EpochMetrics) and event.block is None and event.epoch == 0:
            control.stop()
    assert isinstance(events[-1], Stopped)
    resumed = list(run_training(project, run, dataset=digits, resume=True, snapshot_every=0))
    assert type(resumed[-1]).__name__ == "Finished"
    keras = load_keras()
    for name in ("model.keras", "pretrained.keras"):
        a = keras.models.load_model(tmp_path / "a" / name, compile=False).get_weights()
        b = keras.models.load_model(run / name, compile=False).get_weights()
        for x, y in zip(a, b, strict=True):
            np.testing.assert_allclose(x, y, atol=1e-5, err_msg=name)
    assert type(straight[-1]).__name__ == "Finished"
    assert RunFolder(run).read_summary()["objective"] == "wake-sleep"
