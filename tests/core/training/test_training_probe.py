"""The timing probe: an estimate of a long first run's duration before its first phase, from a
few batches of each phase on the real data, leaving no trace in what the run trains."""

from __future__ import annotations

import re

import pytest
from training_helpers import dbn_project, kinds, run_all

from core.training import probe
from core.training.events import Finished, PhaseStarted, RunEstimate, StageProgress
from core.training.probe import PhaseTiming, time_phase
from core.training.session import run_training


class Clock:
    """A clock the fake trainer moves on: the probe's timings come out exact."""

    def __init__(self) -> None:
        self.now = 0.0

    def perf_counter(self) -> float:
        return self.now


class TimedTrainer:
    """A trainer whose batches take ``per_batch`` seconds and whose first call compiles."""

    def __init__(self, clock: Clock, per_batch: float, compile_s: float, steps=40, chunk=8):
        self.clock, self.per_batch, self.compile_s = clock, per_batch, compile_s
        self.steps_per_epoch, self.chunk = steps, chunk
        self.calls: list[tuple[int, int]] = []
        self.validated = self.reset = False

    def begin_epoch(self, epoch: int) -> None:
        pass

    def run(self, epoch: int, start: int, count: int):
        self.clock.now += (self.compile_s if not self.calls else 0.0) + self.per_batch * count
        self.calls.append((start, count))
        return count, {"loss": 1.0}

    def validation_metrics(self) -> dict:
        self.clock.now += 0.5
        self.validated = True
        return {}

    def reset_accumulators(self) -> None:
        self.reset = True


def test_a_phase_is_timed_from_batches_after_the_compiling_call(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(probe, "time", clock)
    trainer = TimedTrainer(clock, per_batch=0.01, compile_s=0.2)
    timing = time_phase(trainer, budget=0.1)
    assert timing == PhaseTiming(
        setup=pytest.approx(0.2), per_batch=pytest.approx(0.01), per_epoch=0.5
    )
    starts = [start for start, _ in trainer.calls]
    assert starts == sorted(starts) and starts[0] == 0  # consecutive batches of epoch 0
    assert max(count for _, count in trainer.calls) <= trainer.chunk
    assert sum(count for _, count in trainer.calls) <= trainer.steps_per_epoch
    assert trainer.validated and trainer.reset  # its accumulated metrics are not kept


def test_a_phase_costs_its_setup_once_and_its_batches_every_epoch():
    timing = PhaseTiming(setup=2.0, per_batch=0.1, per_epoch=0.5)
    assert timing.seconds(epochs=3, steps_per_epoch=10) == pytest.approx(2.0 + 3 * (1.0 + 0.5))


def test_a_probed_run_says_its_estimate_first_and_trains_as_without(tmp_path, digits, monkeypatch):
    from core.training import forecast

    monkeypatch.setattr(forecast, "worth_probing", lambda batches: batches > 0)
    probed = run_all(
        run_training(dbn_project(), tmp_path / "probed", dataset=digits, probe=True, stages=True)
    )
    plain = run_all(run_training(dbn_project(), tmp_path / "plain", dataset=digits))
    names = kinds(probed)
    first_phase = names.index("PhaseStarted")
    estimates = [e for e in probed if isinstance(e, RunEstimate)]
    assert len(estimates) == 1 and names.index("RunEstimate") < first_phase
    stage = [e for e in probed[:first_phase] if isinstance(e, StageProgress)][-1]
    assert stage.stage == "estimating"
    assert estimates[0].seconds > 0
    assert re.fullmatch(r"estimated from a \d+ s probe", estimates[0].basis)
    assert isinstance(probed[-1], Finished) and isinstance(plain[-1], Finished)
    # the probe's batches were undone: the same seed gives the same run
    assert probed[-1].summary["evaluation"] == plain[-1].summary["evaluation"]
    finals = [[p["final"] for p in run[-1].summary["phases"]] for run in (probed, plain)]
    # an epoch's training metrics are summed a compiled chunk at a time, and chunks are sized
    # by time: the same batches, added up in another grouping, differ in the last float digits
    assert len(finals[0]) == len(finals[1])
    for probed_final, plain_final in zip(*finals, strict=True):
        assert probed_final == pytest.approx(plain_final, rel=1e-5)


def test_no_probe_unless_asked_nor_for_a_short_run(tmp_path, digits):
    assert not probe.worth_probing(probe.PROBE_MIN_BATCHES - 1)
    assert probe.worth_probing(probe.PROBE_MIN_BATCHES)
    short = run_all(
        run_training(
            dbn_project(epochs=1, finetune_epochs=1),
            tmp_path / "s",
            dataset=digits,
            probe=True,
            stages=True,
        )
    )
    # a short run is estimated from its cost (core.training.forecast), not timed
    assert not any(isinstance(e, StageProgress) and e.stage == "estimating" for e in short)
    said = [e for e in short if isinstance(e, RunEstimate)]
    assert len(said) == 1 and "probe" not in said[0].basis
    events = run_all(
        run_training(dbn_project(epochs=1, finetune_epochs=1), tmp_path / "r", dataset=digits)
    )
    assert not any(isinstance(e, RunEstimate) for e in events)
    assert isinstance(next(e for e in events if not isinstance(e, StageProgress)), PhaseStarted)


def test_the_cli_prints_the_estimate_with_its_basis():
    import io

    from core.commands.train import _Printer

    out = io.StringIO()
    _Printer(out).event(RunEstimate(1500.0, "estimated from a 2 s probe"))
    assert out.getvalue() == "estimated duration: about 25 min (estimated from a 2 s probe)\n"
