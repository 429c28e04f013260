"""Fixtures for the main window and editor tests: private settings and data folders per test,
answered dialogs (no modal ever blocks), and a window without the heavy panels."""

from __future__ import annotations

import pytest
from fakes import Answers

from app.main_window import MainWindow


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    """Each test gets its own config (settings) and data (autosave) folders."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path


@pytest.fixture(autouse=True)
def no_modal_boxes(monkeypatch):
    """A QMessageBox that would block the test records its text instead."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str, str]] = []

    def record(kind, answer):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return answer

        return box

    monkeypatch.setattr(QMessageBox, "critical", record("critical", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QMessageBox, "warning", record("warning", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(
        QMessageBox, "information", record("information", QMessageBox.StandardButton.Ok)
    )
    monkeypatch.setattr(QMessageBox, "question", record("question", QMessageBox.StandardButton.No))
    return shown


@pytest.fixture
def make_window(qtbot):
    """Build a MainWindow (no dashboard/audition unless ``panels`` is given), answered by an
    ``Answers`` object at ``window.dialogs``."""

    def make(project_path=None, panels=None, show=False, **kwargs):
        window = MainWindow(project_path, panels=panels or {}, **kwargs)
        window.dialogs = Answers(window)
        qtbot.addWidget(window)
        if show:
            window.show()
            qtbot.waitExposed(window)
            qtbot.waitUntil(lambda: window.started)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window()
