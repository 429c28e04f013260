"""The training dashboard widget: controls, status and the live views over one run.

The session runs on a worker (:mod:`app.workers.training`); its events arrive in the GUI thread and
only update the :class:`ProgressModel` (cheap: a few appends), which says which views they
changed. A QTimer draws those at most ``DRAW_HZ`` times a second, paced by
:class:`~app.panels.dashboard.pacing.Pacer`: the curves at ``CURVES_HZ``, the costly snapshot
views at ``HEAVY_HZ`` and one of them per tick, so a fast stream of batches never floods the
event loop.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from app.panels.dashboard.blocks import BlockState, pretrained_lr_scale, weight_blocks
from app.panels.dashboard.controls import (
    RunControls,
    StatusStrip,
    device_argument,
    error_banner,
    estimate_seconds,
)
from app.panels.dashboard.curves import LossPlot
from app.panels.dashboard.from_disk import NotARunError, progress_from_run
from app.panels.dashboard.pacing import SNAPSHOT_ORDER, Pacer
from app.panels.dashboard.progress import EVERY_VIEW, NETWORK, ProgressModel, View
from app.panels.dashboard.snapshots import FiltersView, HistogramView, ReconstructionView
from app.wheel_guard import guard_wheel
from app.workers.calls import CallWorker
from app.workers.gate import probe_devices
from app.workers.process import ProcessTrainingWorker
from app.workers.session import BatchGroup, os_reason
from app.workers.training import TrainingWorker
from core.runs import new_run
from core.training.events import Failed, Finished, PhaseStarted, Snapshot, Stopped


class TrainingDashboard(QWidget):
    blockStateChanged = Signal(str, str)
    runningChanged = Signal(bool)
    runFinished = Signal(str)
    runFailed = Signal(str, str)  # message, block ("" when none)
    runStarted = Signal(str)  # run_dir, as soon as the folder exists (audition its snapshots)
    compareRequested = Signal(list)  # run folders (the twin run's pair)
    pretrainingToggled = Signal(bool)  # the user flipped the switch (the project keeps it)

    DRAW_HZ = 25
    CURVES_HZ = 5
    HEAVY_HZ = 2
    probe_devices_on_show = True  # tests turn this off: the probe imports TensorFlow
    # The real session runs in a child process (no GIL shared with the window); set
    # LAYERWISE_TRAIN_IN_PROCESS=0 to train on a thread of this process instead.
    train_in_process = os.environ.get("LAYERWISE_TRAIN_IN_PROCESS", "1") != "0"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.run_function = None  # None: core.training.session.run_training (tests inject)
        self.epochs_scale = 1.0
        self.extra_run_kwargs: dict = {}
        self.project = None
        self.run_dir: str | None = None
        self.model = self._new_model(None)
        self._worker: TrainingWorker | None = None
        self._shown_running = False  # what runningChanged last said
        self._pacer = Pacer(self.CURVES_HZ, self.HEAVY_HZ)
        self._has_content = False  # any curve or image drawn since the last reset
        self._probed = False
        self._twin = None
        self._build()
        self._prober = CallWorker(self)
        self._prober.result.connect(self.controls.set_devices)
        self._estimator = CallWorker(self)
        self._estimator.result.connect(self._on_estimate)
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / self.DRAW_HZ))
        self._timer.timeout.connect(self._draw)

    # ---- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.controls = RunControls()
        self.strip = StatusStrip()
        self.error_label = error_banner()
        self.loss_plot = LossPlot()
        self.filters = FiltersView()
        self.reconstructions = ReconstructionView()
        self.histograms = HistogramView()
        grid = QGridLayout()
        grid.addWidget(self.loss_plot, 0, 0)
        grid.addWidget(self.filters, 0, 1)
        grid.addWidget(self.reconstructions, 1, 0)
        grid.addWidget(self.histograms, 1, 1)
        # Equal rows: the reconstructions need as much height as the loss plot to read.
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        # Equal columns: left to size hints, the filter mosaic squeezed the loss plot's legend.
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        # Controls and progress share one row: every pixel of height goes to the views.
        top = QHBoxLayout()
        top.addWidget(self.controls)
        top.addWidget(self.strip, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.error_label)
        layout.addLayout(grid, 1)
        guard_wheel(self)  # the wheel over a picker never changes it unless it has focus
        self.controls.start_button.clicked.connect(self._on_start_clicked)
        self.controls.pause_button.clicked.connect(self._on_pause_clicked)
        self.controls.stop_button.clicked.connect(self.stop)
        self.controls.twin_button.clicked.connect(self.open_twin)
        self.controls.pretraining_check.clicked.connect(self._on_pretraining_clicked)
        self.loss_plot.phasePicked.connect(self._on_phase_picked)
        self.filters.blockPicked.connect(self.select_block)
        self._expose_parts()
        self._update_buttons()

    def _expose_parts(self) -> None:
        """The parts' widgets under the names the window, tests and benchmarks use."""
        self.start_button = self.controls.start_button
        self.pause_button = self.controls.pause_button
        self.stop_button = self.controls.stop_button
        self.twin_button = self.controls.twin_button
        self.device_combo = self.controls.device_combo
        self.pretraining_check = self.controls.pretraining_check
        self.progress = self.strip.progress
        self.status_label = self.strip.status_label
        self.time_label = self.strip.time_label
        self.phase_combo = self.loss_plot.phase_combo
        self.curves_plot = self.loss_plot.plot
        self.block_combo = self.filters.block_combo
        self.filters_view = self.filters.view
        self.filters_image = self.filters.image
        self.filters_caption = self.filters.caption
        self.recon_view = self.reconstructions.view
        self.recon_images = self.reconstructions.images

    # ---- the agreed interface ----------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self.model.status.active

    @property
    def busy(self) -> bool:
        """A run of this dashboard or of its twin view is going on."""
        return self.is_running or (self._twin is not None and self._twin.is_running)

    @property
    def state(self) -> ProgressModel:
        """The run as drawn (the name earlier versions used for it)."""
        return self.model

    @property
    def block_states(self) -> dict[str, BlockState]:
        return self.model.blocks.as_dict()

    def set_project(self, project) -> None:
        """The project Start trains (start() sets it too). Another project clears what the
        views show of the last one's run."""
        replaced = project is not self.project
        self.project = project
        if not self.is_running:
            if replaced:
                self._reset_view()
            self.model.blocks.replace(weight_blocks(project), notify=False)
            self.controls.show_pretraining(project)
            self.show_estimate()

    def show_estimate(self) -> None:
        """Say how long a run of the project should take, before it starts."""
        if self.project is not None and not self.is_running:
            pretraining = self.pretraining_check.isChecked()
            self.strip.show_estimate(self.project, pretraining, self.epochs_scale)

    def start(
        self,
        project=None,
        *,
        pretraining=True,
        device=None,
        epochs_scale=None,
        run_dir=None,
        **kwargs,
    ) -> str | None:
        """Train ``project`` into a new run folder; returns that folder (None if running)."""
        if self.busy:
            return None
        project = project if project is not None else self.project
        if project is None:
            self._show_error("Open or create a project first")
            return None
        self.project = project
        device = device_argument(device if device is not None else self.device_combo.currentText())
        scale = self.epochs_scale if epochs_scale is None else epochs_scale
        try:
            self.run_dir = folder = str(run_dir) if run_dir else str(new_run(project.name))
        except OSError as exc:
            self._show_error(f"Training could not start: no folder for the run ({os_reason(exc)})")
            return None
        self.pretraining_check.setChecked(bool(pretraining))
        run_kwargs = {**self.extra_run_kwargs, **kwargs}
        run_kwargs.update(epochs_scale=scale, device=device, pretraining=bool(pretraining))
        run_kwargs.setdefault("stages", True)  # say what happens before the first phase
        # a long run times a few batches first; an earlier run like it (read below) tells better
        run_kwargs.setdefault("probe", True)
        self._reset_view()
        self._worker = self._make_worker(project, run_kwargs)
        # Reading the earlier runs takes long when there are many: off the GUI thread.
        args = (project.copy(), bool(pretraining), scale)
        self._estimator.call(self.run_dir, estimate_seconds, *args)
        self.model.begin()
        self._show_running()
        self.strip.say("Starting the training process…")
        self._worker.start()
        self._timer.start()
        # Followers hear of the run a turn later (a timer: a queued call would run in the
        # same pass as this start's repaint), so their work and it never make one long stall.
        QTimer.singleShot(1, self, lambda: self._announce(folder))
        return self.run_dir

    def _announce(self, run_dir: str) -> None:
        if run_dir == self.run_dir:
            self.runStarted.emit(run_dir)

    def show_run(self, run_dir) -> bool:
        """Show a run from its files: curves, filters, reconstructions and histograms, drawn
        as a live run's are. False (the reason in the status line) while training runs here
        or when the folder holds no run."""
        if self.is_running:
            self.strip.say("Training runs: stop it to look at another run")
            return False
        try:
            model = progress_from_run(run_dir)
        except NotARunError as exc:
            self._show_error(str(exc))
            return False
        self.run_dir = str(run_dir)
        self._reset_view()
        self.model = model
        model.blocks.listeners.append(self._on_block_state)
        for phase in model.phases.values():
            self.loss_plot.add_phase(phase.started)
        for key in model.snapshots:
            self.filters.add_block(key)
        self._pacer.dirty |= EVERY_VIEW
        self.flush()
        name = os.path.basename(self.run_dir.rstrip(os.sep))
        self.strip.say(f"Run {name} from disk: {model.status.value}", tooltip=self.run_dir)
        return True

    def _make_worker(self, project, run_kwargs: dict) -> TrainingWorker:
        if self.run_function is None and self.train_in_process:
            worker = ProcessTrainingWorker(project, self.run_dir, parent=self, **run_kwargs)
        else:
            worker = TrainingWorker(
                project, self.run_dir, run_fn=self.run_function, parent=self, **run_kwargs
            )
        worker.event.connect(self.on_event)
        worker.done.connect(self._on_worker_done)
        return worker

    def pause(self) -> None:
        if self._worker is not None and self.is_running and not self.model.paused:
            self._worker.pause()
            self.model.pause()
            self.strip.say(self.status_label.text().split(" (paused)")[0] + " (paused)")
            self._update_buttons()

    def resume(self) -> None:
        if self._worker is not None and self.model.paused:
            self._worker.resume()
            self.model.resume()
            self._pacer.dirty.add(View.STATUS)
            self._update_buttons()

    def stop(self) -> None:
        if self._twin is not None:
            self._twin.stop()
        if self._worker is not None and self.is_running:
            self._worker.stop()
            self.model.resume()  # a stop releases a pause
            self.strip.say("Stopping after this batch…")
            self._update_buttons()

    def stop_and_wait(self, timeout_s: float) -> bool:
        """Ask the session to stop and block until it has (True) or ``timeout_s`` passed."""
        if self._twin is not None:
            self._twin.stop_and_wait(timeout_s)
        worker = self._worker
        if worker is None or worker.finished_running:
            return True
        worker.stop()
        ok = worker.wait(timeout_s)
        if ok:
            self._timer.stop()
            self.model.worker_ended()
            self._show_running()
        return ok

    @property
    def control(self):
        return self._worker.control if self._worker is not None else None

    @Slot(str)
    def select_block(self, block_id: str | None) -> None:
        """Show the filters of ``block_id`` (the canvas calls this on selection)."""
        self.model.select_block(block_id)
        self._pacer.dirty.update(SNAPSHOT_ORDER)
        self.flush()

    # ---- events (GUI thread) -------------------------------------------------------------
    @Slot(object)
    def on_event(self, event) -> None:
        """Take one event (or BatchGroup) into the model; drawing happens on the timer."""
        sender = self.sender()
        if sender is not None and sender is not self._worker and sender is not self:
            return  # from an earlier run's worker
        if isinstance(event, BatchGroup):
            self._pacer.dirty |= self.model.feed_batches(event.events)
        else:
            self._pacer.dirty |= self.model.feed(event)
        if isinstance(event, PhaseStarted):
            self.loss_plot.add_phase(event)
        elif isinstance(event, Snapshot):
            self.filters.add_block(event.block or NETWORK)
        elif isinstance(event, Finished | Stopped | Failed):
            # The run is over once its last event is in (a training process may take a
            # moment more to exit; stop_and_wait still waits for it). Said before the
            # finished / failed signals, so their handlers see a dashboard at rest.
            self._show_running()
            self._report_end(event)
        if not self._timer.isActive():
            self._timer.start()

    def _report_end(self, event: Finished | Stopped | Failed) -> None:
        if isinstance(event, Finished):
            name = os.path.basename(event.run_dir)
            self.strip.say(f"Finished — run saved as {name}", tooltip=event.run_dir)
            self.runFinished.emit(event.run_dir)
        elif isinstance(event, Stopped):
            where = f"phase {event.phase + 1}, epoch {event.epoch + 1}"
            kept = f"; checkpoint {event.checkpoint}" if event.checkpoint else ""
            self.strip.say(f"Stopped at {where}{kept}")
        else:
            block = self.model.failed_block()
            where = f" (block {block})" if block else ""
            self._show_error(f"Training failed{where}: {event.message}")
            self.strip.say("Failed")
            self.runFailed.emit(event.message, block)

    @Slot(object, object)
    def _on_estimate(self, run_dir: str, seconds: float | None) -> None:
        if run_dir == self.run_dir and self.model.status.active and seconds is not None:
            self.model.estimate, self.model.estimate_basis = seconds, None
            self._pacer.dirty.add(View.STATUS)

    def _on_block_state(self, block: str, state: BlockState) -> None:
        self.blockStateChanged.emit(block, state.value)

    # ---- drawing (timer, GUI thread) ----------------------------------------------------
    @Slot()
    def _draw(self) -> None:
        """Draw what the pacer says is due (:mod:`app.panels.dashboard.pacing`); nothing
        but the status while the dashboard is hidden (a tab behind another)."""
        finishing = not self.is_running
        if self._pacer.take_status(running=not finishing):
            self.strip.draw(self.model)
        if not self.isVisible():
            if finishing:
                self._timer.stop()
            return
        view = self._pacer.take_view(finishing)
        if view is not None:
            self._draw_view(view)
        elif finishing and not self._pacer.dirty:
            self._timer.stop()

    def _draw_view(self, view: View) -> None:
        self._has_content = True
        if view is View.CURVES:
            self.loss_plot.draw(self.model)
        elif view is View.FILTERS:
            self.filters.draw(self.model.shown_snapshot())
        elif view is View.RECON:
            self.reconstructions.draw(self.model.shown_snapshot())
        elif view is View.HIST:
            self.histograms.draw_hidden(self.model.shown_snapshot())
        elif view is View.WEIGHTS:
            self.histograms.draw_weights(self.model.shown_snapshot())

    def flush(self) -> None:
        """Draw everything that changed, now (a user's choice, or a test)."""
        self._pacer.dirty.discard(View.STATUS)
        self.strip.draw(self.model)
        for view in self._pacer.take_all():
            self._draw_view(view)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._pacer.dirty and not self._timer.isActive():
            self._timer.start()
        if self.probe_devices_on_show and not self._probed:
            self._probed = True
            self._prober.call("devices", probe_devices)

    # ---- buttons and housekeeping ---------------------------------------------------------
    @Slot()
    def _on_start_clicked(self) -> None:
        self.start(self.project, pretraining=self.pretraining_check.isChecked())

    @Slot(bool)
    def _on_pretraining_clicked(self, checked: bool) -> None:
        self.pretrainingToggled.emit(bool(checked))
        self.show_estimate()

    @Slot()
    def _on_pause_clicked(self) -> None:
        if self.model.paused:
            self.resume()
        else:
            self.pause()

    @Slot()
    def _on_phase_picked(self) -> None:
        self._pacer.dirty.add(View.CURVES)
        self.flush()

    @Slot()
    def _on_worker_done(self) -> None:
        sender = self.sender()
        if sender is not None and sender is not self._worker:
            return  # an earlier run's process finished exiting after a new run started
        self.model.worker_ended()
        self._show_running()
        if self.model.final is None:
            self.strip.say("Training ended")
        self._pacer.dirty.add(View.STATUS)
        self._draw()

    def _show_running(self) -> None:
        """Buttons follow the run's state; runningChanged says when it changed."""
        running = self.busy
        self._update_buttons()
        if running != self._shown_running:
            self._shown_running = running
            self.runningChanged.emit(running)

    def _update_buttons(self) -> None:
        self.controls.set_running(self.busy, self.model.paused)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _new_model(self, project) -> ProgressModel:
        model = ProgressModel(
            weight_blocks(project), pretrained_lr_scale=pretrained_lr_scale(project)
        )
        model.blocks.listeners.append(self._on_block_state)
        return model

    def _reset_view(self) -> None:
        self.model = self._new_model(self.project)
        self.error_label.hide()
        self.progress.setValue(0)
        drawn, self._has_content = self._has_content, False
        self.loss_plot.clear(drawn=drawn)
        self.filters.clear(drawn=drawn)
        if drawn:  # nothing drawn yet: clearing would only cost repaints
            self.reconstructions.clear()
            self.histograms.clear()

    @Slot()
    def open_twin(self) -> None:
        if self.project is None:
            self._show_error("Open or create a project first")
            return
        if self.is_running:
            self.strip.say("Training runs: start the twin run once it ends")
            return
        from app.panels.twin import TwinRunPanel

        if self._twin is None:
            self._twin = TwinRunPanel(None)
            self._twin.setWindowFlag(Qt.Window, True)
            self._twin.runningChanged.connect(self._on_twin_running)
            self._twin.compareRequested.connect(self.compareRequested)
        device = device_argument(self.device_combo.currentText())
        self._twin.open_for(self, {**self.extra_run_kwargs, "device": device})

    @Slot(bool)
    def _on_twin_running(self, _running: bool) -> None:
        self._show_running()

    def closeEvent(self, event) -> None:
        self.stop_and_wait(10.0)
        super().closeEvent(event)
