"""The training dashboard: live curves, filters, reconstructions, histograms and progress.

The session runs on a worker (:class:`app.workers.training.TrainingWorker`); its events arrive in the
GUI thread and only update plain state here (cheap: a few appends). A QTimer draws the latest
state at most ``DRAW_HZ`` times a second, and only the parts that changed, so a fast stream
of batches never floods the event loop.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app import plots
from app.workers.calls import CallWorker
from app.workers.gate import probe_devices
from app.workers.process import ProcessTrainingWorker
from app.workers.session import BatchGroup
from app.workers.training import TrainingWorker
from core.training.events import (
    CheckpointWritten,
    EpochMetrics,
    Failed,
    Finished,
    PhaseStarted,
    Snapshot,
    Stopped,
)

STATES = ("untrained", "pretraining", "pretrained", "frozen", "fine-tuning", "trained")
ALL_PHASES = -1
HEAVY = {"filters", "recon", "hist"}
MAIN_METRICS = ("reconstruction_error", "loss")  # the curve the all-phases view draws
NO_WEIGHTS = {"Input", "Flatten", "Reshape", "Dropout", "GaussianNoise", "Permute"}


def runs_root() -> str:
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("layerwise"), "runs")


def new_run_dir(project_name: str, suffix: str = "") -> str:
    """A fresh folder under the user's data folder: runs/<project-name>-<timestamp>."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", project_name or "untitled").strip("-").lower()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = os.path.join(runs_root(), f"{slug or 'untitled'}-{stamp}{suffix}")
    path, n = base, 1
    while os.path.exists(path):
        n += 1
        path = f"{base}-{n}"
    os.makedirs(path)
    return path


@dataclass
class PhaseCurves:
    started: PhaseStarted
    epochs: dict = field(default_factory=dict)  # metric -> ([x], [y])
    batch_x: list = field(default_factory=list)
    batch_y: list = field(default_factory=list)


class RunState:
    """Everything the dashboard draws, filled from events (no Qt)."""

    def __init__(self) -> None:
        self.phases: dict[int, PhaseCurves] = {}
        self.current: PhaseStarted | None = None
        self.epoch: int = 0
        self.step: int = 0
        self.last_epoch: EpochMetrics | None = None
        self.last_epoch_at: float = 0.0
        self.snapshots: dict = {}  # block (or "network") -> latest Snapshot
        self.samples_per_second: float | None = None
        self.final = None

    def fraction(self) -> float:
        p = self.current
        if p is None:
            return 0.0
        if isinstance(self.final, Finished):
            return 1.0
        e = self.last_epoch
        if e is not None and e.eta is not None and e.elapsed + e.eta > 0:
            return min(1.0, e.elapsed / (e.elapsed + e.eta))
        within = 0.0
        if p.epochs:
            steps = max(1, p.steps_per_epoch)
            within = min(1.0, (self.epoch - p.start_epoch + self.step / steps) / p.epochs)
        return min(1.0, (p.index + within) / max(1, p.count))


