"""The convolutional RBM's trainer: a few CD steps lower the reconstruction error of toy
spectrograms with stripes; two blocks stack greedily into a convolutional DBN through the
session, each pretrained on the pooled output of the one below, then fine-tuned."""

import numpy as np
import pytest

from core.keras_env import load_keras
from core.training.conv_rbm import ConvRBMTrainer
from core.training.trainer import PhaseData

SETTINGS = {
    "epochs": 1,
    "batch_size": 16,
    "learning_rate": 0.5,
    "cd_k": 1,
    "momentum": 0.5,
    "final_momentum": 0.9,
    "weight_decay": 0.001,
    "sparsity_target": 0.05,
    "sparsity_cost": 1.0,
}
TIME, FREQUENCY = 16, 12


def striped_spectrograms(n=96, seed=0):
    """Standardised toy spectrograms: half hold two steady partials (horizontal stripes at
    random frequencies), half two onsets (vertical stripes at random times); label 0 or 1."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.1, (n, TIME, FREQUENCY)).astype(np.float32)
    y = np.arange(n) % 2
    for i in range(n):
        if y[i] == 0:
            x[i, :, rng.choice(FREQUENCY, 2, replace=False)] += 1.0
        else:
            x[i, rng.choice(TIME, 2, replace=False), :] += 1.0
    x = (x - x.mean()) / x.std()
    return x.astype(np.float32), y


def _trainer(settings=SETTINGS, seed=1):
    import tensorflow as tf

    load_keras()
    from core.layers import ConvRBM

    layer = ConvRBM(6, 3, 3, 2, 2, visible="gaussian")
    layer.build((None, TIME, FREQUENCY, 1))
    x, _ = striped_spectrograms()
    flat = x.reshape(len(x), -1)
    data = PhaseData(flat, flat[:16], settings, seed, tf.Variable(False), 3)
    return ConvRBMTrainer(layer, data), flat


def test_a_few_cd_steps_lower_the_reconstruction_error():
    trainer, x = _trainer()
    before = trainer.validation_metrics()["val_reconstruction_error"]
    errors = []
    for epoch in range(6):
        trainer.begin_epoch(epoch)
        done, metrics = trainer.run(epoch, 0, trainer.steps_per_epoch)
        assert done == trainer.steps_per_epoch
        errors.append(metrics["reconstruction_error"])
    after = trainer.validation_metrics()
    assert after["val_reconstruction_error"] < 0.8 * before, (before, after)
    assert errors[-1] < errors[0] and all(np.isfinite(errors))
    assert 0 < after["pooled_activity"] < 1
    assert trainer.filters().shape == (6, 3, 3)  # spectro-temporal patches
    assert trainer.reconstruct(x[:2]).shape == (2, TIME * FREQUENCY)
    assert trainer.hidden(x[:2]).shape == (2, 7 * 5 * 6)


def test_an_interrupt_stops_the_chunk_after_its_batch():
    trainer, _ = _trainer()
    trainer.begin_epoch(0)
    trainer.interrupt.assign(True)
    done, _ = trainer.run(0, 0, trainer.steps_per_epoch)
    assert done <= 1


def test_the_same_seed_trains_the_same_filters():
    first, _ = _trainer(seed=4)
    second, _ = _trainer(seed=4)
    for trainer in (first, second):
        trainer.layer.set_weights(
            [np.full(w.shape, 0.01, np.float32) for w in trainer.layer.weights]
        )
        trainer.begin_epoch(0)
        trainer.run(0, 0, 2)
    np.testing.assert_array_equal(first.filters(), second.filters())


def _cdbn_project(npz, epochs=2):
    from tests.core.training.training_helpers import block, chain

    settings = {**SETTINGS, "epochs": epochs}
    return chain(
        [
            block("input", "Input", shape=[TIME, FREQUENCY]),
            block("channels", "Reshape", target_shape=[TIME, FREQUENCY, 1]),
            block("crbm1", "ConvRBM", filters=6, kernel_time=3, kernel_frequency=3),
            block(
                "crbm2",
                "ConvRBM",
                filters=4,
                kernel_time=2,
                kernel_frequency=2,
                pool_time=1,
                pool_frequency=1,
                visible="bernoulli",
            ),
            block("flatten", "Flatten"),
            block("classes", "Dense", units=2, activation="softmax"),
        ],
        {
            "seed": 0,
            "pretraining": {"enabled": True, "blocks": {"crbm1": settings, "crbm2": settings}},
            "finetune": {"objective": "classifier", "epochs": 1, "batch_size": 16},
        },
        data={
            "source": "arrays",
            "path": str(npz),
            "split": {"validation": 0.1, "test": 0.2, "seed": 0},
        },
    )


@pytest.fixture
def stripes_npz(tmp_path):
    x, y = striped_spectrograms(120)
    path = tmp_path / "stripes.npz"
    np.savez(path, x=x, y=y)
    return path


def test_two_blocks_stack_greedily_into_a_convolutional_dbn(tmp_path, stripes_npz):
    from core.training.session import run_training

    events = list(run_training(_cdbn_project(stripes_npz), tmp_path / "run"))
    names = [type(e).__name__ for e in events]
    assert names[-1] == "Finished", [getattr(e, "message", "") for e in events]
    started = [(e.block, e.method) for e in events if type(e).__name__ == "PhaseStarted"]
    assert started == [("crbm1", "conv-rbm"), ("crbm2", "conv-rbm"), (None, "classifier")]
    snaps = {e.block: e for e in events if type(e).__name__ == "Snapshot"}
    assert snaps["crbm1"].filters.shape == (6, 3, 3)  # drawn as time × frequency patches
    assert snaps["crbm2"].filters.shape == (4, 2, 2, 6)  # a patch per channel below
    assert snaps["crbm1"].reconstructions.shape == (len(snaps["crbm1"].inputs), TIME, FREQUENCY)
    # the second block learned from the pooled output of the first: probabilities in 0..1
    below = snaps["crbm2"].inputs
    assert below.shape[1:] == (7, 5, 6) and below.min() >= 0 and below.max() <= 1
    for name in ("crbm1", "crbm2"):
        errors = [
            e.metrics["val_reconstruction_error"]
            for e in events
            if type(e).__name__ == "EpochMetrics" and e.block == name
        ]
        assert len(errors) == 2 and errors[1] < errors[0], (name, errors)


def test_audio_samples_are_drawn_as_spectrograms():
    from core.training.snapshots import sample_kind

    assert sample_kind("audio") == "spectrogram"
    assert (sample_kind("pianoroll"), sample_kind("image"), sample_kind("arrays")) == (
        "pianoroll",
        "image",
        "image",
    )


def test_filters_are_drawn_in_the_shape_their_block_reads():
    from types import SimpleNamespace

    from core.training.snapshots import drawn_shape, first_filters
    from tests.core.training.training_helpers import block, chain

    spec = chain(
        [
            block("input", "Input", shape=[TIME, FREQUENCY]),
            block("channels", "Reshape", target_shape=[TIME, FREQUENCY, 1]),
            block("crbm1", "ConvRBM", filters=6, kernel_time=3, kernel_frequency=3),
            block("flatten", "Flatten"),
            block("rbm", "RBM", units=5),
        ],
        {"seed": 0},
    ).network
    frames = np.zeros((4, FREQUENCY), np.float32)
    whole = np.zeros((4, TIME * FREQUENCY), np.float32)
    sample = (TIME, FREQUENCY)
    assert drawn_shape(spec, "crbm1", whole, True, sample) == sample
    assert drawn_shape(spec, "crbm1", frames, False, sample) == (1, FREQUENCY)  # frame by frame
    assert drawn_shape(spec, "rbm", frames, False, sample) is None  # reads the maps below
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 6)).astype(np.float32)
    crbm = type("ConvRBM", (), {"kernel": SimpleNamespace(numpy=lambda: kernel), "name": "crbm1"})
    filters, weights = first_filters(SimpleNamespace(layers=[crbm()]), spec, sample)
    assert filters.shape == (6, 3, 3) and weights.size == kernel.size
    np.testing.assert_array_equal(filters[2], kernel[:, :, 0, 2])


def test_a_stopped_pretraining_resumes_to_the_same_filters(tmp_path, stripes_npz):
    from core.runs import RunFolder
    from core.training.control import Control
    from core.training.session import run_training

    project = _cdbn_project(stripes_npz)
    straight = list(run_training(project, tmp_path / "a", snapshot_every=0))
    control, run = Control(), tmp_path / "b"
    events = []
    for event in run_training(project, run, control=control, snapshot_every=0):
        events.append(event)
        if type(event).__name__ == "EpochMetrics" and event.block == "crbm1":
            control.stop()  # at the next batch: crbm1, epoch 1
    assert type(events[-1]).__name__ == "Stopped"
    resumed = list(run_training(project, run, resume=True, snapshot_every=0))
    assert (resumed[0].block, resumed[0].start_epoch) == ("crbm1", 1)
    assert type(resumed[-1]).__name__ == "Finished"
    seen = [(line["phase_index"], line["epoch"]) for line in RunFolder(run).read_metrics()]
    assert seen == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0)]
    final = straight[-1].summary["evaluation"]["loss"]
    assert resumed[-1].summary["evaluation"]["loss"] == pytest.approx(final, abs=1e-6)


def test_a_stacked_block_shows_the_maps_below_as_its_inputs():
    from core.training.snapshots import pretrain_views

    trainer, x = _trainer()
    views = pretrain_views(trainer, x[:3], None)  # as for a block reading the maps below
    assert views["inputs"].shape == (3, TIME, FREQUENCY, 1)
    assert views["reconstructions"].shape == views["inputs"].shape
    assert views["filters"].shape == (6, 3, 3)


def test_under_a_distribution_strategy_it_says_it_runs_on_one_device():
    from core.errors import LayerwiseError
    from core.training.trainers import TrainerMaker

    maker = TrainerMaker(None, None, None, None, "classifier", 0, None, strategy=object())
    with pytest.raises(LayerwiseError, match="conv-rbm pretraining runs on one device"):
        maker.pretrainer_class("conv-rbm")
    assert maker.pretrainer_class("rbm")[1]  # the RBM has a distributed trainer
