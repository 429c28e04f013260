"""The run folder: paths, versioned summary, snapshots, checkpoints, metrics, listing."""

from __future__ import annotations

import json
import os
import stat
import time

import numpy as np
import pytest

from core import runs
from core.errors import ModelFileError
from core.runs import RunFolder, SnapshotName


def test_every_path_of_a_run(tmp_path):
    run = RunFolder(tmp_path / "r")
    assert run.model == tmp_path / "r" / "model.keras"
    assert run.checkpoints == tmp_path / "r" / "checkpoints"
    assert run.state == tmp_path / "r" / "checkpoints" / "state.json"
    assert run.metrics == tmp_path / "r" / "metrics.jsonl"
    assert run.summary == tmp_path / "r" / "summary.json"
    assert run.snapshots == tmp_path / "r" / "snapshots"
    assert run.project == tmp_path / "r" / "project.json"
    assert run.evaluation == tmp_path / "r" / "evaluation.json"
    assert run.snapshot_path(1, "rbm2", 3) == run.snapshots / "01-rbm2-e0003.npz"
    assert os.fspath(run) == str(run) == str(tmp_path / "r")


def test_snapshot_names_round_trip():
    name = SnapshotName(2, "finetune", 12)
    assert name.file_name == "02-finetune-e0012.npz"
    assert SnapshotName.parse("/x/snapshots/02-finetune-e0012.npz") == name
    assert SnapshotName.parse("00-my-block-e0001.npz") == SnapshotName(0, "my-block", 1)
    assert SnapshotName.parse("pretrain-rbm1-epoch2.npz") is None
    assert name.describe() == "phase 3 · finetune · epoch 12"


def test_summary_is_written_with_format_and_version_and_read_back(tmp_path):
    run = RunFolder(tmp_path)
    written = run.write_summary({"project": "p", "loss": float("nan"), "n": np.int64(3)})
    assert written == {
        "format": "layerwise-run",
        "version": runs.SUMMARY_VERSION,
        "project": "p",
        "loss": None,
        "n": 3,
    }
    assert json.loads(run.summary.read_text(encoding="utf-8")) == written
    assert run.read_summary() == written


def test_an_unversioned_summary_migrates(tmp_path):
    run = RunFolder(tmp_path)
    old = {"project": "p", "phases": [], "device": "CPU"}
    run.summary.write_text(json.dumps(old), encoding="utf-8")
    summary = run.read_summary()
    assert summary["version"] == runs.SUMMARY_VERSION
    assert summary["format"] == "layerwise-run"
    assert {k: summary[k] for k in old} == old
    assert json.loads(run.summary.read_text(encoding="utf-8")) == old  # the file is untouched


def test_a_newer_or_malformed_summary_version_is_refused(tmp_path):
    run = RunFolder(tmp_path)
    run.summary.write_text(json.dumps({"version": runs.SUMMARY_VERSION + 1}), encoding="utf-8")
    with pytest.raises(ModelFileError, match="newer Layerwise"):
        run.read_summary()
    run.summary.write_text(json.dumps({"version": "one"}), encoding="utf-8")
    with pytest.raises(ModelFileError, match="version"):
        run.read_summary()
    run.summary.write_text('{"cut": ', encoding="utf-8")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        run.read_summary()


def test_missing_files_read_as_nothing(tmp_path):
    run = RunFolder(tmp_path / "none")
    assert run.read_summary() is None
    assert run.read_project_json() is None
    assert run.read_metrics() == []
    assert run.read_checkpoint() is None
    assert run.snapshot_files() == []
    assert run.last_snapshot() is None
    assert not run.is_run()
    assert not run.has_model()


def test_metrics_lines_append_and_a_cut_line_is_skipped(tmp_path):
    run = RunFolder(tmp_path)
    run.append_metrics({"epoch": 0, "loss": np.float32(0.5)})
    run.append_metrics({"epoch": 1, "loss": float("inf")})
    with open(run.metrics, "a", encoding="utf-8") as handle:
        handle.write('{"epoch": 2, "lo')
    assert run.read_metrics() == [{"epoch": 0, "loss": 0.5}, {"epoch": 1, "loss": None}]
    assert runs.read_metrics_lines(run.metrics) == (run.read_metrics(), 1)


def test_metrics_lines_from_an_epoch_on_are_dropped_for_a_resume(tmp_path):
    run = RunFolder(tmp_path)
    for phase, epoch in [(0, 0), (0, 1), (1, 0), (1, 1), (1, 2)]:
        run.append_metrics({"phase_index": phase, "epoch": epoch, "loss": 1.0})
    with open(run.metrics, "a", encoding="utf-8") as handle:
        handle.write('{"phase_index": 1, "ep')  # cut short by a crash
    run.drop_metrics_from(1, 1)
    assert [(r["phase_index"], r["epoch"]) for r in run.read_metrics()] == [(0, 0), (0, 1), (1, 0)]
    assert runs.read_metrics_lines(run.metrics)[1] == 0
    run.drop_metrics_from(0, 0)
    assert run.read_metrics() == [] and run.metrics.read_text() == ""
    RunFolder(tmp_path / "none").drop_metrics_from(0, 0)  # no file: nothing to do


