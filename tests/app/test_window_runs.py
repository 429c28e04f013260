"""The window keeps the user's runs: the runs browser, File › Open Run…, dropped folders,
opening paths of every kind, showing a run from disk, resuming and comparing — against the
real dashboard, audition and compare panels (run folders written through RunFolder)."""

from __future__ import annotations

import functools

import pytest
from fake_training import fake_run_training
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from run_folders import write_run

from app.panels.dashboard import TrainingDashboard
from app.window_panels import default_panel_factories
from core.runs import runs_root


@pytest.fixture
def real_window(make_window):
    TrainingDashboard.probe_devices_on_show = False
    window = make_window(panels=default_panel_factories(), show=True)
    yield window
    if window.dashboard is not None:
        window.dashboard.stop_and_wait(10)


def rows(window, group):
    item = window.runs_browser.groups[group]
    return [item.child(i).text(0) for i in range(item.childCount())]


def test_the_browser_lists_the_projects_runs_and_all_runs(make_window):
    write_run(runs_root(), "dbn-a", template="dbn-digits")
    write_run(runs_root(), "deephear-b", template="deephear", state="stopped")
    window = make_window()  # the example project
    browser = window.runs_browser
    assert window.runs_dock.objectName() == "runsDock"
    assert sorted(rows(window, "All runs")) == ["dbn-a", "deephear-b"]
    mine = rows(window, "This project")
    assert len(mine) == 1 and mine[0] in ("dbn-a", "deephear-b")
    row = browser.groups["All runs"].child(rows(window, "All runs").index("deephear-b"))
    assert [row.text(c) for c in (2, 3, 5)] == ["stopped", "1: pretrain rbm1", "—"]
    assert row.text(4).startswith("val_loss") and row.text(6) == "0:07"


def test_open_run_shows_it_in_the_dashboard_and_audition(real_window, tmp_path):
    run = write_run(tmp_path, "elsewhere")
    real_window.dialogs.open_run_answer = str(run.path)
    real_window.act_open_run.trigger()
    assert rows(real_window, "Opened") == ["elsewhere"]
    assert real_window.runs_browser.selected_runs() == [str(run.path)]
    assert real_window.dashboard.run_dir == str(run.path)
    assert real_window.dashboard.loss_plot.curve_items
    assert real_window.dashboard.filters_image.image is not None
    assert real_window.audition.run_dir == str(run.path)


def test_a_folder_that_is_not_a_run_is_one_message_and_the_window_goes_on(
    real_window, tmp_path, no_modal_boxes
):
    good = write_run(tmp_path, "good")
    assert real_window.open_path(str(good.path))
    (tmp_path / "holiday").mkdir()
    real_window.dialogs.open_run_answer = str(tmp_path / "holiday")
    assert not real_window.open_run_dialog()
    assert len(no_modal_boxes) == 1 and "is not a run folder" in no_modal_boxes[0][2]
    assert real_window.dashboard.run_dir == str(good.path)
    assert rows(real_window, "Opened") == ["good"]
    real_window.add_block("Dense")  # still working


def test_selecting_a_run_in_the_browser_shows_it(real_window):
    a = write_run(runs_root(), "run-a")
    b = write_run(runs_root(), "run-b", scale=2.0)
    real_window.runs_browser.refresh()
    real_window.runs_browser.select_runs([str(b.path)])
    assert real_window.dashboard.run_dir == str(b.path)
    real_window.runs_browser.select_runs([str(a.path)])
    assert real_window.dashboard.run_dir == str(a.path)
    assert real_window.audition.run_dir == str(a.path)


