"""The main window: start-up, files (good and bad), modified mark, settings, autosave,
training and audition hookup (with stand-ins for the dashboard and audition panels)."""

from __future__ import annotations

import inspect
import json
import os
import sys
import time

import pytest
from fakes import Answers, faithful_to, interface_problems
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl, Signal
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from app import autosave
from app.dialogs import Dialogs
from app.panels.audition import AuditionPanel
from app.panels.dashboard.widget import TrainingDashboard
from app.window_panels import LOCKED_DURING_TRAINING
from core import project as project_io
from core import templates


def net(window) -> dict:
    return window.doc.project.network.to_json()


def write(path, data) -> str:
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return str(path)


# ---- start-up -----------------------------------------------------------------------------
def test_window_opens_with_the_example(make_window):
    window = make_window(show=True)
    example = templates.load(templates.EXAMPLE)
    assert net(window) == example.network.to_json()
    assert example.name in window.windowTitle()
    assert not window.isWindowModified()
    assert set(window.scene.blocks) == {b.id for b in example.network.blocks}
    docks = {d.objectName() for d in window.findChildren(QDockWidget)}
    assert {
        "paletteDock",
        "inspectorDock",
        "dashboardDock",
        "auditionDock",
        "problemsDock",
    } <= docks
    # no panels given: the docks are inert and say so
    assert "not available" in window.dashboard_dock.widget().text()
    assert "not available" in window.audition_dock.widget().text()
    assert window.dashboard is None and not window.act_train.isEnabled()
    # every block shows its output shape and parameter count
    item = window.scene.blocks["encoder1"]
    assert item.shape_text == "(512,)" and item.params_text.endswith("params")


def test_window_opens_a_given_project(make_window, tmp_path):
    project = templates.load("sda")
    path = tmp_path / "sda.json"
    project_io.save(project, path)
    window = make_window(str(path))
    assert window.doc.project.path == path
    assert net(window) == project.network.to_json()
    assert window.windowTitle().startswith("sda.json")
    assert window.settings.recent_files()[0] == str(path)


def test_a_bad_project_on_the_command_line_opens_the_example_and_says_why(
    make_window, tmp_path, no_modal_boxes
):
    path = write(tmp_path / "broken.json", '{"format": "layerwise-project", "vers')
    window = make_window(path, show=True)
    assert window.doc.project.name == templates.load(templates.EXAMPLE).name
    assert no_modal_boxes and no_modal_boxes[0][0] == "critical"
    assert "not valid JSON" in no_modal_boxes[0][2]


def test_missing_panel_modules_leave_inert_docks(make_window):
    def broken(parent):
        raise ImportError("No module named 'app.panels.dashboard'")

    window = make_window(panels={"dashboard": broken})
    label = window.dashboard_dock.widget()
    assert isinstance(label, QLabel) and "failed to load" in label.text()
    window.start_training()
    assert "not available" in window.last_message


def test_keras_warm_up_reports_to_the_gui_thread(make_window, qtbot, monkeypatch):
    import core.keras_env

    calls = []
    monkeypatch.setattr(core.keras_env, "load_keras", lambda: calls.append(1))
    window = make_window()
    with qtbot.waitSignal(window.keras_ready, timeout=5000) as blocker:
        window.start_warm_up()
    assert blocker.args == [True]
    assert calls == [1]
    assert window.keras_label.text() == "TensorFlow: ready"
    window.warm_up_thread.wait(2000)


