"""Small pyqtgraph helpers shared by the dashboard, the twin view and the audition panel.

Arrays are laid out the way they read: ``imageAxisOrder='row-major'`` is set once here, so a
numpy (row, col) image shows row 0 at the top of a view with an inverted y axis.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)

BIPOLAR = pg.colormap.get("CET-D1")  # blue - white - red: negative, zero, positive weights
GREY = pg.ColorMap(pos=[0.0, 1.0], color=[(255, 255, 255), (20, 20, 20)])  # 0 white, 1 ink
PHASE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]


def palette_colour(index: int) -> str:
    """The ``index``-th curve colour, cycling through the palette."""
    return PHASE_COLOURS[index % len(PHASE_COLOURS)]


def tile_image(tile: np.ndarray, kind: str) -> np.ndarray:
    """One sample as a 2-D picture: images as they are; piano-roll patches (steps × pitches)
    and spectrograms (frames × frequency bins) turned so pitch or frequency runs up the
    picture and time runs right."""
    tile = np.asarray(tile, dtype=np.float32)
    if tile.ndim == 1:  # a flat vector: the most square picture that holds it
        n = tile.size
        w = int(math.ceil(math.sqrt(n)))
        h = int(math.ceil(n / w))
        padded = np.zeros(h * w, np.float32)
        padded[:n] = tile
        return padded.reshape(h, w)
    if tile.ndim > 2:  # channels: show the first
        tile = tile.reshape(tile.shape[0], tile.shape[1], -1)[..., 0]
    if kind in ("pianoroll", "spectrogram"):
        return tile.T[::-1]
    return tile


def mosaic(
    tiles,
    kind: str = "image",
    *,
    columns: int | None = None,
    normalise: str = "abs",
    pad: int = 1,
    pad_value: float = 0.0,
) -> np.ndarray:
    """Tiles side by side in a grid, each scaled on its own.

    normalise: "abs" scales each tile by its largest magnitude into -1..1 (weights); "none"
    keeps values (inputs and reconstructions in 0..1).
    """
    pics = [tile_image(t, kind) for t in tiles]
    if not pics:
        return np.zeros((1, 1), np.float32)
    h = max(p.shape[0] for p in pics)
    w = max(p.shape[1] for p in pics)
    n = len(pics)
    cols = columns or int(math.ceil(math.sqrt(n * h / max(w, 1))))
    cols = max(1, min(cols, n))
    rows = int(math.ceil(n / cols))
    out = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), pad_value, np.float32)
    for i, p in enumerate(pics):
        if normalise == "abs":
            m = float(np.abs(p).max()) if p.size else 0.0
            p = p / m if m > 0 else p
        r, c = divmod(i, cols)
        y, x = r * (h + pad), c * (w + pad)
        out[y : y + p.shape[0], x : x + p.shape[1]] = p
    return out


def histogram(values, bins: int = 40):
    """(edges, counts) for a stepMode curve; empty input gives a flat line."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.array([0.0, 1.0]), np.array([0.0])
    lo, hi = float(v.min()), float(v.max())
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    counts, edges = np.histogram(v, bins=bins, range=(lo, hi))
    return edges, counts.astype(np.float64)


def image_view(title: str | None = None) -> tuple[pg.GraphicsLayoutWidget, pg.ImageItem]:
    """A bare, aspect-locked view showing one image top-down."""
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    if title:
        widget.addLabel(title, row=0, col=0, color="#333", size="9pt")
    return widget, image_in(widget, row=1 if title else 0, col=0)


def image_in(layout: pg.GraphicsLayout, row: int, col: int) -> pg.ImageItem:
    """A bare, aspect-locked view box at (row, col) of ``layout`` showing one image top-down."""
    vb = layout.addViewBox(row=row, col=col)
    vb.setAspectLocked(True)
    vb.invertY(True)
    vb.setMouseEnabled(False, False)
    vb.setMenuEnabled(False)
    item = pg.ImageItem()
    vb.addItem(item)
    return item


LABEL_ROOM = 1.5  # line heights from one tick label to the next on a vertical axis
NICE_STEPS = (1.0, 2.0, 5.0)


