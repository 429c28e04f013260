"""The audition panel follows a new run without re-laying itself out or repainting its
piano roll: a run's start is one short turn of the event loop."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from app.panels.audition import AuditionPanel
from app.panels.audition_sources import NO_MODEL_YET


class Events(QObject):
    """Counts the events of one type a widget receives."""

    def __init__(self, widget: QWidget, kind: QEvent.Type) -> None:
        super().__init__()
        self.kind, self.count = kind, 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:
        if event.type() == self.kind:
            self.count += 1
        return False


def a_running_run(folder):
    """A run folder as a starting run leaves it: its project, no model yet."""
    (folder / "snapshots").mkdir(parents=True)
    data = {"source": "bach-chorales", "representation": {"pitch_count": 48}}
    (folder / "project.json").write_text(json.dumps({"data": data}))
    return folder


@pytest.fixture
def panel(qtbot):
    p = AuditionPanel()
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    qtbot.waitExposed(p)
    qtbot.wait(50)
    yield p
    p.stop()


def test_a_new_run_keeps_the_panels_layout_and_its_piano_roll(panel, qtbot, tmp_path):
    roll_place = panel.roll_view.geometry()
    layouts = Events(panel, QEvent.Type.LayoutRequest)
    roll_paints = Events(panel.roll_view.viewport(), QEvent.Type.Paint)
    for name in ("first", "second"):
        panel.set_run(str(a_running_run(tmp_path / name)))
        qtbot.wait(50)
        assert panel.message_label.isVisible() and panel.message_label.text() == NO_MODEL_YET
        assert panel.run_label.text() == f"Run: {name}"
    assert layouts.count == 0
    assert roll_paints.count == 0
    assert panel.roll_view.geometry() == roll_place


def test_the_banner_keeps_its_room_when_it_goes(panel, qtbot, tmp_path):
    room = panel.message_label.room
    height = room.height()
    panel.set_run(str(a_running_run(tmp_path / "r")))
    panel._clear_message()
    qtbot.wait(20)
    assert not panel.message_label.isVisible() and room.height() == height


def test_a_message_longer_than_the_room_is_shown_whole(panel, qtbot):
    room = panel.message_label.room
    reserved = room.height()
    long_text = " ".join(["the model cannot generate from this representation"] * 12)
    panel._set_message(long_text, "error")
    qtbot.wait(20)
    banner = panel.message_label
    assert room.height() > reserved
    assert banner.height() >= banner.heightForWidth(banner.width())
