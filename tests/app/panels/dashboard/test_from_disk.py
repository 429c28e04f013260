"""A run from disk becomes the same progress model a live run fills (no Qt)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from run_folders import write_run

from app.panels.dashboard.from_disk import NotARunError, latest_snapshots, progress_from_run
from app.panels.dashboard.progress import ALL_PHASES, NETWORK, RunStatus
from core.training.events import Finished, Stopped


def test_a_finished_run_has_its_curves_snapshots_and_times(tmp_path):
    model = progress_from_run(write_run(tmp_path, "done", epochs=3).path)
    assert model.status is RunStatus.FINISHED and isinstance(model.final, Finished)
    assert [p.started.name for p in model.phases.values()] == ["pretrain rbm1", "fine-tune"]
    assert model.phases[1].epochs["accuracy"] == ([1, 2, 3], [0.5, 0.6, pytest.approx(0.7)])
    specs, _, _ = model.curve_specs(ALL_PHASES)
    assert [s.key for s in specs] == ["0:loss", "0:val_loss", "1:loss", "1:val_loss"]
    assert set(model.snapshots) == {"rbm1", NETWORK}
    assert model.snapshots["rbm1"].epoch == 2 and model.snapshots["rbm1"].filters.shape == (
        16,
        8,
        8,
    )
    assert model.shown_snapshot().sample_kind == "image"
    assert model.fraction() == 1.0 and model.elapsed() == 12.5
    assert model.blocks.as_dict()  # the run's own project's blocks


def test_a_stopped_run_ends_at_its_checkpoint(tmp_path):
    run = write_run(tmp_path, "stopped", state="stopped", template="deephear")
    model = progress_from_run(run.path)
    assert model.status is RunStatus.STOPPED and isinstance(model.final, Stopped)
    assert model.final.checkpoint == str(run.state)
    assert model.shown_snapshot().sample_kind == "pianoroll"
    assert not model.status.active


def test_a_failed_run_and_a_running_one(tmp_path):
    assert progress_from_run(write_run(tmp_path, "f", state="failed").path).status is (
        RunStatus.FAILED
    )
    running = progress_from_run(write_run(tmp_path, "r", state="failed", running=True).path)
    assert running.status is RunStatus.RUNNING and running.final is None


def test_only_the_last_snapshot_of_each_phase_is_read(tmp_path):
    run = write_run(tmp_path, "snaps", epochs=4)
    assert {k: p.name for k, p in latest_snapshots(run).items()} == {
        0: "00-rbm1-e0004.npz",
        1: "01-finetune-e0004.npz",
    }


def test_a_damaged_snapshot_is_left_out(tmp_path):
    run = write_run(tmp_path, "damaged")
    latest_snapshots(run)[0].write_bytes(b"not an npz")
    model = progress_from_run(run.path)
    assert set(model.snapshots) == {NETWORK}


def test_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(NotARunError):
        progress_from_run(tmp_path)


def test_reading_a_run_from_disk_loads_no_qt_nor_tensorflow():
    code = (
        "import sys, app.panels.dashboard.from_disk; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'superqt', 'tensorflow', 'keras')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
