"""Modes (Build, Train, Listen, Compare): room for the task at hand, each with its own layout."""

from __future__ import annotations

import functools

import pytest
from fake_training import fake_run_training
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QTabBar, QWidget

from app.panels.dashboard.widget import TrainingDashboard
from app.settings import Settings
from app.window_modes import Mode

SIZE = (1400, 880)


def dashboard_factory(parent):
    dashboard = TrainingDashboard(parent)
    dashboard.run_function = functools.partial(fake_run_training, epochs=4, steps=6, step_s=0.01)
    return dashboard


@pytest.fixture
def trained_window(make_window, qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(TrainingDashboard, "probe_devices_on_show", False)
    window = make_window(panels={"dashboard": dashboard_factory}, show=True)
    window.resize(*SIZE)
    qtbot.waitUntil(lambda: window.size().width() == SIZE[0])
    yield window
    if window.dashboard is not None:
        window.dashboard.stop_and_wait(10)


def visible_area(widget: QWidget) -> tuple[int, int]:
    """The part of ``widget`` inside every ancestor (a scroll area's viewport clips it)."""
    window = widget.window()
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None:
        rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.width(), rect.height()


def test_a_run_switches_to_train_and_its_views_get_room(trained_window, qtbot):
    window = trained_window
    assert window.mode is Mode.BUILD
    with qtbot.waitSignal(window.dashboard.runFinished, timeout=20000):
        assert window.start_training()
        # The layout follows in a later turn of the event loop than the click's own work.
        qtbot.waitUntil(lambda: window.mode is Mode.TRAIN, timeout=2000)
    qtbot.wait(50)
    window.dashboard.flush()
    total = 0
    for name in ("lossPlot", "filterView", "reconstructionView"):
        view = window.findChild(QWidget, name)
        width, height = visible_area(view)
        assert view.isVisible(), name
        assert width >= 400 and height >= 280, (name, width, height)
        total += width * height
    assert total >= 0.5 * SIZE[0] * SIZE[1], total
    assert not window.palette_dock.isVisible() and not window.inspector_dock.isVisible()
    share = window.dashboard_dock.height() / window.height()
    window.resize(1920, 1080)  # the dashboard keeps its share; the canvas does not take it all
    qtbot.waitUntil(lambda: window.height() == 1080)
    qtbot.wait(50)
    assert window.dashboard_dock.height() / window.height() == pytest.approx(share, abs=0.03)


def test_the_user_switches_modes_and_each_keeps_its_own_layout(trained_window, qtbot):
    window = trained_window
    window.mode_actions[Mode.LISTEN].trigger()
    assert window.mode is Mode.LISTEN and window.audition_dock.isVisible()
    assert not window.dashboard_dock.isVisible()
    window.set_mode(Mode.BUILD)
    assert window.palette_dock.isVisible() and window.inspector_dock.isVisible()
    assert window.dashboard_dock.isVisible() and not window.compare_dock.isVisible()
    window.inspector_dock.hide()  # a change to the Build layout only
    window.set_mode(Mode.TRAIN)
    assert window.dashboard_dock.isVisible() and not window.palette_dock.isVisible()
    window.set_mode(Mode.BUILD)
    assert window.palette_dock.isVisible() and not window.inspector_dock.isVisible()
    window.reset_mode_layout()
    assert window.inspector_dock.isVisible()
    shortcuts = {m: a.shortcut().toString() for m, a in window.mode_actions.items()}
    assert shortcuts == {
        Mode.BUILD: "Alt+1",
        Mode.TRAIN: "Alt+2",
        Mode.LISTEN: "Alt+3",
        Mode.COMPARE: "Alt+4",
    }


def test_the_mode_and_its_layouts_are_kept_in_the_settings(make_window, tmp_path):
    window = make_window()
    window.set_mode(Mode.LISTEN)
    window.save_settings()
    settings = Settings(window.settings.path)
    assert settings.mode == "listen"
    for mode in ("build", "listen"):
        assert settings.mode_state(mode) is not None, mode
    again = make_window()
    assert again.mode is Mode.LISTEN and again.mode_actions[Mode.LISTEN].isChecked()


def test_docks_cannot_be_torn_out_and_tab_titles_are_whole(trained_window):
    window = trained_window
    for dock in (window.palette_dock, window.dashboard_dock, window.problems_dock):
        assert not dock.features() & dock.DockWidgetFeature.DockWidgetFloatable
    bars = [b for b in window.findChildren(QTabBar) if b.parent() is window]
    assert bars
    for bar in bars:
        assert bar.elideMode().name == "ElideNone"
        for i in range(bar.count()):
            text_width = bar.fontMetrics().horizontalAdvance(bar.tabText(i))
            assert bar.tabRect(i).width() > text_width, bar.tabText(i)


def test_the_first_window_fills_most_of_the_screen(make_window):
    window = make_window()
    room = window.screen().availableGeometry()
    assert window.width() >= 0.85 * room.width() or window.width() >= 1400
    assert window.height() >= 0.85 * room.height() or window.height() >= 880
