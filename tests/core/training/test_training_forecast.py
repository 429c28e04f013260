"""A first run's duration from its cost: every new run asked for an estimate gets one before
its first phase, from shapes and counts at this machine's speed, corrected by earlier runs
here; nothing is compiled or trained for it, and no odd run folder breaks it."""

from __future__ import annotations

import json
import re
import time

import pytest
from training_helpers import dbn_project, kinds, run_all

from core.training import cost, forecast, run_speed, speed
from core.training.events import Finished, PhaseStarted, RunEstimate, StageProgress
from core.training.session import run_training

MACHINE = speed.MachineSpeed(
    ops_per_second=1e9,
    setup_own=1.0,
    setup_optimizer=3.0,
    setup_per_layer=0.5,
    setup_recurrent=2.0,
    batch_own=1e-3,
    batch_optimizer=4e-3,
    per_time_step=1e-4,
    per_epoch=0.1,
    finish=2.0,
)


@pytest.fixture
def runs_root(tmp_path, monkeypatch):
    """A private runs root (the user data folder) and cache folder for the test."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LAYERWISE_CACHE_DIR", str(tmp_path / "cache"))
    from core.runs import runs_root

    return runs_root()


def _rbm_cost(**changes) -> cost.PhaseCost:
    fields = dict(
        name="pretrain rbm1",
        method="rbm",
        epochs=3,
        batches=100,
        train_ops=2e9,
        val_ops=1e8,
        setup_ops=0.0,
        layers=1,
        time_steps=0,
    )
    fields.update(changes)
    return cost.PhaseCost(**fields)


def test_a_short_first_run_says_its_estimate_from_this_machines_speed(runs_root, digits):
    project = dbn_project(epochs=1, finetune_epochs=1)
    events = run_all(
        run_training(project, runs_root / "first", dataset=digits, probe=True, stages=True)
    )
    names = kinds(events)
    estimates = [e for e in events if isinstance(e, RunEstimate)]
    assert len(estimates) == 1 and names.index("RunEstimate") < names.index("PhaseStarted")
    assert estimates[0].basis == "estimated from this machine's speed"
    assert 0.05 < estimates[0].seconds < 600
    # no probe: nothing is timed before the first phase
    assert not any(isinstance(e, StageProgress) and e.stage == "estimating" for e in events)
    summary = events[-1].summary
    assert isinstance(events[-1], Finished)
    kept = summary["duration_model"]
    assert [p["name"] for p in kept["phases"]] == [p["name"] for p in summary["phases"]]
    assert kept["start"] >= 0


def test_the_next_run_is_estimated_from_the_earlier_ones(runs_root, digits, tmp_path):
    mine = tmp_path / "my-runs"  # beside it, not in the runs folder (layerwise train --out)
    project = dbn_project(epochs=2, finetune_epochs=2)
    run_all(run_training(project, mine / "one", dataset=digits, probe=True))
    other = dbn_project(epochs=1, finetune_epochs=3)  # another plan: its cost is not the same
    events = run_all(run_training(other, mine / "two", dataset=digits, probe=True))
    estimate = next(e for e in events if isinstance(e, RunEstimate))
    assert estimate.basis == "estimated from earlier runs on this machine"
    assert isinstance(events[-1], Finished)


def test_the_estimate_never_makes_a_trainer_nor_changes_a_weight(runs_root, digits, monkeypatch):
    from core.training import session as session_module

    made: list[str] = []
    real = session_module._Session._make_trainer

    def counted(self, index, phase, pretrained):
        made.append(phase.name)
        return real(self, index, phase, pretrained)

    monkeypatch.setattr(session_module._Session, "_make_trainer", counted)
    weights_at_estimate = []
    real_costs = cost.plan_costs

    def costs_and_weights(session):
        before = [w.copy() for w in session.model.get_weights()]
        found = real_costs(session)
        after = session.model.get_weights()
        weights_at_estimate.append(all((a == b).all() for a, b in zip(before, after, strict=True)))
        return found

    monkeypatch.setattr(cost, "plan_costs", costs_and_weights)
    project = dbn_project(epochs=1, finetune_epochs=1)
    events = run_all(run_training(project, runs_root / "r", dataset=digits, probe=True))
    phases = [e.name for e in events if isinstance(e, PhaseStarted)]
    assert made == phases  # one trainer a phase: none made, nothing compiled, for the estimate
    assert weights_at_estimate == [True]


def test_the_estimate_takes_milliseconds(runs_root):
    costs = [_rbm_cost(), _rbm_cost(name="fine-tune", method="classifier", layers=3)]
    forecast.estimate_from_cost(costs, "CPU")  # measures the machine once, then keeps it
    began = time.process_time()
    found = forecast.estimate_from_cost(costs, "CPU")
    assert found is not None and time.process_time() - began < 0.25


def test_a_phase_costs_its_setup_once_its_epochs_each_and_the_run_its_finish():
    rbm = _rbm_cost()
    setup = 1.0 + 0.5
    epoch = 100 * 1e-3 + (2e9 + 1e8) / 1e9 + 0.1
    assert MACHINE.phase_seconds(rbm) == pytest.approx(setup + 3 * epoch)
    assert MACHINE.run_seconds([rbm, _rbm_cost(epochs=0)]) == pytest.approx(setup + 3 * epoch + 2)
    # an optimizer's steps through one recurrent layer of 10 steps
    tuned = _rbm_cost(method="classifier", layers=2, time_steps=10, recurrent=1)
    epoch = 100 * (4e-3 + 10 * 1e-4) + (2e9 + 1e8) / 1e9 + 0.1
    assert MACHINE.phase_seconds(tuned) == pytest.approx(3.0 + 2 * 0.5 + 2.0 + 3 * epoch)


def test_layer_costs_count_kernels_where_they_apply():
    import keras

    dense = keras.layers.Dense(10)
    dense(keras.Input((64,)))
    assert cost.forward_ops(dense, (1, 64)) == 2 * 64 * 10  # the bias left out
    lstm = keras.layers.LSTM(8)
    lstm(keras.Input((None, 5)))  # the steps come from the data
    assert cost.forward_ops(lstm, (1, 32, 5)) == 2 * (5 * 32 + 8 * 32) * 32
    conv = keras.layers.Conv2D(4, 3, padding="same")
    conv(keras.Input((6, 6, 2)))
    assert cost.forward_ops(conv, (1, 6, 6, 2)) == 2 * (3 * 3 * 2 * 4) * 36
    assert cost._recurrent([dense, lstm, conv]) == 1
    assert cost._time_steps([dense, lstm, conv], (1, 32, 5)) == 32


def test_contrastive_divergence_costs_more_gibbs_steps(runs_root, digits):
    kept = {}
    for k in (1, 5):
        project = dbn_project(epochs=1, finetune_epochs=1, rbm={"cd_k": k})
        events = run_all(run_training(project, runs_root / f"k{k}", dataset=digits))
        phases = events[-1].summary["duration_model"]["phases"]
        kept[k] = [cost.PhaseCost.from_record(p) for p in phases]
    one, five = kept[1][0], kept[5][0]
    assert five.train_ops / one.train_ops == pytest.approx((3 + 2 * 5) / (3 + 2 * 1))
    assert five.batches == one.batches and (one.layers, five.layers) == (1, 2)  # traced Gibbs
    assert one.setup_ops == 0 and kept[1][1].setup_ops > 0  # rbm2's inputs go through rbm1
    tune = kept[1][2]
    assert tune.method == "classifier" and tune.layers == 3 and tune.epochs == 1


def _write_run(root, name, costs, epoch_ends, wall, device="CPU", start=0.5):
    run = root / name
    run.mkdir(parents=True)
    summary = {
        "format": "layerwise-run",
        "version": 1,
        "device": device,
        "wall_seconds": wall,
        "duration_model": {"start": start, "phases": [c.as_record() for c in costs]},
    }
    (run / "summary.json").write_text(json.dumps(summary))
    (run / "project.json").write_text("{}")
    lines = [
        {"phase": costs[i].name, "phase_index": i, "epoch": e, "wall_time": t}
        for i, ends in enumerate(epoch_ends)
        for e, t in enumerate(ends)
    ]
    (run / "metrics.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    return run


def test_earlier_runs_correct_the_machines_setup_and_epoch_pace_apart(tmp_path):
    rbm = _rbm_cost()
    setup, epoch = MACHINE.setup_seconds(rbm), MACHINE.epoch_seconds(rbm)
    # this machine ran epochs at half the predicted pace and set up three times slower
    ends = [0.5 + 3 * setup + 2 * epoch * (i + 1) for i in range(3)]
    _write_run(tmp_path, "a", [rbm], [ends], wall=ends[-1] + 1.0)
    found = run_speed.correction(MACHINE, "CPU", [tmp_path])
    assert found.runs == 1
    assert found.epoch == pytest.approx(2.0)
    assert found.setup == pytest.approx(3.0)
    assert found.finish == pytest.approx(0.5)
    corrected = found.apply(MACHINE)
    assert corrected.phase_seconds(rbm) == pytest.approx(3 * setup + 3 * 2 * epoch)


def test_runs_on_another_device_or_without_a_cost_are_not_used(tmp_path):
    rbm = _rbm_cost()
    _write_run(tmp_path, "gpu", [rbm], [[5.0, 6.0, 7.0]], wall=8.0, device="GPU:0")
    plain = tmp_path / "old"
    plain.mkdir()
    (plain / "summary.json").write_text(json.dumps({"version": 1, "wall_seconds": 30.0}))
    assert run_speed.correction(MACHINE, "CPU", [tmp_path]).runs == 0


ODD_SUMMARIES = [
    "not json at all",
    "[1, 2, 3]",
    '{"version": 1, "device": "CPU", "wall_seconds": "soon", "duration_model": {}}',
    '{"version": 1, "device": "CPU", "wall_seconds": 9, "duration_model": []}',
    '{"version": 1, "device": "CPU", "wall_seconds": 9, "duration_model": '
    '{"start": "x", "phases": [{"name": 1}]}}',
    '{"version": 1, "device": "CPU", "wall_seconds": 9, "duration_model": '
    '{"start": 0, "phases": [{"name": "p", "method": "rbm", "epochs": "many", "batches": 1,'
    ' "train_ops": 1, "val_ops": 0, "setup_ops": 0, "layers": 1, "time_steps": 0}]}}',
    '{"version": 99, "device": "CPU"}',
    '{"version": 1, "device": "CPU", "wall_seconds": 1e400, "duration_model": {"start": 0}}',
]


def test_odd_earlier_run_folders_never_break_the_estimate(tmp_path):
    rbm = _rbm_cost()
    for i, text in enumerate(ODD_SUMMARIES):
        run = tmp_path / f"odd{i}"
        run.mkdir()
        (run / "summary.json").write_text(text)
        (run / "metrics.jsonl").write_text('{"phase_index": 0, "wall_time": NaN}\n{bad\n')
    (tmp_path / "a-file-not-a-folder").write_text("x")
    bad_metrics = _write_run(tmp_path, "bad-metrics", [rbm], [[1.0]], wall=2.0)
    (bad_metrics / "metrics.jsonl").write_bytes(b"\xff\xfe\x00garbage\n" * 3)
    (tmp_path / "unreadable").mkdir()
    (tmp_path / "unreadable" / "summary.json").mkdir()  # a folder where a file should be
    found = forecast.estimate_from_cost([rbm], "CPU", roots=[tmp_path], cache=tmp_path / "c")
    assert found is not None and found.basis == forecast.FROM_MACHINE_SPEED
    assert found.seconds > 0
    # one good run among them is used
    ends = [2.0, 3.0, 4.0]
    _write_run(tmp_path, "good", [rbm], [ends], wall=5.0)
    found = forecast.estimate_from_cost([rbm], "CPU", roots=[tmp_path], cache=tmp_path / "c")
    assert found is not None and found.basis == forecast.FROM_EARLIER_RUNS


def test_the_machines_speed_is_measured_once_and_a_damaged_record_measured_again(tmp_path):
    first = speed.benchmark(tmp_path)
    kept = json.loads((tmp_path / speed.SPEED_FILE).read_text())
    assert kept["machine"] == speed.machine_key() and kept["matmul"] == first[0]
    assert speed.benchmark(tmp_path) == first  # read back, not measured again
    for damaged in (
        "{",
        '{"version": 1, "machine": "elsewhere", "matmul": 1, "python": 1}',
        '{"version": 1, "matmul": -1}',
        "[]",
    ):
        (tmp_path / speed.SPEED_FILE).write_text(damaged)
        matmul, python = speed.benchmark(tmp_path)
        assert matmul > 1e6 and python > 1e4
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder should be")
    assert speed.benchmark(blocked)[0] > 1e6  # measured, not kept, no error


def test_the_cli_says_the_estimate_and_its_basis():
    import io

    from core.commands.train import _Printer

    out = io.StringIO()
    _Printer(out).event(RunEstimate(42.0, forecast.FROM_MACHINE_SPEED))
    line = out.getvalue()
    assert re.fullmatch(
        r"estimated duration: about 42 s \(estimated from this machine's speed\)\n", line
    )