def test_a_dropped_run_folder_opens_it(real_window, qtbot, tmp_path):
    run = write_run(tmp_path, "dropped")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(run.path))])
    event = QDropEvent(
        QPoint(50, 50),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    real_window.dropEvent(event)
    qtbot.waitUntil(lambda: real_window.dashboard.run_dir == str(run.path), timeout=3000)
    assert rows(real_window, "Opened") == ["dropped"]


def test_a_run_given_at_start_is_opened_once_the_panels_load(make_window, tmp_path, no_modal_boxes):
    TrainingDashboard.probe_devices_on_show = False
    run = write_run(tmp_path, "from-the-command-line")
    window = make_window(str(run.path), panels=default_panel_factories(), show=True)
    assert window.doc.project.name  # the example project, not an error
    assert not no_modal_boxes
    import time

    deadline = time.monotonic() + 3
    while window.dashboard.run_dir != str(run.path) and time.monotonic() < deadline:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
    assert window.dashboard.run_dir == str(run.path)
    window.dashboard.stop_and_wait(5)


def test_models_and_midi_files_go_to_audition_or_say_why(make_window, tmp_path, no_modal_boxes):
    opened = []

    class Audition:
        def __init__(self, parent):
            from PySide6.QtWidgets import QWidget

            self.widget = QWidget(parent)

        def open_model(self, path):
            opened.append(("model", path))

    window = make_window()
    window.audition = Audition(window)
    model = tmp_path / "net.keras"
    model.write_bytes(b"PK")
    assert window.open_path(str(model))
    assert opened == [("model", str(model))]
    piece = tmp_path / "tune.mid"
    piece.write_bytes(b"MThd")
    assert not window.open_path(str(piece))  # this panel has no open_midi
    assert "cannot open a MIDI file" in no_modal_boxes[-1][2]
    assert not window.open_path(str(tmp_path / "missing.mid"))
    assert "no such file" in no_modal_boxes[-1][2]


def test_resume_a_stopped_run_from_the_browser(real_window, qtbot):
    run = write_run(runs_root(), "stopped-run", state="stopped")
    browser = real_window.runs_browser
    browser.refresh()
    browser.select_runs([str(run.path)])
    assert browser.resume_button.isEnabled()
    seen = []

    def record(project, run_dir, **kw):
        seen.append((run_dir, kw.get("resume"), kw.get("pretraining")))
        return fake_run_training(project, run_dir, **{**kw, "epochs": 1, "steps": 2})

    real_window.dashboard.run_function = record
    real_window.dashboard.train_in_process = False
    with qtbot.waitSignal(real_window.dashboard.runFinished, timeout=15000):
        browser.resume_button.click()
    assert seen == [(str(run.path), True, True)]


def test_compare_two_runs(real_window, qtbot):
    a = write_run(runs_root(), "compare-a")
    b = write_run(
        runs_root(), "compare-b", scale=2.0, evaluation={"version": 1, "nll_per_step": 2.5}
    )
    browser = real_window.runs_browser
    browser.refresh()
    browser.select_runs([str(a.path), str(b.path)])
    assert browser.compare_button.isEnabled()
    browser.compare_button.click()
    panel = real_window.compare_panel
    assert real_window.compare_dock.objectName() == "compareDock"
    assert real_window.compare_dock.isVisible()
    assert len(panel.runs) == 2 and len(panel.curve_items) == 8
    headers = [panel.table.horizontalHeaderItem(c).text() for c in range(panel.table.columnCount())]
    assert headers[:4] == ["Run", "Status", "Duration", "Device"] and "nll_per_step" in headers
    names = {panel.table.item(r, 0).text() for r in range(2)}
    assert names == {"compare-a", "compare-b"}
    assert all(image.image is not None for image in panel.filter_images)
    assert not panel.listening.views  # digits: no piano rolls
    assert "learned images" in panel.listening.message.text()
    panel.close_button.click()
    assert not real_window.compare_dock.isVisible()


def test_a_twin_run_guards_f5_and_closing_and_its_pair_opens_in_compare(
    real_window, qtbot, monkeypatch
):
    import numpy as np

    from app.panels import twin as twin_mod
    from core.music.pianoroll import PianoRoll

    roll = PianoRoll(np.random.default_rng(0).random((64, 48)) > 0.9)
    monkeypatch.setattr(twin_mod, "_generate_piece", lambda run_dir: roll)
    from core.runs import RunFolder

    def training_into_a_run_folder(project, run_dir, **kw):
        RunFolder(run_dir).prepare(project.to_json(), resume=False)
        yield from fake_run_training(project, run_dir, **{**kw, "epochs": 2, "steps": 3})

    dashboard = real_window.dashboard
    dashboard.run_function = training_into_a_run_folder
    dashboard.open_twin()
    twin = dashboard._twin
    qtbot.addWidget(twin)
    assert real_window.training_running
    assert not real_window.start_training()  # F5 while the twins train
    assert "already running" in real_window.last_message
    with qtbot.waitSignal(twin.twinFinished, timeout=30000):
        pass
    qtbot.waitUntil(lambda: not real_window.training_running, timeout=5000)
    assert twin.music == twin_mod.learns_music(real_window.doc.project)
    twin.compare_button.click()
    assert real_window.compare_dock.isVisible()
    assert [r.info.name.rsplit("-", 1)[-1] for r in real_window.compare_panel.runs] == [
        "with",
        "without",
    ]
    dashboard.run_function = functools.partial(fake_run_training, epochs=5, steps=5, step_s=0.2)
    dashboard.open_twin()
    assert real_window.training_running
    real_window.dialogs.stop_training = True
    real_window.close()
    assert ("stop training",) in real_window.dialogs.asked
    assert not twin.is_running
    twin.close()


def test_a_midi_file_opens_in_the_real_audition_and_one_without_notes_is_one_message(
    real_window, tmp_path
):
    import pretty_midi

    song = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0)
    piano.notes += [pretty_midi.Note(90, 60 + i, i * 0.5, i * 0.5 + 0.4) for i in range(8)]
    song.instruments.append(piano)
    song.write(str(tmp_path / "tune.mid"))
    pretty_midi.PrettyMIDI().write(str(tmp_path / "silence.mid"))
    assert real_window.open_path(str(tmp_path / "tune.mid"))
    assert real_window.audition_dock.isVisible()
    assert [name for name, _ in real_window.audition.opened] == ["tune.mid"]
    assert not real_window.open_path(str(tmp_path / "silence.mid"))
    assert "no notes" in real_window.audition.message_label.text()
    assert [name for name, _ in real_window.audition.opened] == ["tune.mid"]


