"""Optional per-epoch work paced by time: the budget's arithmetic with a fake clock, the writer
thread's part counted, and what a session does with it (every epoch when there is time, only
each phase's last one when there is none, a Stop still checkpointed where it stopped)."""

from __future__ import annotations

import math

import pytest
from training_helpers import dbn_project, run_all

from core.runs import RunFolder, read_json
from core.training import cadence
from core.training.background import BackgroundWriter
from core.training.cadence import CHECKPOINT, FIRST_GUESS, SNAPSHOT, Cadence, ChunkPace
from core.training.control import Control
from core.training.events import BatchMetrics, CheckpointWritten, EpochMetrics, Snapshot, Stopped
from core.training.session import run_training


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_work_is_due_while_it_fits_the_share_of_the_phase_time():
    clock = Clock()
    pace = Cadence(writer=None, share=0.1, clock=clock)
    clock.now += FIRST_GUESS * 10 - 0.01  # not yet time for the first guess of its cost
    assert not pace.due(SNAPSHOT)
    assert pace.due(SNAPSHOT, last=True)  # a phase's last epoch always
    clock.now += 0.02
    assert pace.due(SNAPSHOT)
    with pace.timed(SNAPSHOT):
        clock.now += 0.2  # it cost 0.2 s: the next one waits until 4 s have gone
    assert pace.cost(SNAPSHOT) == pytest.approx(0.2) and pace.spent() == pytest.approx(0.2)
    clock.now += 3.2
    assert not pace.due(SNAPSHOT)  # 0.2 + 0.2 > 0.1 * 3.91
    clock.now += 0.1
    assert pace.due(SNAPSHOT)
    pace.begin_phase()  # a new phase: its own budget, the measured cost kept
    assert pace.spent() == 0.0 and pace.cost(SNAPSHOT) == pytest.approx(0.2)
    clock.now += 1.9
    assert not pace.due(SNAPSHOT) and pace.due(CHECKPOINT)  # 0.05 fits, 0.2 does not yet


def test_the_writer_threads_part_counts_for_the_kind_that_submitted_it():
    writer = BackgroundWriter()
    pace = Cadence(writer)

    def busy():
        sum(i * i for i in range(300_000))

    with pace.timed(CHECKPOINT):
        pace.submit(busy)
    pace.submit(busy)  # outside any kind: not counted
    writer.drain()
    writer.close()
    on_writer = pace._costs[(CHECKPOINT, "writer")]
    assert on_writer > 0.001  # the job's CPU seconds, though it ran after timed() ended
    assert pace.cost(CHECKPOINT) == pytest.approx(pace.spent())


def _per_phase(events, kind):
    seen: dict[int, list[int]] = {}
    for event in events:
        if isinstance(event, kind):
            seen.setdefault(event.phase, []).append(event.epoch)
    return seen


def test_with_time_to_spare_every_epoch_is_snapshotted_and_checkpointed(
    tmp_path, digits, monkeypatch
):
    monkeypatch.setattr(cadence, "SHARE", math.inf)
    events = run_all(
        run_training(dbn_project(epochs=3, finetune_epochs=2), tmp_path, dataset=digits)
    )
    every = {0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1]}
    assert _per_phase(events, Snapshot) == every
    assert _per_phase(events, CheckpointWritten) == every
    assert len(RunFolder(tmp_path).snapshot_files()) == 8


def test_without_time_to_spare_each_phase_still_ends_with_both(tmp_path, digits, monkeypatch):
    monkeypatch.setattr(cadence, "SHARE", 0.0)
    events = run_all(
        run_training(dbn_project(epochs=3, finetune_epochs=2), tmp_path, dataset=digits)
    )
    last = {0: [2], 1: [2], 2: [1]}
    assert _per_phase(events, Snapshot) == last
    assert _per_phase(events, CheckpointWritten) == last
    assert _per_phase(events, EpochMetrics) == {0: [0, 1, 2], 1: [0, 1, 2], 2: [0, 1]}
    assert len(RunFolder(tmp_path).read_metrics()) == 8  # one line an epoch, as ever


