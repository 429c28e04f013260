"""The dashboard's and Audition's controls cannot change by accident: the wheel over a field
without focus scrolls the panel and leaves the value."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollArea,
    QScrollBar,
)

from app.panels.audition import AuditionPanel
from app.panels.compare_listen import ListeningRow
from app.panels.dashboard.widget import TrainingDashboard


def wheel(widget, steps: int = -1) -> None:
    """Turn the mouse wheel over the middle of ``widget`` (negative: towards the user)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(widget.rect().center())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def fields(root) -> list:
    found = root.findChildren(QAbstractSpinBox) + root.findChildren(QComboBox)
    found += [s for s in root.findChildren(QAbstractSlider) if not isinstance(s, QScrollBar)]
    return found


def all_guarded(root) -> bool:
    return all(f.focusPolicy() == Qt.FocusPolicy.StrongFocus for f in fields(root))


def test_the_wheel_over_an_audition_field_scrolls_the_controls_and_keeps_the_value(qtbot):
    panel = AuditionPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 260)  # short: the controls' column scrolls
    panel.show()
    qtbot.waitExposed(panel)
    assert len(fields(panel)) >= 8 and all_guarded(panel)
    scroll = next(
        a for a in panel.findChildren(QScrollArea) if a.widget().isAncestorOf(panel.seed_spin)
    )
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    panel.seed_spin.setValue(5)
    before = (panel.seed_spin.value(), panel.tempo_spin.value(), panel.program_combo.currentIndex())
    wheel(panel.seed_spin, -1)
    wheel(panel.tempo_spin, -1)
    wheel(panel.program_combo, -1)
    assert (
        panel.seed_spin.value(),
        panel.tempo_spin.value(),
        panel.program_combo.currentIndex(),
    ) == before
    assert bar.value() > 0  # the column scrolled instead


def test_the_wheel_edits_an_audition_field_that_has_focus(qtbot):
    panel = AuditionPanel()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.seed_spin.setValue(5)
    panel.seed_spin.setFocus()
    qtbot.waitUntil(panel.seed_spin.hasFocus)
    wheel(panel.seed_spin, 1)
    assert panel.seed_spin.value() == 6


def test_latent_sliders_made_for_a_model_are_guarded(qtbot):
    panel = AuditionPanel()
    qtbot.addWidget(panel)
    panel.latent_box.set_size(12)
    assert len(panel.latent_sliders) == 12
    assert all(s.focusPolicy() == Qt.FocusPolicy.StrongFocus for s in panel.latent_sliders)
    panel.latent_sliders[3].setValue(40)
    wheel(panel.latent_sliders[3], -2)
    assert panel.latent_sliders[3].value() == 40


def test_the_dashboard_pickers_ignore_the_wheel_without_focus(qtbot):
    dashboard = TrainingDashboard()
    qtbot.addWidget(dashboard)
    assert len(fields(dashboard)) >= 3 and all_guarded(dashboard)
    combo = dashboard.controls.device_combo
    combo.addItems(["GPU:0", "GPU:1"])
    combo.setCurrentIndex(1)
    wheel(combo, -1)
    wheel(combo, 1)
    assert combo.currentIndex() == 1


def test_the_comparison_listening_row_is_guarded(qtbot):
    listening = ListeningRow()
    qtbot.addWidget(listening)
    assert fields(listening) and all_guarded(listening)