def test_several_paths_given_at_start_all_open(make_window, tmp_path, qtbot):
    TrainingDashboard.probe_devices_on_show = False
    a = write_run(tmp_path, "first")
    b = write_run(tmp_path, "second")
    window = make_window(str(a.path), panels=default_panel_factories())
    window.open_later([str(b.path)])
    window.show()
    qtbot.waitUntil(lambda: sorted(rows(window, "Opened")) == ["first", "second"], timeout=5000)
    assert window.dashboard.run_dir == str(b.path)
    window.dashboard.stop_and_wait(5)


def test_screenshots_of_the_runs_browser_and_a_comparison(real_window, qtbot):
    """test-output/runs/: the browser listing runs of every state, then three runs compared."""
    from pathlib import Path

    out = Path(__file__).resolve().parents[2] / "test-output" / "runs"
    out.mkdir(parents=True, exist_ok=True)
    runs = [
        write_run(runs_root(), "dbn-on-digits-20261202-0412", epochs=8),
        write_run(runs_root(), "dbn-on-digits-20261202-0431", epochs=8, scale=1.6),
        write_run(runs_root(), "deephear-20261202-0440", template="deephear", state="stopped"),
        write_run(runs_root(), "sda-20261202-0450", template="sda", state="failed"),
        write_run(runs_root(), "dbn-on-digits-20261202-0502", state="failed", running=True),
    ]
    real_window.resize(1400, 900)
    real_window.runs_browser.refresh()
    real_window.runs_browser.select_runs([str(runs[0].path)])
    real_window.set_mode("train")
    real_window.runs_dock.show()
    real_window.runs_dock.raise_()
    qtbot.wait(200)
    real_window.grab().save(str(out / "runs-browser.png"))
    assert real_window.compare_runs([str(r.path) for r in runs[:3]])
    qtbot.wait(200)
    real_window.grab().save(str(out / "compare.png"))
    assert (out / "runs-browser.png").stat().st_size > 10_000
    assert (out / "compare.png").stat().st_size > 10_000


def test_a_runs_start_and_end_read_the_runs_off_the_gui_thread(real_window, qtbot, monkeypatch):
    import threading

    import app.panels.runs_browser as browser_module

    run = write_run(runs_root(), "stopped-run", state="stopped")
    browser = real_window.runs_browser
    browser.refresh()
    browser.select_runs([str(run.path)])
    on_gui_thread = []
    real_read = browser_module.read_run_info

    def read(path):
        on_gui_thread.append(threading.current_thread() is threading.main_thread())
        return real_read(path)

    monkeypatch.setattr(browser_module, "read_run_info", read)
    dashboard = real_window.dashboard
    dashboard.run_function = functools.partial(fake_run_training, epochs=1, steps=2)
    dashboard.train_in_process = False
    with qtbot.waitSignal(dashboard.runFinished, timeout=15000):
        browser.resume_button.click()
    qtbot.waitUntil(lambda: len(on_gui_thread) >= 2, timeout=5000)  # at the start and the end
    assert not any(on_gui_thread)
    assert rows(real_window, "All runs") == ["stopped-run"]