def test_the_snapshot_setting_still_spaces_snapshots(tmp_path, digits, monkeypatch):
    monkeypatch.setattr(cadence, "SHARE", math.inf)
    project = dbn_project(epochs=5, finetune_epochs=1)
    events = run_all(run_training(project, tmp_path, dataset=digits, snapshot_every=2))
    assert _per_phase(events, Snapshot) == {0: [1, 3, 4], 1: [1, 3, 4], 2: [0]}


def test_a_stop_between_paced_checkpoints_is_checkpointed_where_it_stopped(
    tmp_path, digits, monkeypatch
):
    monkeypatch.setattr(cadence, "SHARE", 0.0)
    control = Control()
    gen = run_training(dbn_project(epochs=4), tmp_path, control=control, dataset=digits)
    for event in gen:
        if isinstance(event, EpochMetrics) and event.phase == 0 and event.epoch == 1:
            control.stop()
    assert isinstance(event, Stopped) and (event.phase, event.epoch) == (0, 2)
    state = read_json(tmp_path / "checkpoints" / "state.json")
    assert (state["phase"], state["epoch"], state["step"]) == (0, 2, 0)


def test_a_run_cut_off_between_paced_checkpoints_resumes_without_doubled_lines(
    tmp_path, digits, monkeypatch
):
    monkeypatch.setattr(cadence, "SHARE", 0.0)  # checkpoints only at each phase's end
    project = dbn_project(epochs=3, finetune_epochs=2)
    gen = run_training(project, tmp_path, dataset=digits)
    for event in gen:
        if isinstance(event, EpochMetrics) and event.phase == 1 and event.epoch == 1:
            break
    gen.close()  # as if the process had gone: phase 1's first two epochs are on no checkpoint
    assert read_json(tmp_path / "checkpoints" / "state.json")["phase"] == 0
    resumed = run_all(run_training(project, tmp_path, dataset=digits, resume=True))
    assert type(resumed[-1]).__name__ == "Finished"
    lines = [(r["phase_index"], r["epoch"]) for r in RunFolder(tmp_path).read_metrics()]
    assert lines == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (2, 0), (2, 1)]


def test_compiled_calls_are_sized_to_last_a_quarter_second_from_the_last_ones_pace():
    clock = Clock()
    chunk = ChunkPace(20, seconds=0.25, clock=clock)
    assert chunk.compiled and chunk.size(left=200) == 20 and chunk.size(left=7) == 7
    chunk.start()
    clock.now += 1.0  # the first call compiles: 20 batches took a second
    assert chunk.took(20) == pytest.approx(1.0)
    assert chunk.size(left=200) == 5
    chunk.start()
    clock.now += 0.01  # then a batch takes 2 ms: 125 of them fill a quarter of a second
    chunk.took(5)
    assert chunk.size(left=1000) == 125 and chunk.size(left=30) == 30
    chunk.start()
    clock.now += 5.0  # a slow call never sizes the next below one batch
    chunk.took(125)
    assert chunk.size(left=1000) == 6
    chunk.start()
    clock.now += 9.0
    chunk.took(1)
    assert chunk.size(left=1000) == 1


def test_batch_by_batch_stays_batch_by_batch():
    clock = Clock()
    chunk = ChunkPace(1, clock=clock)
    chunk.start()
    clock.now += 0.001
    chunk.took(1)
    assert not chunk.compiled and chunk.size(left=100) == 1


def test_a_fast_phase_reports_a_few_times_a_second_not_every_tenth_of_an_epoch(
    tmp_path, digits, monkeypatch
):
    monkeypatch.setattr(cadence, "CHUNK_SECONDS", 60.0)  # every call may run a whole epoch
    control = Control()  # a listener: compiled chunks can be cut short
    events = run_all(run_training(dbn_project(epochs=3), tmp_path, control=control, dataset=digits))
    first_phase = [e for e in events if isinstance(e, BatchMetrics) and e.phase == 0]
    epochs = [e.epoch for e in first_phase]
    # the first call runs the trainer's own chunk; from the second on, the rest of an epoch
    assert epochs.count(0) == 2 and epochs.count(1) == 1 and epochs.count(2) == 1
