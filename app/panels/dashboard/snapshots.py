"""The views that draw one block's latest snapshot: its learned filters, reconstructions of
held-out examples, and histograms of hidden activations and weights."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app import plots
from app.panels.dashboard.filter_pictures import SPECTRUM, filter_tiles
from app.steady_label import SteadyLabel
from core.training.events import Snapshot

FILTERS_HINT = "Learned filters appear after the first epoch"
MAX_FILTERS = 64  # tiles drawn; a few dozen show what a layer learned
MAX_EXAMPLES = 8
RECON_ROWS = (("input", "input"), ("reconstruction", "output"), ("difference", "diff"))


class FiltersView(QWidget):
    """A block picker over a mosaic of the chosen block's filters, with a caption."""

    blockPicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.block_combo = QComboBox()
        self.block_combo.activated.connect(self._on_block_picked)
        self.view, self.image = plots.image_view()
        self.view.setObjectName("filterView")
        self.caption = SteadyLabel(FILTERS_HINT, colour="#555")  # new text every snapshot
        head = QHBoxLayout()
        head.addWidget(QLabel("Filters of:"))
        head.addWidget(self.block_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)

    def add_block(self, key: str) -> None:
        if self.block_combo.findText(key) < 0:
            self.block_combo.addItem(key)

    @Slot(int)
    def _on_block_picked(self, _index: int) -> None:
        self.blockPicked.emit(self.block_combo.currentText())

    def draw(self, snap: Snapshot | None) -> None:
        if snap is None:
            return
        key = snap.block or "network"
        i = self.block_combo.findText(key)
        if i >= 0 and self.block_combo.currentIndex() != i:
            self.block_combo.setCurrentIndex(i)
        if snap.filters is None or len(snap.filters) == 0:
            self.image.clear()
            self.caption.setText(f"{key}: no filters to show for this block")
            return
        self.image.setImage(
            filter_mosaic(snap.filters, snap.sample_kind),
            levels=(-1.0, 1.0),
            lut=plots.BIPOLAR.getLookupTable(),
        )
        self.view.getItem(0, 0).autoRange(padding=0.01)
        self.caption.setText(filters_caption(snap, min(MAX_FILTERS, len(snap.filters))))

    def clear(self, *, drawn: bool) -> None:
        self.block_combo.clear()
        if drawn:
            self.image.clear()
            self.caption.setText(FILTERS_HINT)


def filter_mosaic(filters: np.ndarray, sample_kind: str) -> np.ndarray:
    """The first MAX_FILTERS filters as one picture, each tile scaled to -1..1."""
    tiles, kind, _ = filter_tiles(filters[:MAX_FILTERS], sample_kind)
    return plots.mosaic(tiles, kind, normalise="abs", pad=4 if kind == SPECTRUM else 1)


def filters_caption(snap: Snapshot, shown: int) -> str:
    """What the filter mosaic shows: how many units, of what shape, in which colours."""
    key = snap.block or "network"
    _, _, kind = filter_tiles(snap.filters[:1], snap.sample_kind)
    shape = "" if snap.filters.ndim == 2 else "×".join(str(s) for s in snap.filters.shape[1:])
    return (
        f"{key}, epoch {snap.epoch + 1}: {shown} of {len(snap.filters)} units, "
        f"{shape} {kind} (blue −, red +)".replace("  ", " ")
    )


class ReconstructionView(QWidget):
    """Held-out examples in three rows: input, the block's output, and their difference."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setObjectName("reconstructionView")
        self.view.setBackground("w")
        self.images: dict[str, pg.ImageItem] = {}
        for row, (name, caption) in enumerate(RECON_ROWS):
            # Short horizontal captions: a rotated long one made its row taller than others.
            label = self.view.addLabel(caption, row=row, col=0, color="#333", size="8pt")
            label.setFixedWidth(44)
            self.images[name] = plots.image_in(self.view, row=row, col=1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Reconstructions of held-out examples"))
        layout.addWidget(self.view, 1)

    def draw(self, snap: Snapshot | None) -> None:
        if snap is None or snap.inputs is None or snap.reconstructions is None:
            self.clear()
            return
        n = min(MAX_EXAMPLES, len(snap.inputs))
        x = np.asarray(snap.inputs[:n], np.float32)
        y = np.asarray(snap.reconstructions[:n], np.float32)
        hi = max(1.0, float(np.abs(x).max()) if x.size else 1.0)
        lo = min(0.0, float(x.min()) if x.size else 0.0)  # standardised spectra go below 0
        grey = plots.GREY.getLookupTable()
        rows = (
            ("input", x, (lo, hi), grey),
            ("reconstruction", y, (lo, hi), grey),
            ("difference", y - x, (lo - hi, hi - lo), plots.BIPOLAR.getLookupTable()),
        )
        for name, values, levels, lut in rows:
            picture = plots.mosaic(values, snap.sample_kind, columns=n, normalise="none")
            self.images[name].setImage(picture, levels=levels, lut=lut)
        for r in range(len(RECON_ROWS)):
            vb = self.view.getItem(r, 1)
            if vb is not None:
                vb.autoRange(padding=0.02)

    def clear(self) -> None:
        for item in self.images.values():
            item.clear()


class HistogramView(QWidget):
    """Histograms of the block's hidden activations and of a sample of its weights."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.hidden_plot = plots.plot_widget("Hidden activations", grid=False)
        self.weights_plot = plots.plot_widget("Weights", grid=False)
        self.hidden_hist = self.hidden_plot.plot(
            stepMode="center", fillLevel=0, brush=pg.mkBrush(31, 119, 180, 90), pen="#1f77b4"
        )
        self.weights_hist = self.weights_plot.plot(
            stepMode="center", fillLevel=0, brush=pg.mkBrush(214, 39, 40, 90), pen="#d62728"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hidden_plot)
        layout.addWidget(self.weights_plot)

    def draw(self, snap: Snapshot | None) -> None:
        self.draw_hidden(snap)
        self.draw_weights(snap)

    def draw_hidden(self, snap: Snapshot | None) -> None:
        if snap is not None:
            _draw_histogram(snap.hidden, self.hidden_hist, self.hidden_plot)

    def draw_weights(self, snap: Snapshot | None) -> None:
        if snap is not None:
            _draw_histogram(snap.weights, self.weights_hist, self.weights_plot)

    def clear(self) -> None:
        for item in (self.hidden_hist, self.weights_hist):
            item.clear()
        for plot in (self.hidden_plot, self.weights_plot):
            plots.forget_view(plot)


def _draw_histogram(values, item: pg.PlotDataItem, plot: pg.PlotWidget) -> None:
    if values is not None:
        edges, counts = plots.histogram(values)
        item.setData(edges, counts)
        plots.keep_in_view(plot, edges, np.r_[0.0, counts], pad=0.05, grow=1.0)
