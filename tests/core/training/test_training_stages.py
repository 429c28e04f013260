"""Honest progress around the phases: the steps a session says it is taking, with counts, and
the duration estimated from earlier runs before a run starts."""

from __future__ import annotations

import json

import pytest
from training_helpers import dbn_project, kinds, run_all

import core.data
from core.runs import RunFolder, new_run
from core.training.estimate import Estimate, estimate_duration, fingerprint
from core.training.events import STAGES, Finished, PhaseStarted, StageProgress
from core.training.session import run_training


def test_stages_come_before_and_after_the_phases_in_the_documented_order(tmp_path, digits):
    project = dbn_project(epochs=1, finetune_epochs=1)
    events = run_all(run_training(project, tmp_path / "run", dataset=digits, stages=True))
    stages = [e.stage for e in events if isinstance(e, StageProgress)]
    assert stages == ["loading-tensorflow", "building", "saving"]
    first_phase = next(i for i, e in enumerate(events) if isinstance(e, PhaseStarted))
    assert all(isinstance(e, StageProgress) for e in events[:first_phase])
    assert isinstance(events[-2], StageProgress) and events[-2].stage == "saving"
    assert isinstance(events[-1], Finished)
    assert set(stages) <= set(STAGES)


def test_without_stages_asked_the_events_are_as_before(tmp_path, digits):
    project = dbn_project(epochs=1, finetune_epochs=1)
    events = run_all(run_training(project, tmp_path / "run", dataset=digits))
    assert "StageProgress" not in kinds(events) and kinds(events)[0] == "PhaseStarted"


def test_loading_the_data_is_counted_as_it_goes(tmp_path, digits, monkeypatch):
    def slow_load(data, *, progress=None, use_cache=True):
        for done in range(4):
            progress(done, 3, f"converting {done} of 3 chorales")
        return digits

    monkeypatch.setattr(core.data, "load_dataset", slow_load)
    project = dbn_project(epochs=1, finetune_epochs=1)
    events = run_all(run_training(project, tmp_path / "run", stages=True))
    data = [e for e in events if isinstance(e, StageProgress) and e.stage == "loading-data"]
    assert data[0].text == "loading the data" and data[0].total is None
    assert data[-1].text == "converting 3 of 3 chorales" and (data[-1].done, data[-1].total) == (
        3,
        3,
    )
    assert isinstance(events[-1], Finished)


def test_a_data_loader_failure_still_becomes_one_failed_event(tmp_path, monkeypatch):
    from core.errors import DataError

    def broken(data, *, progress=None, use_cache=True):
        raise DataError("data.path: no such folder /nowhere")

    monkeypatch.setattr(core.data, "load_dataset", broken)
    events = run_all(run_training(dbn_project(), tmp_path / "run", stages=True))
    assert kinds(events)[-1] == "Failed" and "/nowhere" in events[-1].message


def test_the_loader_counts_the_pieces_it_converts():
    from core.data import load_dataset

    seen = []
    data = {
        "source": "bach-chorales",
        "limit": 3,
        "split": {"validation": 0.0, "test": 0.0, "seed": 0},
    }
    load_dataset(data, progress=lambda *u: seen.append(u), use_cache=False)
    assert seen[0] == (0, 3, "converting 0 of 3 chorales")
    assert seen[-1] == (3, 3, "converting 3 of 3 chorales")


# ---- the estimate before a run ------------------------------------------------------------


def _fake_run(root, project, *, seconds, pretraining=True, scale=1.0):
    run = new_run(project.name, root=root)
    (run.path / "project.json").write_text(json.dumps(project.to_json()))
    summary = {"pretraining": pretraining, "epochs_scale": scale, "wall_seconds": seconds}
    (run.path / "summary.json").write_text(json.dumps({"version": 1, **summary}))
    return RunFolder(run.path)


def test_the_estimate_comes_from_an_earlier_run_of_the_same_network(tmp_path):
    project = dbn_project()
    assert estimate_duration(project, pretraining=True, root=tmp_path) is None
    _fake_run(tmp_path, project, seconds=1500.0, scale=0.5)
    found = estimate_duration(project, pretraining=True, epochs_scale=1.0, root=tmp_path)
    assert isinstance(found, Estimate) and found.seconds == pytest.approx(3000.0)
    assert found.describe().startswith("about 50 min (like run ")
    assert estimate_duration(project, pretraining=False, root=tmp_path) is None


def test_the_estimate_ignores_moved_blocks_but_not_other_settings(tmp_path):
    project = dbn_project()
    _fake_run(tmp_path, project, seconds=90.0)
    moved = project.to_json()
    moved["network"]["blocks"][0]["position"] = [999.0, 999.0]
    assert fingerprint(moved) == fingerprint(project.to_json())
    other = dbn_project(epochs=7)
    assert estimate_duration(other, pretraining=True, root=tmp_path) is None
    assert estimate_duration(project, pretraining=True, root=tmp_path).seconds == 90.0


def test_a_damaged_run_gives_no_estimate_and_no_error(tmp_path):
    project = dbn_project()
    run = _fake_run(tmp_path, project, seconds=90.0)
    (run.path / "summary.json").write_text("{not json")
    assert estimate_duration(project, pretraining=True, root=tmp_path) is None
