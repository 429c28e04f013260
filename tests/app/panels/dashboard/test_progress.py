"""The dashboard's progress model, fed real training events; plain pytest, no Qt."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from app.panels.dashboard.blocks import BlockState
from app.panels.dashboard.progress import (
    ALL_PHASES,
    NETWORK,
    ProgressModel,
    RunStatus,
    View,
)
from core.training.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochMetrics,
    Failed,
    Finished,
    PhaseStarted,
    Snapshot,
    Stopped,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def pretrain(index: int, block: str, count: int = 3, epochs: int = 2) -> PhaseStarted:
    return PhaseStarted(index, count, f"pretrain {block}", "pretrain", block, "rbm", epochs, 4)


def finetune(index: int, count: int = 3, epochs: int = 2) -> PhaseStarted:
    return PhaseStarted(index, count, "fine-tune", "finetune", None, "classifier", epochs, 4)


def epoch(phase: int, n: int, eta: float | None = None, **metrics) -> EpochMetrics:
    return EpochMetrics(phase, None, n, metrics or {"loss": 1.0 / (n + 1)}, 1.0, 500.0, eta)


def snapshot(phase: int, block: str | None, n: int = 0) -> Snapshot:
    filters = np.ones((4, 8, 8), np.float32)
    return Snapshot(phase, block, n, filters, None, None, None, None)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def model(clock):
    m = ProgressModel(["rbm1", "rbm2", "classes"], clock=clock)
    m.begin()
    return m


def test_importing_the_model_loads_no_qt():
    code = (
        "import sys, app.panels.dashboard.progress, app.panels.dashboard.blocks; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'superqt', 'tensorflow', 'keras')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_run_state_follows_the_events(model, clock):
    assert model.status is RunStatus.STARTING and model.status.active
    model.feed(pretrain(0, "rbm1"))
    assert model.status is RunStatus.RUNNING
    model.pause()
    assert model.status is RunStatus.PAUSED and model.paused
    model.resume()
    assert model.status is RunStatus.RUNNING
    changed = model.feed(Finished("/runs/r1", {"phases": []}))
    assert changed == frozenset(View)
    assert model.status is RunStatus.FINISHED and not model.status.active
    assert isinstance(model.final, Finished)


@pytest.mark.parametrize(
    ("final", "status"),
    [
        (Stopped("/runs/r", 0, 1, None), RunStatus.STOPPED),
        (Failed("pretrain rbm1: the loss became NaN", 0, "rbm1"), RunStatus.FAILED),
    ],
)
def test_a_run_that_ends_early(model, final, status):
    model.feed(pretrain(0, "rbm1"))
    model.feed(final)
    assert model.status is status
    assert not model.status.active


def test_a_worker_gone_without_a_final_event_counts_as_stopped(model):
    model.worker_ended()
    assert model.status is RunStatus.STOPPED
    model.feed(Finished("/runs/r", {}))
    model.worker_ended()
    assert model.status is RunStatus.FINISHED


def test_block_states_through_a_whole_run(model):
    heard = []
    model.blocks.listeners.append(lambda block, state: heard.append((block, state)))
    for event in (
        pretrain(0, "rbm1"),
        pretrain(1, "rbm2"),
        finetune(2),
        Finished("/runs/r", {}),
    ):
        model.feed(event)
    assert [s for b, s in heard if b == "rbm1"] == [
        BlockState.PRETRAINING,
        BlockState.PRETRAINED,
        BlockState.FINE_TUNING,
        BlockState.TRAINED,
    ]
    assert [s for b, s in heard if b == "classes"] == [BlockState.FINE_TUNING, BlockState.TRAINED]
    assert model.blocks.as_dict() == dict.fromkeys(("rbm1", "rbm2", "classes"), "trained")
    assert str(BlockState.FINE_TUNING) == "fine-tuning"


def test_pretrained_blocks_stay_frozen_when_their_learning_rate_is_zero(clock):
    model = ProgressModel(["rbm1", "classes"], pretrained_lr_scale=0.0, clock=clock)
    model.begin()
    model.feed(pretrain(0, "rbm1", count=2))
    model.feed(finetune(1, count=2))
    assert model.blocks.get("rbm1") is BlockState.FROZEN
    assert model.blocks.get("classes") is BlockState.FINE_TUNING
    model.feed(Stopped("/runs/r", 1, 0, None))
    assert model.blocks.as_dict() == {"rbm1": "pretrained", "classes": "untrained"}


def test_a_failure_takes_blocks_back_and_names_the_phase_block(model):
    model.feed(pretrain(0, "rbm1"))
    model.feed(pretrain(1, "rbm2"))
    model.feed(Failed("the loss became NaN", phase=1))
    assert model.blocks.get("rbm1") is BlockState.PRETRAINED
    assert model.blocks.get("rbm2") is BlockState.UNTRAINED
    assert model.failed_block() == "rbm2"


def test_a_pretraining_only_run_leaves_blocks_pretrained(model):
    model.feed(pretrain(0, "rbm1", count=1))
    model.feed(Finished("/runs/r", {}))
    assert model.blocks.get("rbm1") is BlockState.PRETRAINED
    assert model.blocks.get("classes") is BlockState.UNTRAINED


def test_curves_per_phase_and_on_one_axis(model):
    model.feed(pretrain(0, "rbm1", count=2, epochs=2))
    model.feed_batches(
        [BatchMetrics(0, "rbm1", 0, 0, {"loss": 1.0}), BatchMetrics(0, "rbm1", 0, 1, {"loss": 3.0})]
    )
    for n in range(2):
        model.feed(epoch(0, n, reconstruction_error=0.5 - 0.1 * n, val_reconstruction_error=0.6))
    model.feed(finetune(1, count=2, epochs=3))
    model.feed(epoch(1, 0, loss=0.9, val_loss=1.0, accuracy=0.5, note="not a number"))
    assert model.phases[0].batch_x == [0.5] and model.phases[0].batch_y == [2.0]
    specs, bx, by = model.curve_specs(ALL_PHASES)
    by_key = {s.key: s for s in specs}
    assert set(by_key) == {
        "0:reconstruction_error",
        "0:val_reconstruction_error",
        "1:loss",
        "1:val_loss",
    }
    assert by_key["1:loss"].xs == [3]  # after the 2 epochs of phase 0
    assert by_key["1:loss"].label == "2. fine-tune" and by_key["1:val_loss"].label is None
    assert by_key["1:val_loss"].dashed and by_key["1:val_loss"].colour == 1
    assert (bx, by) == ([0.5], [2.0])
    one, _, _ = model.curve_specs(1)
    assert [s.key for s in one] == ["accuracy", "loss", "val_loss"]
    colours = {s.key: s.colour for s in one}
    assert colours["val_loss"] == colours["loss"] != colours["accuracy"]
    assert model.curve_specs(None) == ([], [], [])


def test_fraction_eta_and_elapsed_with_pauses_left_out(model, clock):
    assert model.fraction() == 0.0
    model.feed(pretrain(0, "rbm1", count=2, epochs=4))
    model.feed(BatchMetrics(0, "rbm1", 1, 1, {"loss": 1.0}))  # epoch 2 of 4, half done
    assert model.fraction() == pytest.approx((0 + 1.5 / 4) / 2)
    assert model.eta() is None
    clock.now += 10
    model.feed(epoch(0, 1, eta=30.0))  # 1 s elapsed per the session, 30 s left
    assert model.fraction() == pytest.approx(1 / 31)
    clock.now += 5
    assert model.eta() == pytest.approx(25.0)
    model.pause()
    clock.now += 100
    assert model.eta() == pytest.approx(25.0)
    assert model.elapsed() == pytest.approx(15.0)
    model.resume()
    clock.now += 2
    assert model.elapsed() == pytest.approx(17.0)
    assert model.eta() == pytest.approx(23.0)
    model.feed(Finished("/runs/r", {}))
    clock.now += 50
    assert model.fraction() == 1.0 and model.eta() == 0.0
    assert model.elapsed() == pytest.approx(17.0)


def test_phase_line(model):
    assert model.phase_line() is None
    model.feed(pretrain(0, "rbm1", epochs=10))
    model.feed(epoch(0, 0))
    assert model.phase_line() == "Phase 1/3: pretrain rbm1 · epoch 2/10 · 500 samples/s"
    model.pause()
    assert model.phase_line().endswith("(paused)")
    model.feed(Stopped("/runs/r", 0, 1, None))
    assert model.phase_line() is None


def test_the_shown_snapshot_follows_the_phase_until_a_block_is_picked(model):
    assert model.shown_snapshot() is None
    model.feed(pretrain(0, "rbm1"))
    assert model.feed(snapshot(0, "rbm1")) == {View.FILTERS, View.RECON, View.HIST, View.WEIGHTS}
    model.feed(pretrain(1, "rbm2"))
    assert model.selected_block == "rbm2"
    assert model.shown_snapshot().block == "rbm1"  # none of rbm2 yet: the latest there is
    model.feed(snapshot(1, "rbm2"))
    model.select_block("rbm1")
    model.feed(finetune(2))
    model.feed(snapshot(2, None))
    assert model.shown_snapshot().block == "rbm1"
    model.select_block(None)
    model.feed(finetune(2))
    assert model.selected_block == NETWORK
    assert model.shown_snapshot().block is None
    assert list(model.snapshots) == ["rbm1", "rbm2", NETWORK]


def test_checkpoints_change_nothing_shown(model):
    assert model.feed(CheckpointWritten(0, 0, "/runs/r/ck")) == frozenset()
    assert model.feed_batches([]) == frozenset()


def test_the_steps_around_the_phases_say_what_they_do_with_a_count(model, clock):
    from core.training.events import StageProgress

    model.begin()
    assert model.feed(StageProgress("loading-tensorflow", "loading TensorFlow")) == {View.STATUS}
    assert model.phase_line() == "Loading TensorFlow…"
    model.feed(StageProgress("loading-data", "converting 37 of 400 chorales", 37, 400))
    assert model.phase_line() == "Converting 37 of 400 chorales…"
    model.pause()
    assert model.phase_line() == "Converting 37 of 400 chorales… (paused)"
    model.resume()
    model.feed(finetune(0, count=1, epochs=5))
    model.feed(BatchMetrics(0, None, 1, 119, {"loss": 1.0}))
    assert model.phase_line() == "Phase 1/1: fine-tune · epoch 2/5 · batch 4/4"
    model.feed(StageProgress("saving", "evaluating and saving the model"))
    assert model.phase_line() == "Evaluating and saving the model…"
    model.feed(Finished("/runs/r", {}))
    assert model.phase_line() is None


def test_the_clock_stops_and_the_eta_clears_when_a_run_is_stopped(model, clock):
    model.begin()
    model.feed(pretrain(0, "rbm1", count=2, epochs=4))
    clock.now += 10
    model.feed(epoch(0, 0, eta=30.0))
    assert model.eta() == pytest.approx(30.0)
    model.feed(Stopped("/runs/r", 0, 1, None))
    clock.now += 60
    assert model.elapsed() == pytest.approx(10.0)
    assert model.eta() is None


def test_the_clock_stops_when_the_worker_ends_without_a_last_event(model, clock):
    model.begin()
    model.feed(pretrain(0, "rbm1"))
    clock.now += 5
    model.worker_ended()
    clock.now += 60
    assert model.elapsed() == pytest.approx(5.0) and model.eta() is None


def test_the_eta_before_the_first_epoch_comes_from_the_estimate_and_never_sits_at_zero(
    model, clock
):
    assert ProgressModel(clock=clock).eta() is None  # idle
    model.estimate = 100.0
    clock.now += 30
    assert model.eta() == pytest.approx(70.0)
    model.feed(pretrain(0, "rbm1", count=1, epochs=4))
    model.feed(epoch(0, 0, eta=5.0))
    clock.now += 4
    assert model.eta() == pytest.approx(1.0)
    clock.now += 60  # the session's estimate ran out; the run goes on
    assert model.eta() is None


def test_a_long_run_keeps_its_batch_curve_bounded_and_its_shape(model):
    from app.panels.dashboard.progress import MAX_BATCH_POINTS

    model.feed(pretrain(0, "rbm1", epochs=1000))
    steps = model.current.steps_per_epoch
    groups = 3 * MAX_BATCH_POINTS + 7
    for i in range(groups):  # a loss falling from 2 to 1
        e, s = divmod(i, steps)
        model.feed_batches([BatchMetrics(0, "rbm1", e, s, {"loss": 2.0 - i / groups})])
    phase = model.phases[0]
    assert MAX_BATCH_POINTS // 2 <= len(phase.batch_x) <= MAX_BATCH_POINTS
    assert len(phase.batch_x) == len(phase.batch_y)
    last = divmod(groups - 1, steps)
    assert phase.batch_x[-1] == last[0] + (last[1] + 1) / steps  # the newest point is kept
    assert phase.batch_y[-1] == 2.0 - (groups - 1) / groups
    assert np.all(np.diff(phase.batch_x) > 0)
    assert np.all(np.diff(phase.batch_y) <= 1e-12)  # still falling, merged pairwise
    assert phase.batch_y[0] == pytest.approx(2.0, abs=0.01)
    _, xs, ys = model.curve_specs(0)
    assert len(xs) == len(phase.batch_x)


def test_a_probed_estimate_counts_down_and_says_its_basis_until_an_epoch_tells(model, clock):
    from core.training.events import RunEstimate

    model.begin()
    clock.now += 20  # loading TensorFlow, the data and the probe
    assert model.feed(RunEstimate(100.0, "estimated from a 2 s probe")) == {View.STATUS}
    assert model.estimate == pytest.approx(120.0)
    clock.now += 30
    assert model.eta() == pytest.approx(70.0)
    model.feed(finetune(0, count=1, epochs=5))
    line = model.phase_line()
    assert line.endswith("· about 2 min in all (estimated from a 2 s probe)"), line
    model.feed(epoch(0, 0, eta=40.0))  # the session's own figure takes over
    assert "probe" not in model.phase_line()
    assert model.eta() == pytest.approx(40.0)


def test_an_earlier_runs_estimate_is_kept_over_a_probe(model):
    from core.training.events import RunEstimate

    model.begin()
    model.estimate = 300.0  # from an earlier run like this one
    model.feed(RunEstimate(100.0, "estimated from a 2 s probe"))
    assert model.estimate == 300.0 and model.estimate_basis is None