def test_snapshots_written_listed_and_read(tmp_path):
    run = RunFolder(tmp_path)
    first = run.write_snapshot(0, "rbm1", 1, {"filters": np.ones((2, 3)), "hidden": None})
    second = run.write_snapshot(1, "finetune", 1, {"inputs": np.zeros((1, 3))})
    os.utime(first, (time.time() + 10, time.time() + 10))  # rewritten last
    assert run.snapshot_files() == [first, second]
    assert run.last_snapshot() == first
    arrays = runs.read_snapshot(first)
    assert set(arrays) == {"filters"}
    np.testing.assert_array_equal(arrays["filters"], np.ones((2, 3)))
    assert [name for _, name in runs.iter_snapshots(run)] == [
        SnapshotName(0, "rbm1", 1),
        SnapshotName(1, "finetune", 1),
    ]


def test_checkpoint_round_trip_replaces_the_old_weights(tmp_path):
    run = RunFolder(tmp_path)
    model = [np.arange(6, dtype=np.float32).reshape(2, 3)]
    trainer = [np.ones(4), np.zeros(2)]
    path = run.write_checkpoint({"phase": 0, "epoch": 1, "step": 0}, model, trainer)
    assert path == str(run.state)
    run.write_checkpoint({"phase": 0, "epoch": 2, "step": 0}, model, trainer)
    assert sorted(p.name for p in run.checkpoints.iterdir()) == [
        "state.json",
        "weights-p00-e00002-s000000.npz",
    ]
    state, saved_model, saved_trainer = run.read_checkpoint()
    assert state["epoch"] == 2 and state["model_count"] == 1 and state["trainer_count"] == 2
    np.testing.assert_array_equal(saved_model[0], model[0])
    np.testing.assert_array_equal(saved_trainer[1], trainer[1])


def test_prepare_clears_an_old_run_unless_resuming(tmp_path):
    run = RunFolder(tmp_path / "r")
    run.prepare({"format": "layerwise-project"}, resume=False)
    assert run.checkpoints.is_dir() and run.snapshots.is_dir()
    assert run.read_project_json() == {"format": "layerwise-project"}
    run.write_snapshot(0, "b", 1, {"x": np.ones(1)})
    run.append_metrics({"epoch": 0})
    run.prepare({"format": "layerwise-project"}, resume=True)
    assert run.snapshot_files() and run.read_metrics()
    run.prepare({"format": "layerwise-project"}, resume=False)
    assert not run.snapshot_files() and not run.read_metrics()
    assert run.is_run()


def test_run_files_get_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        run = RunFolder(tmp_path)
        run.prepare({}, resume=False)
        run.write_summary({})
        snap = run.write_snapshot(0, "b", 1, {"x": np.ones(1)})
        run.write_checkpoint({"phase": 0, "epoch": 1, "step": 0}, [np.ones(1)], [])
    finally:
        os.umask(old)
    for path in (run.project, run.summary, snap, run.state):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644, path


def test_new_run_names_a_fresh_folder_and_list_runs_finds_runs_newest_first(tmp_path, monkeypatch):
    monkeypatch.setattr(runs.time, "strftime", lambda fmt: "20260102-030405")
    first = runs.new_run("My Project!", root=tmp_path)
    second = runs.new_run("My Project!", root=tmp_path)
    twin = runs.new_run("", "-twin-a", root=tmp_path)
    assert first.path == tmp_path / "my-project-20260102-030405" and first.path.is_dir()
    assert second.path == tmp_path / "my-project-20260102-030405-2" and second.path.is_dir()
    assert twin.path == tmp_path / "untitled-20260102-030405-twin-a"
    assert runs.list_runs(tmp_path) == []  # empty folders are not runs yet
    first.prepare({}, resume=False)
    second.prepare({}, resume=False)
    os.utime(first.path, (time.time() + 10, time.time() + 10))
    (tmp_path / "notes").mkdir()
    assert runs.list_runs(tmp_path) == [first, second]
    assert runs.list_runs(tmp_path / "absent") == []


def test_runs_root_is_in_the_user_data_folder():
    root = runs.runs_root()
    assert root.name == "runs" and root.parent.name.lower() == "layerwise"


def test_run_slug():
    assert runs.run_slug("Bach: chorales / 2") == "bach-chorales-2"
    assert runs.run_slug("") == "untitled"
    assert runs.run_slug("!!!") == "untitled"
