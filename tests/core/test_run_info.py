"""What a run folder says about its run: state, phases, key metric, device, duration."""

from __future__ import annotations

import time

import pytest
from run_folders import write_run

from core.run_info import NotARunError, RunState, format_duration, read_run_info


def test_a_finished_run_reads_from_its_summary(tmp_path):
    run = write_run(tmp_path, "a-finished-run")
    info = read_run_info(run.path)
    assert info.state is RunState.FINISHED and not info.resumable
    assert info.name == "a-finished-run" and info.project
    assert info.phases == ("pretrain rbm1", "fine-tune")
    assert info.key_metric == ("accuracy", pytest.approx(0.7))
    assert info.describe_metric() == "accuracy 0.7"
    assert info.device == "CPU" and info.duration == 12.5
    assert abs(info.started - (time.time() - 3600)) < 60


def test_a_stopped_run_is_resumable_and_reads_from_metrics_and_checkpoint(tmp_path):
    info = read_run_info(write_run(tmp_path, "stopped", state="stopped", age_s=0).path)
    assert info.state is RunState.STOPPED and info.resumable
    assert info.phases == ("pretrain rbm1",)
    assert info.key_metric == ("val_loss", pytest.approx(1.1 / 3))
    assert info.duration == 7.0 and info.device is None


def test_a_live_session_means_running_and_no_summary_nor_checkpoint_means_failed(tmp_path):
    running = write_run(tmp_path, "r", state="failed", running=True)
    assert read_run_info(running.path).state is RunState.RUNNING
    running.clear_active()
    assert read_run_info(running.path).state is RunState.FAILED
    failed = read_run_info(write_run(tmp_path, "f", state="failed").path)
    assert failed.state is RunState.FAILED and failed.duration == 4.0


def test_a_marker_left_by_a_killed_session_is_not_running(tmp_path):
    import subprocess
    import sys

    from core.runs import write_json

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    stopped = write_run(tmp_path, "killed", state="stopped", running=True)
    marker = stopped.active_session()
    write_json(stopped.active, {**marker, "pid": int(gone.stdout)})
    assert read_run_info(stopped.path).state is RunState.STOPPED
    write_json(stopped.active, {"pid": 1, "host": "another-machine"})  # a shared folder
    assert read_run_info(stopped.path).state is RunState.STOPPED  # quiet for an hour
    assert read_run_info(stopped.path, now=time.time() - 3600).state is RunState.RUNNING


def test_evaluation_json_metrics_come_first(tmp_path):
    evaluation = {"format": "layerwise-evaluation", "version": 1, "split": "test"}
    evaluation.update(accuracy=0.91, nll_per_step=3.5, wrong_notes={"train": 2.0, "test": 4.0})
    info = read_run_info(write_run(tmp_path, "evaluated", evaluation=evaluation).path)
    assert info.key_metric == ("accuracy", 0.91) and info.metrics["nll_per_step"] == 3.5
    assert info.metrics["wrong_notes"] == 4.0 and "version" not in info.metrics


def test_a_folder_that_is_not_a_run_is_one_clear_error(tmp_path):
    (tmp_path / "photos").mkdir()
    with pytest.raises(NotARunError, match="is not a run folder"):
        read_run_info(tmp_path / "photos")
    with pytest.raises(NotARunError):
        read_run_info(tmp_path / "missing")


def test_damaged_files_leave_their_part_out(tmp_path):
    run = write_run(tmp_path, "damaged")
    run.summary.write_text("{not json")
    run.metrics.write_text('{"phase": "x", "phase_index": 0, "loss": 0.5}\n{"cut')
    info = read_run_info(run.path)
    assert info.phases == ("x",) and info.key_metric == ("loss", 0.5)


def test_durations_read_as_clock_time():
    assert format_duration(None) == "—"
    assert format_duration(65.4) == "1:05"
    assert format_duration(3725) == "1:02:05"
