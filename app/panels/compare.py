"""Comparing runs: two or more runs overlaid, read from their folders.

The curves of every run on one pair of axes (each run's main loss over all its phases,
training solid and validation dashed, in the run's colour); a table of final metrics (the
summary's evaluation and evaluation.json's, when there is one); each run's first-layer
filters side by side; and A/B listening of a piece made with the same method and seed from
each run (only for runs that learned music: digits have no piano rolls).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import plots
from app.panels.compare_listen import ListeningRow
from app.panels.dashboard.from_disk import progress_from_run
from app.panels.dashboard.progress import NETWORK, ProgressModel, all_phases_curve_specs
from app.panels.dashboard.snapshots import filter_mosaic
from core.run_info import RunInfo, format_duration, read_run_info

FIXED_COLUMNS = ("Run", "Status", "Duration", "Device")


class ComparedRun:
    """One run of a comparison: what its folder says, and its curves and snapshots."""

    def __init__(self, run_dir: str):
        self.info: RunInfo = read_run_info(run_dir)  # NotARunError
        self.model: ProgressModel = progress_from_run(run_dir)

    @property
    def path(self) -> str:
        return str(self.info.path)

    @property
    def sample_kind(self) -> str:
        snap = self.first_layer_snapshot()
        return snap.sample_kind if snap is not None else "image"

    def first_layer_snapshot(self):
        """The first pretrained block's latest snapshot, else the network's."""
        for phase in sorted(self.model.phases):
            key = self.model.phases[phase].started.block or NETWORK
            snap = self.model.snapshots.get(key)
            if snap is not None and snap.filters is not None:
                return snap
        return None


def metric_columns(runs: list[ComparedRun]) -> list[str]:
    """Every metric any run has, the commonest first, then by name."""
    counts: dict[str, int] = {}
    for run in runs:
        for name in run.info.metrics:
            counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda n: (-counts[n], n))


class ComparePanel(QWidget):
    closeRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("comparePanel")
        self.runs: list[ComparedRun] = []
        self.curve_items: dict[str, pg.PlotDataItem] = {}
        self.title = QLabel("")
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close the comparison")
        self.close_button.clicked.connect(self.closeRequested)
        self.curves = plots.plot_widget("Main loss, all phases", "epoch")
        self.curves.setObjectName("compareCurves")
        self.legend = self.curves.addLegend(offset=(-10, 10), labelTextSize="8pt")
        self.table = QTableWidget()
        self.table.setObjectName("compareTable")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.filters_row = QHBoxLayout()
        self.filter_images: list[pg.ImageItem] = []
        self.filter_views: list[QWidget] = []
        self.listening = ListeningRow(self)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.close_button)
        grid = QGridLayout()
        grid.addWidget(self.curves, 0, 0)
        grid.addWidget(self.table, 0, 1)
        grid.addLayout(self.filters_row, 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 3)
        layout.addWidget(self.listening, 1)

    def set_runs(self, run_dirs: list[str]) -> None:
        """Compare these runs; NotARunError (and nothing changed) when one is not a run."""
        runs = [ComparedRun(str(d)) for d in run_dirs]
        self.stop()
        self.runs = runs
        self.title.setText(f"<b>Comparing {len(runs)} runs</b>")
        self._draw_curves()
        self._fill_table()
        self._draw_filters()
        self.listening.set_runs([(r.path, r.info.name, r.sample_kind) for r in runs])

    def stop(self) -> None:
        self.listening.stop()

    # ---- curves -----------------------------------------------------------------------------
    def _draw_curves(self) -> None:
        for item in self.curve_items.values():
            self.curves.removeItem(item)
        self.curve_items.clear()
        self.legend.clear()
        for index, run in enumerate(self.runs):
            specs, _, _ = all_phases_curve_specs(run.model.phases)
            colour = plots.palette_colour(index)
            for spec in specs:
                style = Qt.PenStyle.DashLine if spec.dashed else Qt.PenStyle.SolidLine
                pen = pg.mkPen(colour, width=2, style=style)
                name = run.info.name if not spec.dashed and not self._named(index) else None
                # Marked points: a phase of one epoch is a single point, no line.
                item = self.curves.plot(
                    np.asarray(spec.xs, float),
                    np.asarray(spec.ys, float),
                    pen=pen,
                    name=name,
                    symbol="o",
                    symbolSize=5,
                    symbolBrush=colour,
                    symbolPen=None,
                )
                self.curve_items[f"{index}:{spec.key}"] = item

    def _named(self, index: int) -> bool:
        """Whether run ``index`` already has its legend row (one row a run)."""
        return any(
            key.startswith(f"{index}:") and item.name() for key, item in self.curve_items.items()
        )

    # ---- the table ------------------------------------------------------------------------
    def _fill_table(self) -> None:
        metrics = metric_columns(self.runs)
        columns = [*FIXED_COLUMNS, *metrics]
        self.table.clear()
        self.table.setColumnCount(len(columns))
        self.table.setRowCount(len(self.runs))
        self.table.setHorizontalHeaderLabels(columns)
        for row, run in enumerate(self.runs):
            info = info_cells(run.info)
            values = [
                f"{run.info.metrics[m]:.4g}" if m in run.info.metrics else "—" for m in metrics
            ]
            for col, text in enumerate([*info, *values]):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setForeground(pg.mkColor(plots.palette_colour(row)))
                    item.setToolTip(run.path)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()

    # ---- filters side by side -------------------------------------------------------------
    def _draw_filters(self) -> None:
        for view in self.filter_views:
            self.filters_row.removeWidget(view)
            view.deleteLater()
        self.filter_views, self.filter_images = [], []
        for run in self.runs:
            view, image = plots.image_view(f"{run.info.name}: first-layer filters")
            snap = run.first_layer_snapshot()
            if snap is not None:
                tiles = filter_mosaic(snap.filters, snap.sample_kind)
                image.setImage(tiles, levels=(-1.0, 1.0), lut=plots.BIPOLAR.getLookupTable())
            self.filters_row.addWidget(view)
            self.filter_views.append(view)
            self.filter_images.append(image)


def info_cells(info: RunInfo) -> list[str]:
    return [info.name, info.state.value, format_duration(info.duration), info.device or "—"]
