"""Twin runs: the same network trained with and without pretraining, side by side.

The two runs go one after the other (on a 2-core machine interleaving buys nothing), each on
a :class:`app.workers.training.TrainingWorker`, with a copy of the network taken at the start
(editing the canvas meanwhile changes neither twin) and the device the dashboard names. Each
column shows its fine-tuning curves (the y axes linked, so the two read on one scale), the
learned filters of its first layer, and, for a network that learns music, a piece generated
from the finished run. Once both are done, Compare opens the pair in the window's comparison.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qthrottled

from app import plots
from app.panels.dashboard.progress import (
    NETWORK,
    CurveSpec,
    PhaseCurves,
    ProgressModel,
    phase_curve_specs,
)
from app.panels.dashboard.snapshots import filter_mosaic
from app.pianoroll_view import PianoRollView
from app.workers.session import AfterRun, BatchGroup
from app.workers.training import TrainingWorker
from core.catalog.data import data_source
from core.runs import new_run
from core.training.events import EpochMetrics, Failed, Finished, PhaseStarted, Snapshot, Stopped

DRAW_INTERVAL_MS = 40  # live curves redraw at most this often
SIDES = (("with", True, "With pretraining"), ("without", False, "Without pretraining"))


def _generate_piece(run_dir: str):
    from core.music.generation import generate

    # Each cell sampled from its probability (no threshold): a briefly trained network is
    # unsure of every note, and sampling shows what each twin learned on the same footing.
    return generate(run_dir, method="auto", seed=0, bars=4, threshold=None)


class _Side:
    """One column: its run's progress model and the views drawn from it."""

    def __init__(self, key: str, title: str):
        self.key = key
        self.title = QLabel(f"<b>{title}</b>")
        self.status = QLabel("waiting")
        self.status.setWordWrap(True)
        self.curves = plots.plot_widget("Fine-tuning", "epoch")
        self.curves.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.items: dict = {}
        self.filters_view, self.filters_image = plots.image_view("First-layer filters")
        self.sample = PianoRollView()
        self.sample_caption = QLabel("A piece is generated when the run ends")
        self.sample_caption.setStyleSheet("color: #555;")
        self.reset()

    def reset(self) -> None:
        self.model = ProgressModel()
        self.first_block: str | None = None
        self.snapshot: Snapshot | None = None
        self.run_dir: str | None = None
        for item in self.items.values():
            self.curves.removeItem(item)
        self.items.clear()
        self.filters_image.clear()
        self.sample.set_roll(None)
        self.status.setText("waiting")

    @property
    def final(self):
        return self.model.final

    def finetune_phase(self) -> PhaseCurves | None:
        """The fine-tuning phase's curves (the last phase that is not pretraining)."""
        phases = [p for p in self.model.phases.values() if p.started.kind != "pretrain"]
        return phases[-1] if phases else None

    def curve_specs(self) -> list[CurveSpec]:
        phase = self.finetune_phase()
        return phase_curve_specs(phase) if phase is not None else []

    def take_snapshot(self, event: Snapshot) -> bool:
        """Keep the first layer's filters: the first pretrained block's, else the network's."""
        if self.first_block is None:
            self.first_block = event.block or NETWORK
        mine = (event.block or NETWORK) == self.first_block or event.block is None
        if mine and event.filters is not None:
            self.snapshot = event
            return True
        return False


def learns_music(project) -> bool:
    """Whether the project's data are pieces (piano rolls), not images."""
    try:
        return data_source(str(project.data.get("source"))).music
    except KeyError:
        return True


