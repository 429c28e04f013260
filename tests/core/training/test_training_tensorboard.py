"""TensorBoard event files: what a run writes, read back; a write error never fails a run."""

from __future__ import annotations

import logging
import math
from collections import defaultdict

import numpy as np
import pytest
from training_helpers import dbn_project, run_all

from core.runs import RunFolder
from core.training import cadence
from core.training.events import Finished
from core.training.session import run_training
from core.training.tensorboard import TensorBoardLog, filter_grid, histogram


def _read_events(folder):
    """{tag: sorted steps}, and {tag: plugin name}, of every event file under ``folder``."""
    from tensorflow.core.util import event_pb2
    from tensorflow.python.lib.io import tf_record

    steps, plugins = defaultdict(list), {}
    for path in sorted(folder.rglob("events.out.tfevents.*")):
        for record in tf_record.tf_record_iterator(str(path)):
            event = event_pb2.Event.FromString(record)
            for value in event.summary.value:
                steps[value.tag].append(event.step)
                plugins[value.tag] = value.metadata.plugin_data.plugin_name
    return {tag: sorted(s) for tag, s in steps.items()}, plugins


def test_a_run_writes_scalars_histograms_and_filter_images(tmp_path, digits, monkeypatch):
    monkeypatch.setattr(cadence, "SHARE", math.inf)  # every epoch, as when epochs are long
    run = RunFolder(tmp_path / "run")
    events = run_all(run_training(dbn_project(epochs=2, finetune_epochs=2), run, dataset=digits))
    assert isinstance(events[-1], Finished), events[-1]
    steps, plugins = _read_events(run.tensorboard)
    for phase in ("pretrain_rbm1", "pretrain_rbm2", "fine-tune"):
        metric_tags = [t for t in steps if t.startswith(f"{phase}/")]
        assert metric_tags, (phase, sorted(steps))
        for tag in metric_tags:
            assert steps[tag] == [1, 2] and plugins[tag] == "scalars", tag
    assert "fine-tune/val_loss" in steps or "fine-tune/val_accuracy" in steps, sorted(steps)
    weights = [t for t in steps if t.startswith("weights/")]
    assert any(t.startswith("weights/rbm1/") for t in weights), weights
    assert any(t.startswith("weights/classes/") for t in weights), weights
    assert all(plugins[t] == "histograms" for t in weights)
    # filters of the first block (its pretraining, and the fine-tuned first layer); not rbm2's
    assert plugins["filters/rbm1"] == "images" and steps["filters/rbm1"] == [1, 2]
    assert "filters/finetune" in steps and "filters/rbm2" not in steps
    assert plugins["activations/rbm2"] == "histograms"
    assert steps["weights/rbm1/kernel"] == [1, 1, 1, 2, 2, 2]  # in each of the three phases


def test_without_time_to_spare_the_scalars_stay_and_the_rest_ends_each_phase(
    tmp_path, digits, monkeypatch
):
    monkeypatch.setattr(cadence, "SHARE", 0.0)  # as when epochs are very short
    run = RunFolder(tmp_path / "run")
    run_all(run_training(dbn_project(epochs=3, finetune_epochs=3), run, dataset=digits))
    steps, _ = _read_events(run.tensorboard)
    assert steps["pretrain_rbm1/reconstruction_error"] == [1, 2, 3]
    assert steps["fine-tune/loss"] == [1, 2, 3]
    assert steps["weights/rbm1/kernel"] == [3, 3, 3]
    for tag in ("filters/rbm1", "activations/rbm2", "filters/finetune"):
        assert steps[tag] == [3], (tag, steps[tag])


def test_a_fresh_start_clears_the_earlier_event_files(tmp_path, digits):
    run = RunFolder(tmp_path / "run")
    run.tensorboard.mkdir(parents=True)
    stale = run.tensorboard / "events.out.tfevents.stale"
    stale.write_bytes(b"")
    run_all(run_training(dbn_project(epochs=1, finetune_epochs=1), run, dataset=digits))
    assert not stale.exists() and list(run.tensorboard.glob("events.out.tfevents.*"))


def test_a_write_error_is_one_warning_and_the_run_finishes(tmp_path, digits, caplog):
    run = tmp_path / "run"
    run.mkdir()
    (run / "tensorboard").write_text("a file where the folder goes")
    with caplog.at_level(logging.WARNING, logger="layerwise.tensorboard"):
        events = run_all(
            run_training(dbn_project(epochs=1, finetune_epochs=1), run, dataset=digits)
        )
    assert isinstance(events[-1], Finished), events[-1]
    warnings = [r for r in caplog.records if r.name == "layerwise.tensorboard"]
    assert len(warnings) == 1 and "TensorBoard" in warnings[0].getMessage()


def test_a_broken_writer_turns_the_log_off():
    class BrokenSummary:
        def create_file_writer(self, logdir):
            raise OSError("disk full")

    class FakeTf:
        summary = BrokenSummary()

    log = TensorBoardLog(FakeTf(), "unused")
    log.epoch("fine-tune", 0, {"loss": 1.0}, model=None)
    assert log.broken
    log.snapshot("rbm1", 0, {"filters": np.zeros((2, 3))}, first=True)  # no second error
    log.close()


def test_filter_grid_tiles_each_unit_scaled_on_its_own():
    filters = np.stack([np.full((2, 3), 5.0), np.arange(6.0).reshape(2, 3)])
    grid = filter_grid(filters)
    assert grid.shape == (2, 3 * 2 + 1)  # two tiles side by side, one pixel of gap
    assert grid.min() >= 0.0 and grid.max() == 1.0
    np.testing.assert_allclose(grid[:, 4:], np.arange(6.0).reshape(2, 3) / 5.0)
    assert filter_grid(np.ones((5, 4))).shape == (2 * 2 - 1, 3 * 5 - 1)  # flat: rows of pixels


def test_histogram_rows_are_edges_and_counts():
    rows = histogram([0.0, 1.0, 1.0, np.nan])
    assert rows.shape[1] == 3 and rows[:, 2].sum() == 3  # not-finite values left out
    assert rows[0, 0] == 0.0 and rows[-1, 1] == 1.0
    assert histogram([2.0, 2.0])[:, 2].sum() == 2 and histogram([]).shape == (0, 3)


def test_a_large_histogram_counts_a_sample_scaled_to_every_value():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(784, 500)).astype(np.float32)
    values[3, 7] = 9.0  # the edges still span every value
    rows = histogram(values)
    assert rows[0, 0] == values.min() and rows[-1, 1] == pytest.approx(9.0)
    assert rows[:, 2].sum() == pytest.approx(values.size)
    exact, _ = np.histogram(values, bins=len(rows), range=(rows[0, 0], rows[-1, 1]))
    assert np.abs(rows[:, 2] - exact).max() < 0.01 * values.size