class TrainingDashboard(QWidget):
    blockStateChanged = Signal(str, str)
    runningChanged = Signal(bool)
    runFinished = Signal(str)
    runFailed = Signal(str, str)  # message, block ("" when none)
    runStarted = Signal(str)  # run_dir, as soon as the folder exists (audition its snapshots)

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
        self.state = RunState()
        self.block_states: dict[str, str] = {}
        self._worker: TrainingWorker | None = None
        self._running = False
        self._paused = False
        self._started_at = 0.0
        self._paused_at: float | None = None
        self._paused_total = 0.0
        self._dirty: set[str] = set()
        self._last_heavy = 0.0
        self._has_content = False  # any curve or image drawn since the last reset
        self._last_curves = 0.0
        self._phase_follow = True
        self._block_follow = True
        self._probed = False
        self._prober = CallWorker(self)
        self._prober.result.connect(self._on_probe)
        self._twin = None
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(int(1000 / self.DRAW_HZ))
        self._timer.timeout.connect(self._draw)

    # ---- layout ------------------------------------------------------------------------
    def _build(self) -> None:
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.twin_button = QPushButton("Twin run…")
        self.twin_button.setToolTip(
            "Train the same network with and without pretraining and compare them side by side"
        )
        self.pretraining_check = QCheckBox("Pretraining")
        self.pretraining_check.setChecked(True)
        self.device_combo = QComboBox()
        self.device_combo.addItem("CPU")
        self.device_combo.setToolTip("Where to train (GPUs are listed when TensorFlow finds any)")
        self.start_button.clicked.connect(self._on_start_clicked)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.stop_button.clicked.connect(self.stop)
        self.twin_button.clicked.connect(self.open_twin)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.status_label = QLabel("Not started")
        # Labels whose text changes many times a second must not change the layout: a new
        # size hint re-lays out (and repaints) the whole window each time.
        self.status_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.time_label = QLabel("elapsed – · ETA –")
        self.time_label.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        self.time_label.setFixedWidth(
            self.time_label.fontMetrics().horizontalAdvance("elapsed 00:00:00 · ETA 00:00:00") + 12
        )
        self.time_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error_label.setStyleSheet(
            "QLabel { background: #fdecea; color: #8a1c12; border: 1px solid #e0a39c;"
            " border-radius: 4px; padding: 6px; font-weight: bold; }"
        )
        self.error_label.hide()

        bar = QHBoxLayout()
        for w in (self.start_button, self.pause_button, self.stop_button):
            bar.addWidget(w)
        bar.addWidget(QLabel("Device:"))
        bar.addWidget(self.device_combo)
        bar.addWidget(self.pretraining_check)
        bar.addStretch(1)
        bar.addWidget(self.twin_button)

        status = QHBoxLayout()
        status.addWidget(self.progress, 2)
        status.addWidget(self.status_label, 3)
        status.addWidget(self.time_label, 1)

        # Curves per phase.
        self.phase_combo = QComboBox()
        self.phase_combo.activated.connect(self._on_phase_picked)
        self.curves_plot = plots.plot_widget("Loss and metrics (dashed: validation)", "epoch")
        self.curves_plot.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self._curve_items: dict = {}
        self._curve_lengths: dict = {}  # key -> points drawn, to skip unchanged curves
        self._batch_item = self.curves_plot.plot(
            [], [], pen=pg.mkPen((150, 150, 150, 140), width=1), name="batch loss"
        )
        curves_box = QVBoxLayout()
        head = QHBoxLayout()
        head.addWidget(QLabel("Phase:"))
        head.addWidget(self.phase_combo, 1)
        curves_box.addLayout(head)
        curves_box.addWidget(self.curves_plot, 1)

        # Filters of the selected block.
        self.block_combo = QComboBox()
        self.block_combo.activated.connect(self._on_block_picked)
        self.filters_view, self.filters_image = plots.image_view()
        self.filters_caption = QLabel("Learned filters appear after the first epoch")
        self.filters_caption.setStyleSheet("color: #555;")
        filters_box = QVBoxLayout()
        head = QHBoxLayout()
        head.addWidget(QLabel("Filters of:"))
        head.addWidget(self.block_combo, 1)
        filters_box.addLayout(head)
        filters_box.addWidget(self.filters_view, 1)
        filters_box.addWidget(self.filters_caption)

        # Reconstructions: input, output, difference.
        self.recon_view = pg.GraphicsLayoutWidget()
        self.recon_view.setBackground("w")
        self.recon_images = {}
        for row, name in enumerate(("input", "reconstruction", "difference")):
            # Short horizontal captions: a rotated long one made its row taller than others.
            caption = {"reconstruction": "output", "difference": "diff"}.get(name, name)
            label = self.recon_view.addLabel(caption, row=row, col=0, color="#333", size="8pt")
            label.setFixedWidth(44)
            vb = self.recon_view.addViewBox(row=row, col=1)
            vb.setAspectLocked(True)
            vb.invertY(True)
            vb.setMouseEnabled(False, False)
            vb.setMenuEnabled(False)
            item = pg.ImageItem()
            vb.addItem(item)
            self.recon_images[name] = item
        recon_box = QVBoxLayout()
        recon_box.addWidget(QLabel("Reconstructions of held-out examples"))
        recon_box.addWidget(self.recon_view, 1)

        # Histograms.
        self.hidden_plot = plots.plot_widget("Hidden activations", grid=False)
        self.weights_plot = plots.plot_widget("Weights", grid=False)
        brush = pg.mkBrush(31, 119, 180, 90)
        self.hidden_hist = self.hidden_plot.plot(
            stepMode="center", fillLevel=0, brush=brush, pen="#1f77b4"
        )
        self.weights_hist = self.weights_plot.plot(
            stepMode="center", fillLevel=0, brush=pg.mkBrush(214, 39, 40, 90), pen="#d62728"
        )

        grid = QGridLayout()
        grid.addLayout(curves_box, 0, 0)
        grid.addLayout(filters_box, 0, 1)
        grid.addLayout(recon_box, 1, 0)
        hists = QHBoxLayout()
        hists.addWidget(self.hidden_plot)
        hists.addWidget(self.weights_plot)
        grid.addLayout(hists, 1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(status)
        layout.addWidget(self.error_label)
        layout.addLayout(grid, 1)
        self._update_buttons()

    # ---- the agreed interface ----------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self._running

    def set_project(self, project) -> None:
        """The project Start trains (start() sets it too)."""
        self.project = project
        if not self._running:
            self._reset_block_states(emit=False)

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
        if self._running:
            return None
        project = project if project is not None else self.project
        if project is None:
            self._show_error("Open or create a project first")
            return None
        self.project = project
        if device is None:
            device = self.device_combo.currentText() or None
        if device == "CPU":
            device = "cpu"
        elif device and device.startswith("GPU:"):
            device = "gpu:" + device.split(":", 1)[1]
        scale = self.epochs_scale if epochs_scale is None else epochs_scale
        self.pretraining_check.setChecked(bool(pretraining))
        self.run_dir = str(run_dir) if run_dir else new_run_dir(project.name)
        run_kwargs = dict(self.extra_run_kwargs)
        run_kwargs.update(kwargs)
        run_kwargs.update(epochs_scale=scale, device=device, pretraining=bool(pretraining))
        self._reset_view()
        self._reset_block_states(emit=True)
        if self.run_function is None and self.train_in_process:
            self._worker = ProcessTrainingWorker(project, self.run_dir, parent=self, **run_kwargs)
        else:
            self._worker = TrainingWorker(
                project, self.run_dir, run_fn=self.run_function, parent=self, **run_kwargs
            )
        self._worker.event.connect(self.on_event)
        self._worker.done.connect(self._on_worker_done)
        self._started_at = time.monotonic()
        self._paused_total = 0.0
        self._paused_at = None
        self._set_running(True)
        self.status_label.setText("Starting (loading TensorFlow)…")
        self._worker.start()
        self._timer.start()
        self.runStarted.emit(self.run_dir)
        return self.run_dir

    def pause(self) -> None:
        if self._worker is not None and self._running and not self._paused:
            self._worker.pause()
            self._paused = True
            self._paused_at = time.monotonic()
            self.status_label.setText(self.status_label.text().split(" (paused)")[0] + " (paused)")
            self._update_buttons()

    def resume(self) -> None:
        if self._worker is not None and self._paused:
            self._worker.resume()
            self._paused = False
            if self._paused_at is not None:
                self._paused_total += time.monotonic() - self._paused_at
            self._paused_at = None
            self._dirty.add("status")
            self._update_buttons()

    def stop(self) -> None:
        if self._worker is not None and self._running:
            self._worker.stop()
            self._paused = False
            self.status_label.setText("Stopping after this batch…")
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
            self._set_running(False)
        return ok

    @property
    def control(self):
        return self._worker.control if self._worker is not None else None

    def select_block(self, block_id: str | None) -> None:
        """Show the filters of ``block_id`` (the canvas calls this on selection)."""
        if block_id is None:
            self._block_follow = True
        else:
            self._block_follow = False
            self._selected_block = block_id
        self._dirty.update(HEAVY)
        self.flush()

    # ---- events (GUI thread) -------------------------------------------------------------
    @Slot(object)
    def on_event(self, event) -> None:
        """Take one event (or BatchGroup) into the state; drawing happens on the timer."""
        sender = self.sender()
        if sender is not None and sender is not self._worker and sender is not self:
            return  # from an earlier run's worker
        st = self.state
        if isinstance(event, Finished | Stopped | Failed):
            # The run is over once its last event is in (a training process may take a
            # moment more to exit; stop_and_wait still waits for it). Said before the
            # finished / failed signals, so their handlers see a dashboard at rest.
            st.final = event
            self._set_running(False)
            self._dirty.update(("status", "curves", *HEAVY))
        if isinstance(event, BatchGroup):
            last = event.last
            ph = st.phases.get(last.phase)
            if ph is not None:
                steps = max(1, ph.started.steps_per_epoch)
                losses = [
                    float(v)
                    for b in event.events
                    for k, v in b.metrics.items()
                    if k in ("loss", "reconstruction_error")
                ]
                if losses:
                    ph.batch_x.append(last.epoch + (last.step + 1) / steps)
                    ph.batch_y.append(sum(losses) / len(losses))
            st.epoch, st.step = last.epoch, last.step + 1
            self._dirty.update(("curves", "status"))
        elif isinstance(event, EpochMetrics):
            ph = st.phases.get(event.phase)
            if ph is not None:
                for name, value in event.metrics.items():
                    try:
                        v = float(value)
                    except (TypeError, ValueError):
                        continue
                    xs, ys = ph.epochs.setdefault(name, ([], []))
                    xs.append(event.epoch + 1)
                    ys.append(v)
            st.last_epoch = event
            st.last_epoch_at = time.monotonic()
            st.epoch, st.step = event.epoch + 1, 0
            st.samples_per_second = event.samples_per_second
            self._dirty.update(("curves", "status"))
        elif isinstance(event, Snapshot):
            key = event.block or "network"
            st.snapshots[key] = event
            if self.block_combo.findText(key) < 0:
                self.block_combo.addItem(key)
            self._dirty.update(("filters", "recon", "hist"))
        elif isinstance(event, PhaseStarted):
            self._phase_started(event)
        elif isinstance(event, CheckpointWritten):
            pass
        elif isinstance(event, Finished):
            st.final = event
            self._finish_states()
            self.status_label.setText(f"Finished — run saved as {os.path.basename(event.run_dir)}")
            self.status_label.setToolTip(event.run_dir)
            self._dirty.update(("status", "curves", "filters", "recon", "hist"))
            self.runFinished.emit(event.run_dir)
        elif isinstance(event, Stopped):
            st.final = event
            self._abort_states()
            where = f"phase {event.phase + 1}, epoch {event.epoch + 1}"
            kept = f"; checkpoint {event.checkpoint}" if event.checkpoint else ""
            self.status_label.setText(f"Stopped at {where}{kept}")
            self._dirty.add("status")
        elif isinstance(event, Failed):
            st.final = event
            self._abort_states()
            block = event.block or ""
            if not block and event.phase is not None and event.phase in st.phases:
                block = st.phases[event.phase].started.block or ""
            where = f" (block {block})" if block else ""
            self._show_error(f"Training failed{where}: {event.message}")
            self.status_label.setText("Failed")
            self.runFailed.emit(event.message, block)
        if not self._timer.isActive():
            self._timer.start()

    def _phase_started(self, event: PhaseStarted) -> None:
        st = self.state
        prev = st.current
        if prev is not None and prev.kind == "pretrain" and prev.block:
            self._set_block_state(prev.block, "pretrained")
        st.current = event
        st.phases[event.index] = PhaseCurves(event)
        st.epoch, st.step = event.start_epoch, 0
        if self.phase_combo.count() == 0:
            self.phase_combo.addItem("All phases (main loss)", ALL_PHASES)
        self.phase_combo.addItem(f"{event.index + 1}. {event.name}", event.index)
        if self._phase_follow:
            self.phase_combo.setCurrentIndex(0)
        if event.kind == "pretrain" and event.block:
            self._set_block_state(event.block, "pretraining")
            if self._block_follow:
                self._selected_block = event.block
        else:
            if self._block_follow:  # fine-tuning: the first layer's data-shaped filters
                self._selected_block = "network"
            scale = 1.0
            if self.project is not None:
                try:
                    scale = float(
                        self.project.finetune_settings().get("pretrained_learning_rate_scale", 1)
                    )
                except Exception:
                    scale = 1.0
            for block in self._weight_blocks():
                was = self.block_states.get(block)
                frozen = was == "pretrained" and scale == 0.0
                self._set_block_state(block, "frozen" if frozen else "fine-tuning")
        self._dirty.update(("curves", "status", "filters"))

    # ---- block states -------------------------------------------------------------------
    def _weight_blocks(self) -> list[str]:
        if self.project is None:
            return [b for b, s in self.block_states.items()]
        return [b.id for b in self.project.network.blocks if b.type not in NO_WEIGHTS]

    def _reset_block_states(self, emit: bool) -> None:
        blocks = self._weight_blocks() if self.project is not None else []
        self.block_states = {}
        for b in blocks:
            self._set_block_state(b, "untrained", emit=emit)

    def _set_block_state(self, block: str, state: str, emit: bool = True) -> None:
        if self.block_states.get(block) == state:
            return
        self.block_states[block] = state
        if emit:
            self.blockStateChanged.emit(block, state)

    def _finish_states(self) -> None:
        cur = self.state.current
        if cur is not None and cur.kind == "pretrain" and cur.block:
            self._set_block_state(cur.block, "pretrained")
        if any(p.started.kind != "pretrain" for p in self.state.phases.values()):
            for block, state in list(self.block_states.items()):
                if state in ("fine-tuning", "frozen", "pretrained"):
                    self._set_block_state(block, "trained")

    def _abort_states(self) -> None:
        for block, state in list(self.block_states.items()):
            if state == "pretraining":
                self._set_block_state(block, "untrained")
            elif state in ("fine-tuning", "frozen"):
                # Fine-tuning did not finish: what was pretrained stays so.
                pre = any(
                    p.started.block == block and p.started.kind == "pretrain"
                    for p in self.state.phases.values()
                )
                self._set_block_state(block, "pretrained" if pre else "untrained")

    # ---- drawing (timer, GUI thread) ----------------------------------------------------
    @Slot()
    def _draw(self) -> None:
        """Draw what changed: status at up to DRAW_HZ, curves at CURVES_HZ, and the costly
        views (filters, reconstructions, histograms) at HEAVY_HZ, one view per tick so their
        repaints spread out; nothing while the dashboard is hidden (a tab behind another)."""
        visible = self.isVisible()
        now = time.monotonic()
        dirty = self._dirty
        finishing = not self._running
        if "status" in dirty or self._running:
            dirty.discard("status")
            self._draw_status()
        if not visible:
            if finishing:
                self._timer.stop()
            return
        if "curves" in dirty and (finishing or now - self._last_curves >= 1 / self.CURVES_HZ):
            dirty.discard("curves")
            self._last_curves = now
            self._draw_curves()
            return  # one plot repaint per tick
        if dirty & HEAVY and (finishing or now - self._last_heavy >= 1 / self.HEAVY_HZ):
            for name in ("filters", "recon", "hist"):
                if name in dirty:
                    dirty.discard(name)
                    getattr(self, f"_draw_{name}")()
                    break
            if not dirty & HEAVY:
                self._last_heavy = now
            return
        if finishing and not dirty:
            self._timer.stop()

    def flush(self) -> None:
        """Draw everything that changed, now (a user's choice, or a test)."""
        dirty, self._dirty = self._dirty, set()
        self._draw_status()
        if "curves" in dirty:
            self._draw_curves()
        for name in ("filters", "recon", "hist"):
            if name in dirty:
                getattr(self, f"_draw_{name}")()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty and not self._timer.isActive():
            self._timer.start()
        if self.probe_devices_on_show and not self._probed:
            self._probed = True
            self._prober.call("devices", probe_devices)

    def _elapsed(self) -> float:
        if not self._started_at:
            return 0.0
        now = self._paused_at or time.monotonic()
        return now - self._started_at - self._paused_total

    def _draw_status(self) -> None:
        st = self.state
        self.progress.setValue(int(round(1000 * st.fraction())))
        elapsed = self._elapsed()
        eta = None
        e = st.last_epoch
        if isinstance(st.final, Finished):
            eta = 0.0
        elif e is not None and e.eta is not None:
            since = 0.0 if self._paused else time.monotonic() - st.last_epoch_at
            eta = max(0.0, e.eta - since)
        self.time_label.setText(
            f"elapsed {plots.format_seconds(elapsed)} · ETA {plots.format_seconds(eta)}"
        )
        p = st.current
        if p is None or st.final is not None:
            return
        text = (
            f"Phase {p.index + 1}/{p.count}: {p.name} · epoch "
            f"{min(st.epoch + 1, p.epochs) if p.epochs else 0}/{p.epochs}"
        )
        if st.samples_per_second:
            text += f" · {st.samples_per_second:,.0f} samples/s"
        if self._paused:
            text += " (paused)"
        self.status_label.setText(text)

    def _shown_phase(self) -> PhaseCurves | None:
        idx = self.phase_combo.currentData()
        return self.state.phases.get(idx) if idx is not None else None

    def _curve_specs(self) -> tuple[list, list, list]:
        """(curves, batch xs, batch ys); a curve is (key, label, colour, dashed, xs, ys)."""
        idx = self.phase_combo.currentData()
        specs: list = []
        if idx == ALL_PHASES:
            # Every phase on one epoch axis, each in its colour: its main loss, train and val.
            offset, bx, by = 0, [], []
            for i in sorted(self.state.phases):
                ph = self.state.phases[i]
                colour = plots.PHASE_COLOURS[i % len(plots.PHASE_COLOURS)]
                main = next((n for n in MAIN_METRICS if n in ph.epochs), None)
                for name in (main, f"val_{main}") if main else ():
                    if name in ph.epochs:
                        xs, ys = ph.epochs[name]
                        # Validation curves: dashed, in their phase's colour, no legend row.
                        label = None if "val_" in name else f"{i + 1}. {ph.started.name}"
                        specs.append(
                            (
                                f"{i}:{name}",
                                label,
                                colour,
                                name.startswith("val_"),
                                [x + offset for x in xs],
                                ys,
                            )
                        )
                bx += [x + offset for x in ph.batch_x]
                by += ph.batch_y
                offset += max(ph.started.epochs, len(ph.epochs.get(main, ((), ()))[0]))
            return specs, bx, by
        ph = self._shown_phase()
        if ph is None:
            return [], [], []
        names = sorted(ph.epochs, key=lambda n: (n.startswith("val_"), n))
        base = [n for n in names if not n.startswith("val_")]
        for name in names:
            stem = name[4:] if name.startswith("val_") else name
            colour = plots.PHASE_COLOURS[
                (base.index(stem) if stem in base else len(base)) % len(plots.PHASE_COLOURS)
            ]
            xs, ys = ph.epochs[name]
            specs.append((name, name, colour, name.startswith("val_"), xs, ys))
        return specs, ph.batch_x, ph.batch_y

    def _draw_curves(self) -> None:
        self._has_content = True
        specs, bx, by = self._curve_specs()
        keys = {spec[0] for spec in specs}
        for key in list(self._curve_items):
            if key not in keys:
                self.curves_plot.removeItem(self._curve_items.pop(key))
                self._curve_lengths.pop(key, None)
        for key, label, colour, dashed, xs, ys in specs:
            item = self._curve_items.get(key)
            if item is None:
                style = Qt.DashLine if dashed else Qt.SolidLine
                item = self.curves_plot.plot(
                    [],
                    [],
                    pen=pg.mkPen(colour, width=2, style=style),
                    symbol="o",
                    symbolSize=4,
                    symbolBrush=colour,
                    symbolPen=None,
                    name=label,
                )
                self._curve_items[key] = item
            if self._curve_lengths.get(key) == len(xs):
                continue  # unchanged: setData would only cost a bounds pass and a repaint
            self._curve_lengths[key] = len(xs)
            if len(xs) > 40 and item.opts.get("symbol") is not None:
                item.setSymbol(None)  # markers cost more than the line once there are many
            item.setData(np.asarray(xs, float), np.asarray(ys, float))
        if self._curve_lengths.get("batch") != len(bx):
            self._curve_lengths["batch"] = len(bx)
            self._batch_item.setData(np.asarray(bx, float), np.asarray(by, float))
        all_x = [x for spec in specs for x in spec[4]] + list(bx)
        all_y = [y for spec in specs for y in spec[5]] + list(by)
        if all_x:
            plots.keep_in_view(self.curves_plot, all_x, all_y, x0=0.0)

    def _snapshot_for_view(self) -> Snapshot | None:
        key = getattr(self, "_selected_block", None)
        snaps = self.state.snapshots
        if key in snaps:
            return snaps[key]
        return next(reversed(snaps.values()), None) if snaps else None

    def _draw_filters(self) -> None:
        self._has_content = True
        snap = self._snapshot_for_view()
        if snap is None:
            return
        key = snap.block or "network"
        i = self.block_combo.findText(key)
        if i >= 0 and self.block_combo.currentIndex() != i:
            self.block_combo.setCurrentIndex(i)
        if snap.filters is None or len(snap.filters) == 0:
            self.filters_image.clear()
            self.filters_caption.setText(f"{key}: no filters to show for this block")
            return
        tiles = snap.filters[:64]
        img = plots.mosaic(tiles, snap.sample_kind, normalise="abs")
        self.filters_image.setImage(img, levels=(-1.0, 1.0), lut=plots.BIPOLAR.getLookupTable())
        self.filters_view.getItem(0, 0).autoRange(padding=0.01)
        shape = "×".join(str(s) for s in snap.filters.shape[1:])
        if snap.filters.ndim == 2:  # a block above the first: weights from the units below
            kind = f"weights from the {snap.filters.shape[1]} units below"
            shape = ""
        elif snap.sample_kind == "pianoroll":
            kind = "pitch × time patches"
        else:
            kind = "images"
        self.filters_caption.setText(
            f"{key}, epoch {snap.epoch + 1}: {len(tiles)} of {len(snap.filters)} units, "
            f"{shape} {kind} (blue −, red +)".replace("  ", " ")
        )

    def _draw_recon(self) -> None:
        self._has_content = True
        snap = self._snapshot_for_view()
        if snap is None or snap.inputs is None or snap.reconstructions is None:
            for item in self.recon_images.values():
                item.clear()
            return
        n = min(8, len(snap.inputs))
        x = np.asarray(snap.inputs[:n], np.float32)
        y = np.asarray(snap.reconstructions[:n], np.float32)
        kind = snap.sample_kind
        grey = plots.GREY.getLookupTable()
        hi = max(1.0, float(np.abs(x).max()) if x.size else 1.0)
        self.recon_images["input"].setImage(
            plots.mosaic(x, kind, columns=n, normalise="none", pad_value=0.0),
            levels=(0.0, hi),
            lut=grey,
        )
        self.recon_images["reconstruction"].setImage(
            plots.mosaic(y, kind, columns=n, normalise="none", pad_value=0.0),
            levels=(0.0, hi),
            lut=grey,
        )
        self.recon_images["difference"].setImage(
            plots.mosaic(y - x, kind, columns=n, normalise="none", pad_value=0.0),
            levels=(-hi, hi),
            lut=plots.BIPOLAR.getLookupTable(),
        )
        for r in range(3):
            vb = self.recon_view.getItem(r, 1)
            if vb is not None:
                vb.autoRange(padding=0.02)

    def _draw_hist(self) -> None:
        self._has_content = True
        snap = self._snapshot_for_view()
        if snap is None:
            return
        for values, item, plot in (
            (snap.hidden, self.hidden_hist, self.hidden_plot),
            (snap.weights, self.weights_hist, self.weights_plot),
        ):
            if values is not None:
                edges, counts = plots.histogram(values)
                item.setData(edges, counts)
                plots.keep_in_view(plot, edges, np.r_[0.0, counts], pad=0.05, grow=1.0)

    # ---- buttons and housekeeping ---------------------------------------------------------
    @Slot()
    def _on_start_clicked(self) -> None:
        self.start(self.project, pretraining=self.pretraining_check.isChecked())

    @Slot()
    def _on_pause_clicked(self) -> None:
        if self._paused:
            self.resume()
        else:
            self.pause()

    @Slot(int)
    def _on_phase_picked(self, _index: int) -> None:
        self._phase_follow = self.phase_combo.currentIndex() == 0
        plots.forget_view(self.curves_plot)
        self._curve_lengths.clear()
        self._dirty.add("curves")
        self.flush()

    @Slot(int)
    def _on_block_picked(self, _index: int) -> None:
        self.select_block(self.block_combo.currentText())

    @Slot()
    def _on_worker_done(self) -> None:
        sender = self.sender()
        if sender is not None and sender is not self._worker:
            return  # an earlier run's process finished exiting after a new run started
        self._set_running(False)
        if self.state.final is None:
            self.status_label.setText("Training ended")
        self._dirty.add("status")
        self._draw()

    def _set_running(self, running: bool) -> None:
        if running == self._running:
            return
        self._running = running
        if not running:
            self._paused = False
        self._update_buttons()
        self.runningChanged.emit(running)

    def _update_buttons(self) -> None:
        self.start_button.setEnabled(not self._running)
        self.pause_button.setEnabled(self._running)
        self.pause_button.setText("Resume" if self._paused else "Pause")
        self.stop_button.setEnabled(self._running)
        self.device_combo.setEnabled(not self._running)
        self.pretraining_check.setEnabled(not self._running)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    def _reset_view(self) -> None:
        self.state = RunState()
        self.error_label.hide()
        self.phase_combo.clear()
        self.block_combo.clear()
        self._phase_follow = True
        self._block_follow = True
        self._selected_block = None
        self.progress.setValue(0)
        if not self._has_content:  # nothing drawn yet: clearing would only cost repaints
            return
        self._has_content = False
        for item in self._curve_items.values():
            self.curves_plot.removeItem(item)
        self._curve_items.clear()
        self._curve_lengths.clear()
        self._batch_item.setData([], [])
        for plot in (self.curves_plot, self.hidden_plot, self.weights_plot):
            plots.forget_view(plot)
        self.filters_image.clear()
        for item in self.recon_images.values():
            item.clear()
        self.filters_caption.setText("Learned filters appear after the first epoch")

    @Slot(object, object)
    def _on_probe(self, _tag, devices) -> None:
        current = self.device_combo.currentText()
        self.device_combo.clear()
        self.device_combo.addItems(list(devices))
        i = self.device_combo.findText(current)
        self.device_combo.setCurrentIndex(max(0, i))

    @Slot()
    def open_twin(self) -> None:
        if self.project is None:
            self._show_error("Open or create a project first")
            return
        from app.panels.twin import TwinRunPanel

        if self._twin is None:
            self._twin = TwinRunPanel(None)
            self._twin.setWindowFlag(Qt.Window, True)
            self._twin.run_function = self.run_function
            self._twin.epochs_scale = self.epochs_scale
        self._twin.resize(1200, 800)
        self._twin.show()
        self._twin.raise_()
        if not self._twin.is_running:
            self._twin.start(self.project)

    def closeEvent(self, event) -> None:
        self.stop_and_wait(10.0)
        super().closeEvent(event)
