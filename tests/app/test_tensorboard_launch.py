"""Run › Open in TensorBoard against the real window and panels: it starts TensorBoard on the
run shown when the package is installed, and shows the command otherwise."""

from __future__ import annotations

import subprocess
import sys
from unittest.mock import create_autospec

import pytest
from run_folders import write_run

from app import tensorboard_launch
from app.panels.dashboard import TrainingDashboard
from app.window_panels import default_panel_factories


@pytest.fixture
def real_window(make_window):
    TrainingDashboard.probe_devices_on_show = False
    window = make_window(panels=default_panel_factories(), show=True)
    yield window
    if window.dashboard is not None:
        window.dashboard.stop_and_wait(10)


@pytest.fixture
def shown(real_window, tmp_path):
    run = write_run(tmp_path, "dbn-a")
    real_window.show_run(str(run.path))
    return real_window, str(run.path)


def _installed(monkeypatch, answer: bool):
    check = create_autospec(tensorboard_launch.tensorboard_installed, return_value=answer)
    monkeypatch.setattr(tensorboard_launch, "tensorboard_installed", check)


def _starts(monkeypatch, error: OSError | None = None):
    start = create_autospec(tensorboard_launch.start_tensorboard, side_effect=error)
    monkeypatch.setattr(tensorboard_launch, "start_tensorboard", start)
    return start


def test_the_run_menu_offers_it(real_window):
    run_menu = next(a.menu() for a in real_window.menuBar().actions() if a.text() == "&Run")
    assert real_window.act_tensorboard in run_menu.actions()


def test_installed_it_starts_tensorboard_on_the_run_shown(shown, monkeypatch):
    window, run_dir = shown
    _installed(monkeypatch, True)
    start = _starts(monkeypatch)
    window.act_tensorboard.trigger()
    start.assert_called_once_with(run_dir)
    assert "TensorBoard starts for dbn-a" in window.last_message
    assert not [q for q in window.dialogs.asked if q[0] == "command"]


def test_not_installed_it_shows_the_command_and_starts_nothing(shown, monkeypatch):
    window, run_dir = shown
    _installed(monkeypatch, False)
    start = _starts(monkeypatch)
    window.act_tensorboard.trigger()
    start.assert_not_called()
    commands = [q for q in window.dialogs.asked if q[0] == "command"]
    assert len(commands) == 1 and commands[0][3] == f"tensorboard --logdir {run_dir}"
    assert "not installed" in commands[0][2]


def test_a_start_that_fails_is_one_error(shown, monkeypatch):
    window, _ = shown
    _installed(monkeypatch, True)
    _starts(monkeypatch, OSError(2, "No such file or directory"))
    window.act_tensorboard.trigger()
    assert window.dialogs.errors == [
        ("Open in TensorBoard", "Cannot start TensorBoard: No such file or directory")
    ]


def test_without_a_run_shown_it_says_so(real_window, monkeypatch):
    start = _starts(monkeypatch)
    real_window.act_tensorboard.trigger()
    start.assert_not_called()
    assert "Show a run first" in real_window.last_message


def test_the_command_quotes_the_folder_and_the_process_is_detached(monkeypatch):
    assert tensorboard_launch.tensorboard_command("/a b/run") == "tensorboard --logdir '/a b/run'"
    popen = create_autospec(subprocess.Popen)
    monkeypatch.setattr(subprocess, "Popen", popen)
    tensorboard_launch.start_tensorboard("/runs/x")
    args, kwargs = popen.call_args
    assert args[0] == [sys.executable, "-m", "tensorboard.main", "--logdir", "/runs/x"]
    assert kwargs["start_new_session"] is True