class ReadableAxis(pg.AxisItem):
    """An axis whose labels never overlap: on a vertical axis the major ticks are at least
    ``LABEL_ROOM`` label heights apart (pyqtgraph always labels its top level, so a short
    plot, such as an empty one at the default size, drew "0.6" over "0.4")."""

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        # The room for tick labels only ever grows: pyqtgraph gave it back whenever labels got
        # shorter, and each change re-laid out the plot (a second repaint, both axes redrawn).
        self.setStyle(autoReduceTextSpace=False)

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        levels = super().tickSpacing(minVal, maxVal, size)
        if self.orientation not in ("left", "right") or not levels:
            return levels
        gap = self.label_height() * LABEL_ROOM
        major = fitting_spacing(levels[0][0], abs(maxVal - minVal), size, gap)
        return [(major, 0.0)] + [(step, 0.0) for step, _ in levels[1:] if step < major]

    def label_height(self) -> float:
        from PySide6.QtGui import QFontMetricsF

        font = self.style.get("tickFont") or self.font()
        return QFontMetricsF(font).height()


def fitting_spacing(spacing: float, span: float, length: float, gap: float) -> float:
    """The smallest nice spacing (1, 2 or 5 × 10^k) from ``spacing`` up whose ticks lie at
    least ``gap`` pixels apart on an axis ``length`` pixels long showing ``span``; past the
    span (one tick at most) when even that is too close."""
    if spacing <= 0 or span <= 0 or length <= 0:
        return spacing
    exponent = math.floor(math.log10(spacing))
    while True:
        for step in NICE_STEPS:
            candidate = step * 10.0**exponent
            if candidate < spacing * (1 - 1e-9):
                continue
            if candidate * length / span >= gap or candidate > span:
                return candidate
        exponent += 1


def plot_widget(title: str, x_label: str | None = None, grid: bool = True) -> pg.PlotWidget:
    """A white plot with a title, readable axes (see ``ReadableAxis``) and cached axes."""
    axes = {name: ReadableAxis(name) for name in ("left", "bottom")}
    w = pg.PlotWidget(title=title, axisItems=axes)
    w.setBackground("w")
    if grid:
        w.showGrid(x=True, y=True, alpha=0.2)
    if x_label:
        w.setLabel("bottom", x_label)
    w.setMenuEnabled(False)
    cache_axes(w)
    return w


def cache_axes(plot) -> None:
    """Keep each axis as a cached pixmap: a live plot repaints often, its axes seldom change,
    and replaying their text is the larger part of a repaint here."""
    from PySide6.QtWidgets import QGraphicsItem

    item = plot.getPlotItem() if hasattr(plot, "getPlotItem") else plot
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def format_seconds(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "–"
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def keep_in_view(
    plot, xs, ys, *, x0: float | None = None, pad: float = 0.08, grow: float = 1.25
) -> None:
    """Set a plot's range by hand, and only when the data leave it or fill under a half of
    it: pyqtgraph's auto-range moves the axes on every update, and redrawing the axes' text
    is what a live plot costs most here. Call with all visible data (flat sequences)."""
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return
    xs, ys = xs[ok], ys[ok]
    vb = plot.getViewBox() if hasattr(plot, "getViewBox") else plot
    vb.disableAutoRange()
    (vx0, vx1), (vy0, vy1) = vb.viewRange()
    lo_x = float(xs.min()) if x0 is None else x0
    hi_x, lo_y, hi_y = float(xs.max()), float(ys.min()), float(ys.max())
    span_y = max(hi_y - lo_y, 1e-9)
    span_x = max(hi_x - lo_x, 1e-9)
    if lo_x < vx0 or hi_x > vx1 or span_x < 0.5 * (vx1 - vx0) or getattr(vb, "_lw_fresh", True):
        vb.setXRange(lo_x, lo_x + span_x * grow, padding=0.02)
    if lo_y < vy0 or hi_y > vy1 or span_y < 0.5 * (vy1 - vy0) or getattr(vb, "_lw_fresh", True):
        vb.setYRange(lo_y - pad * span_y, hi_y + pad * span_y, padding=0)
    vb._lw_fresh = False


def forget_view(plot) -> None:
    vb = plot.getViewBox() if hasattr(plot, "getViewBox") else plot
    vb._lw_fresh = True
