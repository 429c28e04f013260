"""Plots read at any size: tick labels on a vertical axis never overlap."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage, QPainter

from app import plots


def label_rects(axis) -> list:
    """The rectangles of the tick labels the axis would draw now."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [rect for rect, _flags, _text in specs[2]] if specs else []


def overlapping(rects) -> bool:
    return any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1 :])


@pytest.mark.parametrize("height", [88, 120, 180, 400])
def test_an_empty_plot_at_any_height_has_no_overlapping_tick_labels(qtbot, height):
    plot = plots.plot_widget("Loss and metrics", "epoch")
    qtbot.addWidget(plot)
    plot.resize(600, height)
    plot.show()
    qtbot.waitExposed(plot)
    left = plot.getPlotItem().getAxis("left")
    rects = label_rects(left)
    assert not overlapping(rects), [r.getRect() for r in rects]
    if height >= 180:
        assert len(rects) >= 2  # a plot with room still says its scale


def test_a_tall_plot_keeps_pyqtgraphs_ticks(qtbot):
    plot = plots.plot_widget("Loss", "epoch")
    qtbot.addWidget(plot)
    plot.resize(600, 600)
    plot.show()
    qtbot.waitExposed(plot)
    plot.setYRange(0, 1, padding=0)
    left = plot.getPlotItem().getAxis("left")
    assert len(label_rects(left)) >= 5


def test_the_fitting_spacing_keeps_labels_a_gap_apart():
    # an axis 100 px long showing 0 … 1, labels 20 px apart at least
    assert plots.fitting_spacing(0.2, 1.0, 100, 20) == 0.2  # 20 px apart already
    assert plots.fitting_spacing(0.2, 1.0, 60, 20) == 0.5
    assert plots.fitting_spacing(0.2, 1.0, 30, 20) == 1.0
    assert plots.fitting_spacing(0.2, 1.0, 10, 20) == 2.0  # one label at most
    assert plots.fitting_spacing(25.0, 300.0, 40, 20) == 200.0
    assert plots.fitting_spacing(0.02, 0.1, 400, 20) == 0.02


def test_an_axis_keeps_the_room_its_labels_took(qtbot):
    """Shorter tick labels leave the axis as wide as it was: giving the room back re-laid
    out the plot and redrew it twice whenever a live plot's range moved."""
    plot = plots.plot_widget("Counts")
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    plot.show()
    qtbot.waitExposed(plot)
    left = plot.getPlotItem().getAxis("left")

    def width_for(top: float) -> float:
        plot.getViewBox().setYRange(0.0, top, padding=0)
        plot.grab()  # paints the axis, which measures its labels
        qtbot.wait(20)  # the layout takes the new room
        return left.width()

    short = width_for(1.0)
    wide = width_for(1_250_000.0)
    assert wide > short  # long labels took more room
    assert width_for(1.0) == wide  # and kept it
