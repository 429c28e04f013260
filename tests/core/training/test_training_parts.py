"""The session's pieces alone, without Keras: the phase plan, requests, data fitting,
snapshot views, progress counters, summary and failure messages."""

from __future__ import annotations

import dataclasses
import time
from types import SimpleNamespace

import numpy as np
import pytest
from training_helpers import block, chain, dbn_project

from core.errors import DataError, LayerwiseError
from core.training import devices, failures, snapshots
from core.training.inputs import fit_to_input
from core.training.phases import (
    FINETUNE,
    PRETRAIN,
    PhaseOutcome,
    approx_steps,
    plan_phases,
    scaled_epochs,
)
from core.training.summary import Progress, data_summary, objective_fields


def _plan(objective="classifier", scale=1.0):
    steps = [
        SimpleNamespace(block="rbm1", kind="rbm", settings={"epochs": 3, "batch_size": 20}),
        SimpleNamespace(block="ae2", kind="autoencoder", settings={"epochs": 0, "batch_size": 5}),
    ]
    return plan_phases(steps, {"epochs": 4, "batch_size": 10}, objective, scale)


def test_the_plan_pretrains_each_block_then_fine_tunes():
    phases = _plan("autoencoder", scale=0.5)
    assert [(p.name, p.kind, p.block, p.method, p.epochs) for p in phases] == [
        ("pretrain rbm1", PRETRAIN, "rbm1", "rbm", 2),
        ("pretrain ae2", PRETRAIN, "ae2", "autoencoder", 0),
        ("fine-tune", FINETUNE, None, "autoencoder-unrolled", 2),
    ]
    assert [p.pretrains for p in phases] == [True, True, False]
    assert [p.label for p in phases] == ["rbm1", "ae2", "finetune"]
    assert phases[-1].settings == {"epochs": 4, "batch_size": 10}
    assert _plan("classifier")[-1].method == "classifier"


def test_a_phase_is_frozen_and_names_where_it_is():
    phase = _plan()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        phase.epochs = 9  # type: ignore[misc]
    assert phase.where() == "phase 'pretrain rbm1' (block rbm1)"
    assert _plan()[-1].where() == "phase 'fine-tune'"
    assert phase.summary("rbm", {"loss": 1.0}) == {
        "name": "pretrain rbm1",
        "kind": "pretrain",
        "block": "rbm1",
        "method": "rbm",
        "epochs": 3,
        "final": {"loss": 1.0},
    }


def test_outcomes_are_an_enum():
    assert {o.name for o in PhaseOutcome} == {"DONE", "STOPPED", "FAILED"}


@pytest.mark.parametrize(
    ("epochs", "scale", "expected"), [(0, 2.0, 0), (10, 0.01, 1), (10, 0.25, 2), (3, 1.0, 3)]
)
def test_scaled_epochs(epochs, scale, expected):
    assert scaled_epochs(epochs, scale) == expected


def test_approx_steps_counts_full_batches_and_the_labelled_share():
    pretrain, _, finetune = _plan()
    assert approx_steps(pretrain, 100) == 5
    assert approx_steps(pretrain, 10) == 1
    assert approx_steps(finetune, 100, labelled_fraction=0.5) == 5
    assert approx_steps(pretrain, 100, labelled_fraction=0.5) == 5  # pretraining uses all


