"""The runs browser alone: its groups, rows, selection and buttons."""

from __future__ import annotations

import shutil

import pytest
from run_folders import write_run

from app.panels.runs_browser import COLUMNS, RunsBrowser
from core.run_info import NotARunError


@pytest.fixture
def browser(qtbot, tmp_path):
    b = RunsBrowser(root=tmp_path / "runs")
    qtbot.addWidget(b)
    return b


def names(browser, group):
    item = browser.groups[group]
    return [item.child(i).text(0) for i in range(item.childCount())]


def test_groups_and_rows(browser, tmp_path):
    write_run(tmp_path / "runs", "mine")
    write_run(tmp_path / "runs", "theirs", template="deephear", state="stopped")
    browser.set_project_name("DBN on digits")
    assert sorted(names(browser, "All runs")) == ["mine", "theirs"]
    assert browser.groups["All runs"].text(0) == "All runs (2)"
    assert names(browser, "This project") == ["mine"]
    row = browser.groups["This project"].child(0)
    cells = [row.text(c) for c in range(len(COLUMNS))]
    assert cells[2:] == ["finished", "2: pretrain rbm1, fine-tune", "accuracy 0.7", "CPU", "0:12"]


def test_selection_buttons_and_signals(browser, qtbot, tmp_path):
    a = write_run(tmp_path / "runs", "a", state="stopped")
    b = write_run(tmp_path / "runs", "b")
    browser.refresh()
    with qtbot.waitSignal(browser.runActivated) as shown:
        browser.select_runs([str(a.path)])
    assert shown.args == [str(a.path)]
    assert browser.resume_button.isEnabled() and not browser.compare_button.isEnabled()
    with qtbot.waitSignal(browser.resumeRequested) as resumed:
        browser.resume_button.click()
    assert resumed.args == [str(a.path)]
    browser.select_runs([str(a.path), str(b.path)])
    assert browser.compare_button.isEnabled() and not browser.resume_button.isEnabled()
    with qtbot.waitSignal(browser.compareRequested) as compared:
        browser.compare_button.click()
    assert sorted(compared.args[0]) == sorted([str(a.path), str(b.path)])


def test_opened_runs_and_bad_folders(browser, tmp_path):
    elsewhere = write_run(tmp_path / "elsewhere", "kept")
    info = browser.add_run(elsewhere.path)
    assert info.name == "kept" and names(browser, "Opened") == ["kept"]
    assert browser.selected_runs() == [str(elsewhere.path)]
    (tmp_path / "empty").mkdir()
    with pytest.raises(NotARunError):
        browser.add_run(tmp_path / "empty")
    assert names(browser, "Opened") == ["kept"]
    listed = write_run(tmp_path / "runs", "listed")
    browser.add_run(listed.path)  # already under All runs: not twice
    assert names(browser, "Opened") == ["kept"] and names(browser, "All runs") == ["listed"]


def test_a_refresh_later_reads_the_runs_off_the_gui_thread(browser, qtbot, tmp_path, monkeypatch):
    import threading

    import app.panels.runs_browser as module

    write_run(tmp_path / "runs", "first")
    readers = []
    real_read = module.read_run_info

    def read(path):
        readers.append(threading.current_thread() is threading.main_thread())
        return real_read(path)

    monkeypatch.setattr(module, "read_run_info", read)
    browser.refresh_later()
    assert names(browser, "All runs") == []  # nothing read yet in this turn
    qtbot.waitUntil(lambda: names(browser, "All runs") == ["first"], timeout=5000)
    assert readers == [False]
    assert browser.groups["All runs"].text(0) == "All runs (1)"


def test_only_the_last_reading_asked_for_is_shown(browser, qtbot, tmp_path):
    write_run(tmp_path / "runs", "old")
    browser.refresh_later()
    write_run(tmp_path / "runs", "new", age_s=10)
    browser.refresh()  # read now: the reading still on its way is older
    assert sorted(names(browser, "All runs")) == ["new", "old"]
    shutil.rmtree(tmp_path / "runs" / "new")
    qtbot.wait(300)  # the older reading has come back by now, and changed nothing
    assert sorted(names(browser, "All runs")) == ["new", "old"]
    browser.refresh_later()
    qtbot.waitUntil(lambda: names(browser, "All runs") == ["old"], timeout=5000)
