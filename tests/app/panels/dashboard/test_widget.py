"""The training dashboard driven by a fake session on a real worker thread (no TensorFlow)."""

from __future__ import annotations

import functools
import os
import threading

import pytest
from fake_training import fake_run_training
from PySide6.QtCore import QObject, Slot  # noqa: E402

from app.panels.dashboard import TrainingDashboard  # noqa: E402
from core import templates  # noqa: E402


@pytest.fixture
def dashboard(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    TrainingDashboard.probe_devices_on_show = False
    d = TrainingDashboard()
    qtbot.addWidget(d)
    d.resize(1100, 750)
    d.show()
    yield d
    d.stop_and_wait(10)


class ThreadRecorder(QObject):
    def __init__(self):
        super().__init__()
        self.threads = []

    @Slot(object)
    def record(self, _event):
        self.threads.append(threading.current_thread())


def test_events_reach_the_gui_thread_and_drive_the_views(dashboard, qtbot):
    project = templates.load("dbn-digits")
    dashboard.run_function = functools.partial(fake_run_training, epochs=3, steps=6)
    states = []
    dashboard.blockStateChanged.connect(lambda b, s: states.append((b, s)))
    with qtbot.waitSignal(dashboard.runFinished, timeout=15000) as finished:
        run_dir = dashboard.start(project, pretraining=True)
        recorder = ThreadRecorder()
        dashboard._worker.event.connect(recorder.record)
        assert dashboard.is_running
    qtbot.waitUntil(lambda: not dashboard.is_running, timeout=5000)
    assert finished.args == [run_dir]
    assert run_dir.startswith(os.environ["XDG_DATA_HOME"])
    assert os.path.basename(run_dir).startswith("dbn-on-digits-")
    assert recorder.threads and all(t is threading.main_thread() for t in recorder.threads)
    dashboard.flush()
    # Curves: all phases on one epoch axis, each phase's main loss, train and validation.
    assert set(dashboard.loss_plot.curve_items) == {
        f"{i}:{n}" for i in range(3) for n in ("loss", "val_loss")
    }
    assert list(dashboard.loss_plot.curve_items["2:loss"].getData()[0]) == [7, 8, 9]
    assert len(dashboard.loss_plot.batch_item.getData()[0]) >= 3
    # One phase: every metric of it.
    dashboard.phase_combo.setCurrentIndex(3)
    dashboard.phase_combo.activated.emit(3)
    assert set(dashboard.loss_plot.curve_items) == {"loss", "val_loss", "accuracy"}
    xs, ys = dashboard.loss_plot.curve_items["loss"].getData()
    assert list(xs) == [1, 2, 3]
    # Filters and reconstructions were drawn.
    assert dashboard.filters_image.image is not None
    assert dashboard.filters_image.image.shape[0] > 8
    assert dashboard.recon_images["difference"].image is not None
    assert dashboard.progress.value() == 1000
    assert "elapsed" in dashboard.time_label.text() and "ETA 0:00" in dashboard.time_label.text()
    assert "Finished" in dashboard.status_label.text()
    # Block states followed the phases.
    order = [s for b, s in states if b == "rbm1"]
    assert order == ["untrained", "pretraining", "pretrained", "fine-tuning", "trained"]
    assert dashboard.block_states == {"rbm1": "trained", "rbm2": "trained", "classes": "trained"}


def test_progress_and_eta_while_running(dashboard, qtbot):
    project = templates.load("dbn-digits")
    dashboard.run_function = functools.partial(fake_run_training, epochs=50, steps=10, step_s=0.005)
    dashboard.start(project)
    qtbot.waitUntil(lambda: dashboard.state.last_epoch is not None, timeout=10000)
    qtbot.wait(100)
    assert 0 < dashboard.progress.value() < 1000
    assert "Phase 1/3: pretrain rbm1" in dashboard.status_label.text()
    assert "ETA" in dashboard.time_label.text() and "ETA –" not in dashboard.time_label.text()
    assert dashboard.stop_and_wait(10)
    assert not dashboard.is_running


def test_pause_resume_stop_reach_the_control(dashboard, qtbot):
    project = templates.load("dbn-digits")
    dashboard.run_function = functools.partial(
        fake_run_training, epochs=200, steps=10, step_s=0.003
    )
    running = []
    dashboard.runningChanged.connect(running.append)
    dashboard.start(project)
    control = dashboard.control
    qtbot.waitUntil(lambda: dashboard.state.current is not None, timeout=10000)
    dashboard.pause_button.click()
    assert control.paused and dashboard.pause_button.text() == "Resume"
    qtbot.wait(100)
    step = (dashboard.state.epoch, dashboard.state.step)
    qtbot.wait(200)
    assert (dashboard.state.epoch, dashboard.state.step) == step  # nothing moved while paused
    dashboard.pause_button.click()
    assert not control.paused
    with qtbot.waitSignal(dashboard.runningChanged, timeout=10000):
        dashboard.stop_button.click()
        assert control.stop_requested
    assert running == [True, False]
    assert "Stopped" in dashboard.status_label.text()
    assert "pretraining" not in dashboard.block_states.values()


def test_failed_shows_its_message_and_block(dashboard, qtbot):
    project = templates.load("dbn-digits")
    dashboard.run_function = functools.partial(fake_run_training, fail_at=(1, 0, 2))
    with qtbot.waitSignal(dashboard.runFailed, timeout=10000) as failed:
        dashboard.start(project)
    assert failed.args[1] == "rbm2"
    assert dashboard.error_label.isVisible()
    text = dashboard.error_label.text()
    assert "rbm2" in text and "loss became NaN" in text and "Traceback" not in text
    qtbot.waitUntil(lambda: not dashboard.is_running, timeout=5000)
    assert dashboard.block_states["rbm1"] == "pretrained"
    assert dashboard.block_states["rbm2"] == "untrained"


def test_a_session_that_raises_becomes_a_clear_message(dashboard, qtbot):
    def broken(project, run_dir, **kw):
        yield from ()
        raise ValueError("input shape (8, 8) does not fit block rbm1")

    dashboard.run_function = broken
    with qtbot.waitSignal(dashboard.runFailed, timeout=10000):
        dashboard.start(templates.load("dbn-digits"))
    assert "does not fit block rbm1" in dashboard.error_label.text()
    assert "Traceback" not in dashboard.error_label.text()


def test_pianoroll_filters_are_pitch_by_time(dashboard, qtbot):
    dashboard.run_function = functools.partial(
        fake_run_training, epochs=1, steps=2, sample_kind="pianoroll"
    )
    with qtbot.waitSignal(dashboard.runFinished, timeout=10000):
        dashboard.start(templates.load("deephear"), pretraining=False)
    dashboard.flush()
    img = dashboard.filters_image.image
    # 16 tiles of 16 steps × 12 pitches, drawn 12 (pitch) high, 16 (time) wide each.
    assert img is not None and img.shape == (4 * 13 - 1, 4 * 17 - 1)
    assert "pitch × time" in dashboard.filters_caption.text()


def test_stop_and_wait_when_idle(dashboard):
    assert dashboard.stop_and_wait(0.1)
    assert not dashboard.is_running


def test_a_real_session_drives_the_dashboard(dashboard, qtbot):
    """core.training.session.run_training itself (TensorFlow, dbn-digits, a few epochs)."""
    project = templates.load("dbn-digits")
    states = []
    dashboard.blockStateChanged.connect(lambda b, s: states.append((b, s)))
    with qtbot.waitSignal(dashboard.runFinished, timeout=120000) as finished:
        dashboard.start(project, epochs_scale=0.04, device="CPU")
    qtbot.waitUntil(lambda: not dashboard.is_running, timeout=10000)
    run_dir = finished.args[0]
    assert os.path.isfile(os.path.join(run_dir, "model.keras"))
    dashboard.flush()
    assert {k.split(":")[1] for k in dashboard.loss_plot.curve_items} >= {
        "reconstruction_error",
        "loss",
    }
    assert dashboard.filters_image.image is not None
    assert ("rbm1", "pretraining") in states and ("rbm1", "trained") in states
    assert dashboard.block_states["classes"] == "trained"
    assert dashboard.progress.value() == 1000


def test_views_carry_their_object_names_and_idle_state(dashboard):
    from PySide6.QtWidgets import QWidget

    for name in ("lossPlot", "filterView", "reconstructionView"):
        assert dashboard.findChild(QWidget, name) is not None, name
    assert not dashboard.is_running and dashboard.state.status.value == "idle"
    assert dashboard.start_button.isEnabled() and not dashboard.stop_button.isEnabled()
    # The two columns share the width: the loss plot's legend is not squeezed out.
    assert dashboard.curves_plot.width() > 0.4 * dashboard.width()


def test_set_project_lists_the_blocks_with_weights_without_signals(dashboard):
    states = []
    dashboard.blockStateChanged.connect(lambda b, s: states.append((b, s)))
    dashboard.set_project(templates.load("dbn-digits"))
    assert dashboard.block_states == dict.fromkeys(("rbm1", "rbm2", "classes"), "untrained")
    assert states == []


def test_device_choices_become_session_arguments():
    from app.panels.dashboard.controls import device_argument

    assert device_argument("CPU") == "cpu"
    assert device_argument("GPU:1") == "gpu:1"
    assert device_argument("") is None and device_argument(None) is None


def test_a_run_from_disk_is_drawn_like_a_live_one(dashboard, tmp_path):
    from run_folders import write_run

    run = write_run(tmp_path, "from-disk", epochs=3)
    assert dashboard.show_run(str(run.path))
    assert dashboard.run_dir == str(run.path) and not dashboard.is_running
    assert set(dashboard.loss_plot.curve_items) == {
        f"{i}:{n}" for i in range(2) for n in ("loss", "val_loss")
    }
    assert dashboard.phase_combo.count() == 3  # all phases, then each phase
    assert dashboard.filters_image.image is not None
    assert [dashboard.block_combo.itemText(i) for i in range(dashboard.block_combo.count())] == [
        "rbm1",
        "network",
    ]
    assert dashboard.progress.value() == 1000
    assert "from disk: finished" in dashboard.status_label.text()


def test_a_folder_that_is_not_a_run_says_so_and_keeps_the_view(dashboard, tmp_path):
    from run_folders import write_run

    assert dashboard.show_run(str(write_run(tmp_path, "good").path))
    (tmp_path / "photos").mkdir()
    assert not dashboard.show_run(str(tmp_path / "photos"))
    assert "is not a run folder" in dashboard.error_label.text()
    assert dashboard.run_dir.endswith("good") and dashboard.loss_plot.curve_items


def test_opening_another_project_clears_the_last_runs_views(dashboard, tmp_path):
    from run_folders import write_run

    dashboard.set_project(templates.load("dbn-digits"))
    assert dashboard.show_run(str(write_run(tmp_path, "shown", epochs=3).path))
    dashboard.flush()
    assert dashboard.loss_plot.curve_items and dashboard.filters_image.image is not None
    assert dashboard.histograms.hidden_hist.getData()[0] is not None
    dashboard.set_project(dashboard.project)  # the same project again: nothing is lost
    assert dashboard.loss_plot.curve_items
    dashboard.set_project(templates.load("deephear"))
    assert not dashboard.loss_plot.curve_items
    assert dashboard.filters_image.image is None
    assert dashboard.histograms.hidden_hist.getData()[0] is None
    assert dashboard.histograms.weights_hist.getData()[0] is None


def test_a_long_batch_curve_is_drawn_about_one_point_a_pixel(dashboard):
    from app.panels.dashboard.progress import ProgressModel
    from core.training.events import BatchMetrics, PhaseStarted

    model = ProgressModel(["rbm1"])
    model.begin()
    started = PhaseStarted(0, 1, "pretrain rbm1", "pretrain", "rbm1", "rbm", 100, 1000)
    model.feed(started)
    dashboard.loss_plot.add_phase(started)
    for i in range(20_000):
        e, s = divmod(i, 1000)
        model.feed_batches([BatchMetrics(0, "rbm1", e, s, {"loss": 1.0 + (i % 7) / 7})])
    dashboard.loss_plot.draw(model)
    plot = dashboard.loss_plot
    shown_x, _ = plot.batch_item.getData()
    width = plot.plot.getViewBox().width()
    assert 0 < len(shown_x) <= 4 * width < len(model.phases[0].batch_x)
    for item in (plot.batch_item, *plot.curve_items.values()):
        assert item.opts["dynamicRangeLimit"] is None  # no redraw when the y range moves


def test_a_short_first_run_shows_its_estimate_from_this_machines_speed(
    dashboard, qtbot, monkeypatch
):
    """A real session, no earlier run: the run's cost says its duration before the first
    phase, and the dashboard counts it down with its basis until an epoch tells."""
    from core.data import load_dataset
    from core.training.events import PhaseStarted
    from core.training.session import run_training

    project = templates.load("dbn-digits")
    digits = load_dataset(dict(project.data, limit=200))
    dashboard.run_function = functools.partial(run_training, dataset=digits)
    seen = []
    real_on_event = dashboard.on_event

    def on_event(event):
        real_on_event(event)
        if isinstance(event, PhaseStarted) and event.index == 0:
            seen.append((dashboard.model.phase_line(), dashboard.model.eta()))

    monkeypatch.setattr(dashboard, "on_event", on_event)
    with qtbot.waitSignal(dashboard.runFinished, timeout=120000):
        dashboard.start(project, pretraining=True, epochs_scale=0.05)
    [(line, eta)] = seen
    assert line.endswith("in all (estimated from this machine's speed)"), line
    assert eta is not None and eta > 0


def test_a_run_asks_the_session_for_a_timing_probe(dashboard, qtbot):
    """The session times a long run's first batches unless told otherwise; the earlier runs
    are read on a worker meanwhile, and one like this run tells better (see test_progress)."""
    seen = []

    def record(project, run_dir, **kw):
        seen.append(kw.get("probe"))
        return fake_run_training(project, run_dir, epochs=1, steps=2, **kw)

    dashboard.run_function = record
    with qtbot.waitSignal(dashboard.runFinished, timeout=20000):
        dashboard.start(templates.load("dbn-digits"))
    assert seen == [True]
    from app.panels.dashboard.progress import RunStatus

    dashboard.model.status = RunStatus.RUNNING  # a late answer: no earlier run is like it
    dashboard.model.estimate = 75.0
    dashboard._on_estimate(dashboard.run_dir, None)
    assert dashboard.model.estimate == 75.0  # keeps what the probe said