# ---- files --------------------------------------------------------------------------------
BAD_FILES = {
    "truncated.json": (
        '{"format": "layerwise-project", "version": 2, "network": {"blo',
        "not valid JSON",
    ),
    "wrong-format.json": (
        json.dumps({"format": "something-else", "version": 1}),
        "not a Layerwise project",
    ),
    "newer.json": (
        json.dumps({"format": "layerwise-project", "version": 99, "network": {}}),
        "newer Layerwise",
    ),
    "picture.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00", "not a text file"),
    "list.json": ("[1, 2, 3]", "expected an object"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_opening_a_bad_file_keeps_the_project_and_says_why(window, tmp_path, no_modal_boxes, name):
    data, expected = BAD_FILES[name]
    path = write(tmp_path / name, data)
    window.add_block("Dense")  # unsaved work that must survive
    before = window.doc.project.to_json()
    count = window.doc.undo_stack.count()
    assert window.open_path(path) is False
    assert window.doc.project.to_json() == before
    assert window.doc.undo_stack.count() == count
    assert window.isWindowModified()
    assert len(no_modal_boxes) == 1
    kind, title, text = no_modal_boxes[0]
    assert kind == "critical" and title == "Cannot open project"
    assert expected in text and name in text
    assert not [q for q in window.dialogs.asked if q[0] == "save changes"]


def test_dropping_files_on_the_window(window, tmp_path, qtbot, no_modal_boxes):
    good = tmp_path / "dropped.json"
    project_io.save(templates.load("dbn-digits"), good)
    bad = write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n\xff")

    def drop(path):
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(str(path))])
        event = QDropEvent(
            QPointF(10, 10),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        window.dropEvent(event)

    before = window.doc.project.to_json()
    drop(bad)
    qtbot.wait(20)
    assert window.doc.project.to_json() == before
    assert no_modal_boxes and "not a text file" in no_modal_boxes[-1][2]
    drop(good)
    qtbot.waitUntil(lambda: window.doc.project.path == good)
    assert window.doc.project.name == templates.load("dbn-digits").name


def test_save_and_open_round_trip(window, tmp_path):
    window.add_block("Dropout")
    window.scene.connect_ports("code", "dropout1", 0)
    window.dialogs.save_answer_path = str(tmp_path / "mine")  # .json is added
    window.act_save.trigger()  # no path yet: Save asks where
    path = tmp_path / "mine.json"
    assert path.is_file() and window.doc.project.path == path
    assert not window.isWindowModified()
    saved = window.doc.project.to_json()
    assert project_io.load(path).to_json() == saved
    window.scene.select_blocks(["dropout1"])
    window.act_delete.trigger()
    window.dialogs.save_answer = "discard"
    assert window.open_path(str(path))
    assert window.doc.project.to_json() == saved
    assert not window.isWindowModified()
    assert not window.doc.undo_stack.canUndo()
    # Save (Ctrl+S) with a path writes there without asking
    window.add_block("Dense")
    asked = len(window.dialogs.asked)
    window.act_save.trigger()
    assert len(window.dialogs.asked) == asked
    assert "dense1" in {b.id for b in project_io.load(path).network.blocks}
    assert not list(tmp_path.glob(".mine.json.*.tmp"))  # atomic: no leftovers


def test_open_asks_to_save_changes_and_cancel_keeps_everything(window, tmp_path):
    path = tmp_path / "other.json"
    project_io.save(templates.load("sda"), path)
    window.add_block("Dense")
    before = window.doc.project.to_json()
    window.dialogs.save_answer = "cancel"
    window.dialogs.open_answer = str(path)
    assert window.open_dialog() is False
    assert window.doc.project.to_json() == before
    window.dialogs.save_answer = "discard"
    assert window.open_dialog() is True
    assert window.doc.project.path == path


def test_new_from_template(window):
    window.dialogs.template = "conv-classifier"
    window.act_new_from_template.trigger()
    assert window.doc.project.name == templates.load("conv-classifier").name
    assert window.doc.project.path is None
    assert "(unsaved)" in window.windowTitle()
    assert not window.doc.undo_stack.canUndo()


def test_file_new_gives_an_empty_project_with_an_input_for_its_data(window):
    window.add_block("Dense")
    window.dialogs.save_answer = "discard"
    window.act_new.trigger()
    project = window.doc.project
    assert [b.type for b in project.network.blocks] == ["Input"]
    assert project.network.blocks[0].params["shape"] == [16, 48]
    assert project.path is None and "(unsaved)" in window.windowTitle()
    assert not window.doc.undo_stack.canUndo()
    assert window.inspector.editor("source", "data") is not None  # the project form shows
    assert window.act_new_from_template.text().startswith("New from")
    window.dialogs.save_answer = "cancel"
    window.add_block("Dense")
    assert window.new_project() is False and len(window.doc.spec.blocks) == 2


def test_template_dialog_lists_every_template(qtbot):
    from app.dialogs import TemplateDialog

    dialog = TemplateDialog()
    qtbot.addWidget(dialog)
    names = [dialog.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dialog.list.count())]
    assert names == templates.names()
    assert dialog.chosen() == names[0]