def test_requests_are_checked_before_tensorflow(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert devices.check_requests(None, None, 1.0) == "default"
    assert devices.check_requests("mirrored", 2, 0.5) == "mirrored"
    for strategy, replicas, scale, message in [
        ("ring", None, 1.0, "unknown strategy"),
        ("mirrored", 0, 1.0, "cpu replicas"),
        ("mirrored", True, 1.0, "cpu replicas"),
        ("multi-worker", None, 1.0, "TF_CONFIG"),
        (None, None, 0.0, "epochs scale"),
        (None, None, float("nan"), "epochs scale"),
    ]:
        with pytest.raises(LayerwiseError, match=message):
            devices.check_requests(strategy, replicas, scale)


def test_fit_to_input_reshapes_when_sizes_agree():
    x = np.zeros((3, 64), np.float32)
    assert fit_to_input(x, (64,), (None,), "in") is x
    assert fit_to_input(x, (64,), (8, 8), "in").shape == (3, 8, 8)
    with pytest.raises(DataError, match=r"Input block 'in' expects \(any, 5\)"):
        fit_to_input(x, (64,), (None, 5), "in")


def test_reads_data_looks_through_blocks_that_only_reshape():
    spec = chain(
        [
            block("in", "Input", shape=[8, 8]),
            block("flat", "Flatten"),
            block("drop", "Dropout", rate=0.1),
            block("rbm1", "RBM", units=4),
            block("rbm2", "RBM", units=3),
        ],
        dbn_project().training,
    ).network
    assert snapshots.reads_data(spec, "rbm1")
    assert not snapshots.reads_data(spec, "rbm2")
    assert snapshots.reads_data(spec, "in")


def test_snapshot_arrays_are_float32_with_thinned_weights():
    arrays = snapshots.as_snapshot_arrays(
        {"filters": np.ones((2, 3), np.float64), "hidden": None, "weights": np.arange(10_000)}
    )
    assert arrays["filters"].dtype == np.float32 and arrays["hidden"] is None
    assert arrays["weights"].shape == (snapshots.MAX_WEIGHTS,)
    assert arrays["weights"][0] == 0 and arrays["weights"][-1] == 9_999
    assert snapshots.sample_kind("pianoroll") == "pianoroll"
    assert snapshots.sample_kind("digits") == "image"


def test_progress_survives_a_checkpoint():
    progress = Progress(t0=time.perf_counter() - 5.0)
    progress.count(2.0, 100)
    progress.phases.append({"name": "pretrain rbm1"})
    fields = progress.checkpoint_fields()
    assert list(fields) == ["phases", "train_time", "samples", "elapsed"]
    assert fields["elapsed"] >= 5.0 and progress.samples_per_second() == 50.0
    resumed = Progress()
    resumed.restore(fields)
    assert resumed.has_phase("pretrain rbm1") and not resumed.has_phase("fine-tune")
    assert resumed.samples == 100 and resumed.train_time == 2.0
    assert resumed.elapsed() >= 5.0
    assert Progress().samples_per_second() is None


def test_data_summary_keeps_a_piano_rolls_geometry():
    rolls = SimpleNamespace(
        kind="pianoroll", name="bach", metadata={"source": "bach-chorales", "pitch_count": 48}
    )
    assert data_summary(rolls, {"steps_per_quarter": 4, "pitch_count": 12}) == {
        "kind": "pianoroll",
        "source": "bach-chorales",
        "name": "bach",
        "steps_per_quarter": 4,
        "pitch_count": 48,
    }
    digits = SimpleNamespace(kind="image", name="digits", metadata={})
    assert data_summary(digits, {"steps_per_quarter": 4}) == {
        "kind": "image",
        "source": "digits",
        "name": "digits",
    }


def test_objective_fields():
    ds = SimpleNamespace(num_classes=10)
    assert objective_fields("classifier", {"label_fraction": 0.1}, ds, None, None, None, None) == {
        "label_fraction": 0.1,
        "num_classes": 10,
    }
    assert objective_fields("vae", {}, ds, None, None, None, None) == {}


def test_failure_messages_name_the_phase():
    phases = _plan()
    failed = failures.located("bad data", phases, 0, "rbm1", None)
    assert failed.message == "phase 'pretrain rbm1' (block rbm1): bad data"
    assert failures.located("phase 'fine-tune': x", phases, 2, None, "c").message == (
        "phase 'fine-tune': x"
    )
    assert failures.located("early", phases, None, None, None).message == "early"
    nan = failures.not_finite(0, phases[0], 1, 7, None)
    assert "epoch 2, near batch 7" in nan.message and "no checkpoint" in nan.message
    assert failures.runtime_message(MemoryError()).startswith("out of memory")
    assert failures.runtime_message(ValueError("bug")) is None


class _Flag:
    """Stands in for the tf.Variable(bool) a compiled chunk reads."""

    def __init__(self):
        self.value = False

    def assign(self, value):
        self.value = bool(value)


def test_interrupt_flag_follows_the_control():
    from core.training.control import Control, InterruptFlag

    control = Control()
    flag = InterruptFlag(control, _Flag())
    control.add_listener(flag.raise_now)
    assert flag.arm() is False and flag.variable.value is False
    control.pause()
    assert flag.variable.value is True  # raised at once, from the steering thread
    control.resume()
    assert flag.arm() is False and flag.variable.value is False
    control.stop()
    assert flag.variable.value is True and flag.arm() is True


def test_eta_at_the_pace_so_far():
    progress = Progress(t0=time.perf_counter() - 10.0)
    assert progress.eta(5, 20) is None  # nothing trained yet
    progress.count(8.0, 100)
    assert progress.eta(5, 20) == pytest.approx(30.0, rel=0.05)
    assert progress.eta(25, 20) == 0.0
