"""A line of text that changes without re-laying out the window around it."""

from __future__ import annotations

from layout_requests import LayoutRequests
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.steady_label import SteadyLabel


def _texts():
    return [f"Phase {i % 3 + 1}/3: epoch {i} of {'many ' * (i % 5)}epochs" for i in range(40)]


def _host(qtbot, label: QWidget) -> tuple[QWidget, LayoutRequests]:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    layout.addWidget(label)
    layout.addWidget(QWidget(), 1)
    host.resize(300, 200)
    host.show()
    qtbot.waitExposed(host)
    qtbot.wait(20)
    return host, LayoutRequests(host)


def test_new_text_asks_for_no_new_layout_where_a_qlabel_does(qtbot):
    steady = SteadyLabel("Not started")
    steady_host, steady_requests = _host(qtbot, steady)
    label = QLabel("Not started")
    label_host, label_requests = _host(qtbot, label)
    for text in _texts():
        steady.setText(text)
        label.setText(text)
        qtbot.wait(1)
    assert steady.text() == label.text() == _texts()[-1]
    assert label_requests.count > 0  # what a QLabel costs: the window laid out again
    assert steady_requests.count == 0
    assert steady_host.isVisible() and label_host.isVisible()


def test_its_size_hint_does_not_follow_the_text(qtbot):
    label = SteadyLabel("", sample="elapsed 00:00:00 · ETA 00:00:00")
    hint = label.sizeHint()
    label.setText("a much longer line than the sample it was sized for, cut short when drawn")
    assert label.sizeHint() == hint and hint.width() > 0 and hint.height() > 0
    label.clear()
    assert label.text() == ""
    host, _ = _host(qtbot, label)
    label.setText("drawn " * 50)
    assert not host.grab().isNull()  # painting an over-long line elides it without error