def test_modified_mark_follows_the_undo_stack(window, tmp_path):
    assert "[*]" in window.windowTitle()
    assert not window.isWindowModified()
    window.add_block("Dense")
    assert window.isWindowModified()
    window.doc.undo_stack.undo()
    assert not window.isWindowModified()
    window.doc.undo_stack.redo()
    assert window.save_to(tmp_path / "p.json")
    assert not window.isWindowModified()
    window.doc.undo_stack.undo()
    assert window.isWindowModified()


def test_recent_files_menu(window, tmp_path):
    paths = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.json"
        project_io.save(templates.load("sda"), path)
        paths.append(str(path))
        assert window.open_path(path)
    assert window.settings.recent_files()[:2] == [paths[1], paths[0]]
    window._fill_recent_menu()
    titles = [a.toolTip() for a in window.recent_menu.actions() if a.toolTip()]
    assert paths[1] in titles and paths[0] in titles


# ---- settings -----------------------------------------------------------------------------
def test_settings_persist_between_windows(make_window, tmp_path):
    from app.settings import settings_path

    first = make_window(show=True)
    first.resize(720, 540)
    first.problems_dock.hide()
    first.settings.add_recent(str(tmp_path / "x.json"))
    first.settings.audio_device = "Null Output"
    first.settings.soundfont = "/sf/TimGM6mb.sf2"
    first.close()
    path = settings_path()
    assert path.is_file() and str(tmp_path) in str(path)

    second = make_window(show=True)
    assert (second.width(), second.height()) == (720, 540)
    assert second.problems_dock.isHidden()
    assert not second.inspector_dock.isHidden()
    assert second.settings.recent_files() == [str(tmp_path / "x.json")]
    assert second.settings.audio_device == "Null Output"
    assert second.settings.soundfont == "/sf/TimGM6mb.sf2"


# ---- autosave -----------------------------------------------------------------------------
def test_autosave_writes_while_modified_and_clean_exit_removes_it(make_window):
    window = make_window(autosave_interval_ms=60_000)
    assert window.autosaver.save_now() is None  # nothing to save: unmodified
    window.add_block("Dense")
    file = window.autosaver.save_now()
    assert file == autosave.autosave_file(None) and file.is_file()
    assert "dense1" in {b.id for b in project_io.load(file).network.blocks}
    assert window.autosaver.timer.interval() == 60_000
    window.close()  # answers "discard"
    assert not file.exists()


def test_autosave_is_debounced_after_edits(make_window, qtbot):
    window = make_window()
    window.autosaver.debounce.setInterval(10)
    window.add_block("Dense")
    qtbot.waitUntil(lambda: autosave.autosave_file(None).is_file(), timeout=2000)


def _crash_with_autosave(project_path) -> None:
    """What a crash leaves: an autosave newer than the project file."""
    project = project_io.load(project_path) if project_path else templates.load("deephear")
    project.network.blocks[-1].params["units"] = 7
    file = autosave.autosave_file(project_path)
    file.parent.mkdir(parents=True, exist_ok=True)
    time.sleep(0.01)
    project_io.atomic_write_text(file, project_io.dumps(project))
    file.with_suffix(".meta.json").write_text(
        json.dumps({"path": str(project_path) if project_path else None})
    )
    later = time.time() + 5
    os.utime(file, (later, later))


