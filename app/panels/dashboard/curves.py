"""The loss plot: the curves of one phase, or the main loss of every phase on one axis; its
legend sits beside the phase picker, outside the curves, and its ticks carry no SI prefix
(an epoch axis once read "epoch (x0.001)")."""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app import plots
from app.panels.dashboard.progress import ALL_PHASES, CurveSpec, ProgressModel
from app.steady_label import SteadyRoom
from core.training.events import PhaseStarted

MARKERS_UP_TO = 40  # points per curve; past that markers cost more than the line
PICKER_SAMPLE = "All phases (main loss)"


class LossPlot(QWidget):
    """A phase picker over a plot. Curves are kept by key and redrawn only when they grew."""

    phasePicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.phase_combo = QComboBox()
        self.phase_combo.activated.connect(self._on_phase_picked)
        # One width from the start: a picker that grew with each phase re-laid out the
        # dashboard (and repainted every plot) as a run went on.
        self.phase_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.phase_combo.setMinimumContentsLength(len(PICKER_SAMPLE))
        self.plot = plots.plot_widget("Loss and metrics (dashed: validation)", "epoch")
        self.plot.setObjectName("lossPlot")
        for side in ("bottom", "left"):
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.legend = QLabel()
        self.legend.setObjectName("lossLegend")
        # One line that never sets the panel's size: a wrapping label has a height-for-width,
        # and a scroll area then sizes the whole dashboard from its preferred heights.
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self._legend_rows: tuple = ()
        self.curve_items: dict[str, pg.PlotDataItem] = {}
        self.curve_lengths: dict[str, int] = {}  # key -> points drawn, to skip unchanged ones
        # Thousands of batch points: about one a pixel is drawn (each pixel's peaks kept).
        self.batch_item = self.plot.plot(
            [],
            [],
            pen=pg.mkPen((150, 150, 150, 140), width=1),
            autoDownsampleFactor=1.0,
        )
        self.batch_item.setDownsampling(auto=True, method="peak")
        self.batch_item.setClipToView(True)
        keep_items_on_range_change(self.batch_item)
        self.follow_phase = True  # the all-phases view stays until a user picks a phase
        head = QHBoxLayout()
        head.addWidget(QLabel("Phase:"))
        head.addWidget(self.phase_combo)
        head.addWidget(SteadyRoom(self.legend), 1)  # a new curve's entry re-lays out nothing
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.plot, 1)

    def shown_phase(self) -> int | None:
        return self.phase_combo.currentData()

    def add_phase(self, event: PhaseStarted) -> None:
        if self.phase_combo.count() == 0:
            self.phase_combo.addItem(PICKER_SAMPLE, ALL_PHASES)
        self.phase_combo.addItem(f"{event.index + 1}. {event.name}", event.index)
        if self.follow_phase:
            self.phase_combo.setCurrentIndex(0)

    @Slot(int)
    def _on_phase_picked(self, _index: int) -> None:
        self.follow_phase = self.phase_combo.currentIndex() == 0
        plots.forget_view(self.plot)
        self.curve_lengths.clear()
        self.phasePicked.emit()

    def draw(self, model: ProgressModel) -> None:
        specs, batch_x, batch_y = model.curve_specs(self.shown_phase())
        keys = {spec.key for spec in specs}
        for key in list(self.curve_items):
            if key not in keys:
                self.plot.removeItem(self.curve_items.pop(key))
                self.curve_lengths.pop(key, None)
        for spec in specs:
            self._draw_curve(spec)
        self._show_legend(specs, bool(batch_x))
        if self.curve_lengths.get("batch") != len(batch_x):
            self.curve_lengths["batch"] = len(batch_x)
            self.batch_item.setData(np.asarray(batch_x, float), np.asarray(batch_y, float))
        all_x = [x for spec in specs for x in spec.xs] + list(batch_x)
        all_y = [y for spec in specs for y in spec.ys] + list(batch_y)
        if all_x:
            plots.keep_in_view(self.plot, all_x, all_y, x0=0.0)

    def _show_legend(self, specs: list[CurveSpec], has_batches: bool) -> None:
        rows = tuple((s.label, s.colour, s.dashed) for s in specs if s.label)
        rows += (("batch loss", None, False),) if has_batches else ()
        if rows == self._legend_rows:
            return  # unchanged: no relayout
        self._legend_rows = rows
        self.legend.setText(" ".join(legend_entry(*row) for row in rows))

    def _draw_curve(self, spec: CurveSpec) -> None:
        item = self.curve_items.get(spec.key)
        if item is None:
            colour = plots.palette_colour(spec.colour)
            style = Qt.DashLine if spec.dashed else Qt.SolidLine
            item = self.plot.plot(
                [],
                [],
                pen=pg.mkPen(colour, width=2, style=style),
                symbol="o",
                symbolSize=4,
                symbolBrush=colour,
                symbolPen=None,
                name=spec.label,
            )
            keep_items_on_range_change(item)
            self.curve_items[spec.key] = item
        if self.curve_lengths.get(spec.key) == len(spec.xs):
            return  # unchanged: setData would only cost a bounds pass and a repaint
        self.curve_lengths[spec.key] = len(spec.xs)
        if len(spec.xs) > MARKERS_UP_TO and item.opts.get("symbol") is not None:
            item.setSymbol(None)
        item.setData(np.asarray(spec.xs, float), np.asarray(spec.ys, float))

    def clear(self, *, drawn: bool) -> None:
        """Back to an empty picker; the plot is emptied too when anything was ``drawn``."""
        self.phase_combo.clear()
        self.follow_phase = True
        if not drawn:
            return
        for item in self.curve_items.values():
            self.plot.removeItem(item)
        self.curve_items.clear()
        self.curve_lengths.clear()
        self._legend_rows = ()
        self.legend.clear()
        self.batch_item.setData([], [])
        plots.forget_view(self.plot)


def keep_items_on_range_change(item: pg.PlotDataItem) -> None:
    """No rebuilding of a curve's line and markers when the y range moves: pyqtgraph's
    dynamic range limit re-clips the data at every change of the y range, guarding against
    points far outside the view, and :func:`app.plots.keep_in_view` keeps every finite point
    inside it anyway."""
    item.setDynamicRangeLimit(None)


def legend_entry(label: str, colour: int | None, dashed: bool) -> str:
    """One legend row as rich text: a coloured line sample (dashed for validation), the name."""
    ink = plots.palette_colour(colour) if colour is not None else "#969696"
    sample = "╌╌" if dashed else "━━"
    return f'<span style="color:{ink}">{sample}</span>&nbsp;{html.escape(label)}&nbsp;&nbsp;'