class TwinRunPanel(QWidget):
    runningChanged = Signal(bool)
    twinFinished = Signal(str, str)  # run with pretraining, run without
    compareRequested = Signal(list)  # the two run folders

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Twin run: with and without pretraining")
        self.run_function = None
        self.epochs_scale = 1.0
        self.extra_run_kwargs: dict = {}
        self.project = None
        self.music = True
        self.sides = {key: _Side(key, title) for key, _, title in SIDES}
        self._queue: list = []
        self._current: tuple | None = None  # (side key, TrainingWorker)
        self._running = False
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Open both runs in the window's comparison")
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self._on_compare)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Stop the twin run (if it runs) and close this view")
        self.close_button.clicked.connect(self.close)
        self.summary = QLabel("")
        grid = QGridLayout()
        for col, (key, _, _) in enumerate(SIDES):
            s = self.sides[key]
            grid.addWidget(s.title, 0, col)
            grid.addWidget(s.status, 1, col)
            grid.addWidget(s.curves, 2, col)
            grid.addWidget(s.filters_view, 3, col)
            grid.addWidget(s.sample, 4, col)
            grid.addWidget(s.sample_caption, 5, col)
        grid.setRowStretch(2, 3)
        grid.setRowStretch(3, 2)
        grid.setRowStretch(4, 2)
        # One y range for both (set in _draw from both sides' data), x linked.
        self.sides["without"].curves.setXLink(self.sides["with"].curves)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.stop_button)
        top.addWidget(self.compare_button)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 1)

    @property
    def is_running(self) -> bool:
        return self._running

    def open_for(self, dashboard, run_kwargs: dict) -> None:
        """Show the view and, unless it trains already, start the twins on the dashboard's
        project, training function and epochs scale; ``run_kwargs`` name the device."""
        self.run_function = dashboard.run_function
        self.epochs_scale = dashboard.epochs_scale
        self.extra_run_kwargs = dict(run_kwargs)
        self.resize(1200, 800)
        self.show()
        self.raise_()
        if not self.is_running:
            self.start(dashboard.project)  # start() keeps its own copy of the network

    def start(self, project) -> None:
        if self._running:
            return
        self.project = project.copy()  # the canvas may change while the twins train
        self.music = learns_music(self.project)
        self.compare_button.setEnabled(False)
        for s in self.sides.values():
            s.reset()
            s.sample.setVisible(self.music)  # digits have no piano roll
            s.sample_caption.setVisible(self.music)
        self._queue = [(key, pre) for key, pre, _ in SIDES]
        self._set_running(True)
        self.summary.setText(f"Training “{project.name}” twice, one run after the other")
        self._next()

    def _next(self) -> None:
        if not self._queue:
            self._current = None
            self._set_running(False)
            self._summarise()
            return
        key, pre = self._queue.pop(0)
        side = self.sides[key]
        side.run_dir = str(new_run(self.project.name, f"-twin-{key}"))
        kwargs = dict(self.extra_run_kwargs)
        kwargs.update(epochs_scale=self.epochs_scale, pretraining=pre)
        # The piece is generated on the training thread right after the run: generating
        # on another thread after a session crashed TensorFlow here.
        worker = TrainingWorker(
            self.project,
            side.run_dir,
            run_fn=self.run_function,
            parent=self,
            after=_generate_piece if self.music else None,
            **kwargs,
        )
        worker.event.connect(self._on_event)
        worker.done.connect(self._on_done)
        self._current = (key, worker)
        side.status.setText("starting…")
        worker.start()

    def stop(self) -> None:
        self._queue = []
        if self._current is not None:
            self._current[1].stop()

    def stop_and_wait(self, timeout_s: float) -> bool:
        self._queue = []
        if self._current is None:
            return True
        worker = self._current[1]
        worker.stop()
        ok = worker.wait(timeout_s)
        if ok:
            self._set_running(False)
        return ok

    # ---- events ----------------------------------------------------------------------------
    @Slot(object)
    def _on_event(self, event) -> None:
        if self._current is None or isinstance(event, BatchGroup):
            return
        side = self.sides[self._current[0]]
        if isinstance(event, AfterRun):
            if event.error is not None:
                self._on_generate_failed(side.key, event.error)
            else:
                self._on_generated(side.key, event.value)
            return
        side.model.feed(event)
        if isinstance(event, PhaseStarted):
            side.status.setText(f"phase {event.index + 1}/{event.count}: {event.name}")
        elif isinstance(event, EpochMetrics):
            side.status.setText(side.status.text().split(" · ")[0] + f" · epoch {event.epoch + 1}")
            self._request_draw()
        elif isinstance(event, Snapshot):
            if side.take_snapshot(event):
                self._request_draw()
        elif isinstance(event, Finished):
            side.status.setText(f"finished: {_headline(event.summary)}")
            side.sample_caption.setText("generating a piece…")
        elif isinstance(event, Stopped):
            side.status.setText("stopped")
        elif isinstance(event, Failed):
            where = f" (block {event.block})" if event.block else ""
            side.status.setText(f"<span style='color:#a00'>failed{where}: {event.message}</span>")

    @Slot()
    def _on_done(self) -> None:
        self._draw()
        key = self._current[0] if self._current else None
        final = self.sides[key].final if key else None
        if isinstance(final, Stopped | Failed):
            self._queue = []
        self._next()

    def _on_generated(self, key, roll) -> None:
        side = self.sides[key]
        side.sample.set_roll(roll)
        side.sample_caption.setText(
            f"sampled (seed 0, no threshold): {roll.steps} steps, "
            f"{int((roll.roll > 0).sum())} note cells"
        )

    def _on_generate_failed(self, key, message: str) -> None:
        self.sides[key].sample_caption.setText(f"no piece: {message}")

    # ---- drawing ---------------------------------------------------------------------------
    @qthrottled(timeout=DRAW_INTERVAL_MS)
    def _request_draw(self) -> None:
        """Draw now, then at most once per interval however fast epochs come."""
        self._draw()

    @Slot()
    def _draw(self) -> None:
        specs = {side.key: side.curve_specs() for side in self.sides.values()}
        for side in self.sides.values():
            self._draw_side(side, specs[side.key])
        ys = [y for side_specs in specs.values() for spec in side_specs for y in spec.ys]
        ys = [y for y in ys if np.isfinite(y)]
        if ys:  # one y range for both sides, so the two read on one scale
            lo, hi = min(ys), max(ys)
            pad = 0.06 * max(hi - lo, 1e-6)
            for side in self.sides.values():
                side.curves.setYRange(lo - pad, hi + pad, padding=0)

    def _draw_side(self, side: _Side, specs: list[CurveSpec]) -> None:
        for spec in specs:
            item = side.items.get(spec.key)
            if item is None:
                style = Qt.DashLine if spec.dashed else Qt.SolidLine
                pen = pg.mkPen(plots.palette_colour(spec.colour), width=2, style=style)
                item = side.curves.plot([], [], pen=pen, name=spec.label)
                side.items[spec.key] = item
            item.setData(np.asarray(spec.xs, float), np.asarray(spec.ys, float))
        snap = side.snapshot
        if snap is not None and snap.filters is not None:
            img = filter_mosaic(snap.filters, snap.sample_kind)
            side.filters_image.setImage(img, levels=(-1.0, 1.0), lut=plots.BIPOLAR.getLookupTable())

    def _summarise(self) -> None:
        parts = []
        for key, _, title in SIDES:
            final = self.sides[key].final
            if isinstance(final, Finished):
                parts.append(f"{title}: {_headline(final.summary)}")
        if parts:
            self.summary.setText(" | ".join(parts))
        a, b = self.sides["with"].final, self.sides["without"].final
        if isinstance(a, Finished) and isinstance(b, Finished):
            self.compare_button.setEnabled(True)
            self.twinFinished.emit(a.run_dir, b.run_dir)

    @Slot()
    def _on_compare(self) -> None:
        runs = [s.run_dir for s in self.sides.values() if s.run_dir]
        if len(runs) == 2:
            self.compareRequested.emit(runs)

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self.stop_button.setEnabled(running)
            self.runningChanged.emit(running)

    def closeEvent(self, event) -> None:
        self.stop_and_wait(10.0)
        super().closeEvent(event)


def _headline(summary: dict) -> str:
    """The final validation metric of a run's summary, as short text."""
    evaluation = (summary or {}).get("evaluation") or {}
    for key in ("accuracy", "val_accuracy", "reconstruction_error", "val_loss", "loss"):
        if key in evaluation:
            try:
                split = evaluation.get("split", "")
                return f"{split} {key} {float(evaluation[key]):.4g}".strip()
            except (TypeError, ValueError):
                pass
    return "done"