def test_autosave_after_a_crash_is_offered_back(make_window, tmp_path):
    path = tmp_path / "work.json"
    project_io.save(templates.load("deephear"), path)
    _crash_with_autosave(path)
    window = make_window(str(path), show=True)  # answers "recover"
    assert [q[0] for q in window.dialogs.asked] == ["recover"]
    assert window.doc.project.network.blocks[-1].params["units"] == 7
    assert window.doc.project.path == path
    assert window.isWindowModified()
    assert "Recovered" in window.last_message
    window.dialogs.save_answer = "save"
    window.close()
    assert project_io.load(path).network.blocks[-1].params["units"] == 7
    assert not autosave.autosave_file(path).exists()


def test_declined_autosave_is_discarded(make_window, tmp_path):
    _crash_with_autosave(None)
    window = make_window(panels={})
    window.dialogs.recover = False
    assert window.check_autosave() is False
    assert window.dialogs.asked[0][0] == "recover"
    assert not autosave.autosave_file(None).exists()
    assert window.doc.project.network.blocks[-1].params["units"] == 16
    assert not window.isWindowModified()


def test_old_autosave_is_not_offered(make_window, tmp_path):
    path = tmp_path / "work.json"
    project_io.save(templates.load("deephear"), path)
    _crash_with_autosave(path)
    later = time.time() + 60
    os.utime(path, (later, later))  # the project was saved after the autosave
    window = make_window(str(path), show=True)
    assert not [q for q in window.dialogs.asked if q[0] == "recover"]


# ---- training and audition hookup ---------------------------------------------------------
@faithful_to(TrainingDashboard)
class FakeDashboard(QWidget):
    blockStateChanged = Signal(str, str)
    runningChanged = Signal(bool)
    runStarted = Signal(str)
    runFinished = Signal(str)
    runFailed = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.calls = []
        self._running = False

    @property
    def is_running(self):
        return self._running

    def set_project(self, project):
        pass

    def select_block(self, block_id):
        pass

    def start(self, project, *, pretraining=True, device=None):
        self.calls.append(("start", project, pretraining))
        self._running = True
        self.runningChanged.emit(True)

    def stop(self):
        self.calls.append(("stop",))

    def stop_and_wait(self, timeout_s):
        self.calls.append(("stop_and_wait", timeout_s))
        self._running = False
        self.runningChanged.emit(False)
        return True


@faithful_to(AuditionPanel)
class FakeAudition(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.calls = []

    def set_run(self, run_dir):
        self.calls.append(("set_run", run_dir))

    def toggle_play(self):
        self.calls.append(("toggle_play",))

    def set_audio_device(self, name):
        pass

    def set_soundfont(self, path):
        pass


def test_the_fakes_hold_to_the_real_panels():
    assert interface_problems(FakeDashboard, TrainingDashboard) == []
    assert interface_problems(FakeAudition, AuditionPanel) == []

    class Wrong(QWidget):
        changed = Signal(int)

        def set_mood(self, mood):
            pass

    assert interface_problems(Wrong, AuditionPanel) == [
        "AuditionPanel has no set_mood",
        "AuditionPanel has no signal changed(int)",
    ]
    with pytest.raises(TypeError, match="has no set_mood"):

        @faithful_to(AuditionPanel)
        class Unfaithful(QWidget):
            def set_mood(self, mood):
                pass

    with pytest.raises(TypeError):  # the real set_run takes one run folder
        FakeAudition().set_run("/tmp/runs/r1", "extra")


def test_the_answers_answer_only_the_window_s_questions():
    for name, method in vars(Answers).items():
        if inspect.isfunction(method) and not name.startswith("_"):
            real = inspect.signature(getattr(Dialogs, name)).parameters
            assert list(inspect.signature(method).parameters) == list(real), name


@pytest.fixture
def trained(make_window):
    return make_window(panels={"dashboard": FakeDashboard, "audition": FakeAudition}, show=True)


def test_f5_starts_training_on_a_snapshot_and_states_colour_blocks(trained, qtbot):
    window, dash = trained, trained.dashboard
    assert window.act_train.isEnabled() and not window.act_stop.isEnabled()
    window.act_train.trigger()
    ((_, project, pretraining),) = dash.calls
    assert project is not window.doc.project
    assert project.to_json() == window.doc.project.to_json()
    assert pretraining is True
    assert window.act_stop.isEnabled() and not window.act_train.isEnabled()
    dash.blockStateChanged.emit("encoder1", "pretraining")
    assert window.scene.blocks["encoder1"].state == "pretraining"
    dash.blockStateChanged.emit("encoder1", "pretrained")
    assert window.scene.blocks["encoder1"].state == "pretrained"
    window.act_stop.trigger()
    assert dash.calls[-1] == ("stop",)


def test_deleting_during_training_is_refused(trained):
    window = trained
    window.act_train.trigger()
    window.scene.select_blocks(["encoder2"])
    before = window.doc.project.to_json()
    window.act_delete.trigger()
    assert window.doc.project.to_json() == before
    assert window.statusBar().currentMessage() == LOCKED_DURING_TRAINING
    window.dashboard.runningChanged.emit(False)
    window.act_delete.trigger()
    assert "encoder2" not in window.scene.blocks


def test_invalid_network_is_not_trained(trained):
    trained.add_block("Dense")
    trained.act_train.trigger()
    assert trained.dashboard.calls == []
    assert "Fix the network first" in trained.last_message


def test_run_finished_goes_to_the_audition_panel(trained):
    trained.dashboard.runFinished.emit("/tmp/runs/r1")
    assert trained.audition.calls == [("set_run", "/tmp/runs/r1")]


def test_a_started_run_is_auditioned_while_it_trains(trained):
    trained.dashboard.runStarted.emit("/tmp/runs/r2")
    assert trained.audition.calls == [("set_run", "/tmp/runs/r2")]


def test_space_plays_unless_typing(trained, qtbot):
    window = trained
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Space)
    assert window.audition.calls == [("toggle_play",)]
    window.act_play.trigger()
    assert len(window.audition.calls) == 2
    window.palette.search.setFocus()
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Space)
    assert len(window.audition.calls) == 2
    assert window.palette.search.text() == " "


def test_closing_during_training_asks_then_stops_and_waits(trained):
    window, dash = trained, trained.dashboard
    window.act_train.trigger()
    window.dialogs.stop_training = False
    assert window.close() is False
    assert ("stop_and_wait", 30.0) not in dash.calls
    window.dialogs.stop_training = True
    assert window.close() is True
    assert dash.calls[-1][0] == "stop_and_wait"


def test_preferences_are_saved_and_handed_to_the_audition_panel(make_window, monkeypatch):
    from app.dialogs import PreferencesDialog

    @faithful_to(AuditionPanel)
    class Audition(FakeAudition):
        def set_audio_device(self, name):
            self.calls.append(("device", name))

        def set_soundfont(self, path):
            self.calls.append(("soundfont", path))

    window = make_window(panels={"audition": Audition})
    assert window.audition.calls == [("device", None), ("soundfont", None)]

    def fake_exec(dialog):
        dialog.device.setCurrentText("Null Output")
        dialog.soundfont.setText("/sf/x.sf2")
        dialog.accept()
        return PreferencesDialog.DialogCode.Accepted

    monkeypatch.setattr(PreferencesDialog, "exec", fake_exec)
    assert window.preferences()
    assert window.settings.audio_device == "Null Output"
    assert window.settings.soundfont == "/sf/x.sf2"
    assert window.audition.calls[-2:] == [("device", "Null Output"), ("soundfont", "/sf/x.sf2")]


def test_space_on_a_focused_check_box_toggles_it(trained, qtbot):
    window = trained
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.scene.clearSelection()
    box = window.inspector.editor("enabled", "pretraining").widget
    box.setFocus()
    before = box.isChecked()
    window.act_play.trigger()
    assert window.inspector.editor("enabled", "pretraining").widget.isChecked() is not before
    assert window.audition.calls == []


def test_the_way_to_the_window_imports_no_tensorflow():
    import subprocess

    code = (
        "import sys, app.launch, app.main_window\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'pyqtgraph') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""
