"""Curves that read and messages that say what kind they are: the loss plot's legend outside
the curves and its ticks without SI prefixes; success, warning and error styled apart in the
status bar; audio buffer underruns said once per piece."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np

from app import audio
from app.panels.dashboard.curves import LossPlot
from app.panels.dashboard.progress import ProgressModel
from app.style import style_sheet
from core.training.events import BatchMetrics, EpochMetrics, PhaseStarted


def test_the_legend_sits_outside_the_curves_and_ticks_carry_no_si_prefix(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(700, 400)
    plot.show()
    model = ProgressModel(["rbm1"])
    model.begin()
    phase = PhaseStarted(0, 1, "pretrain rbm1", "pretrain", "rbm1", "rbm", 3, 4)
    model.feed(phase)
    plot.add_phase(phase)
    plot.phase_combo.setCurrentIndex(1)
    model.feed(BatchMetrics(0, "rbm1", 0, 0, {"loss": 1.0}))
    for n in range(3):
        metrics = {"loss": 1.0 / (n + 1), "val_loss": 1.2 / (n + 1)}
        model.feed(EpochMetrics(0, "rbm1", n, metrics, 1.0, 10.0))
    plot.draw(model)
    assert plot.plot.getPlotItem().legend is None  # nothing drawn over the curves
    text = plot.legend.text()
    assert "loss" in text and "val_loss" in text and "batch loss" in text
    assert not plot.plot.isAncestorOf(plot.legend)
    plot.plot.setXRange(0, 0.004)  # a range that once read "epoch (x0.001)"
    axis = plot.plot.getAxis("bottom")
    assert not axis.autoSIPrefix and axis.autoSIPrefixScale == 1.0
    assert "x0.001" not in axis.labelString()


def test_message_kinds_are_styled_apart(make_window):
    window = make_window()
    window.setStyleSheet(style_sheet())
    bar = window.statusBar()
    colours = {}
    for kind in ("info", "success", "warning", "error"):
        window.show_message(f"a {kind} message", kind)
        assert bar.property("kind") == kind and window.last_message_kind == kind
        assert bar.currentMessage() == f"a {kind} message"
        colours[kind] = bar.palette().windowText().color().name()
    assert len(set(colours.values())) == 4, colours
    bar.clearMessage()
    assert bar.property("kind") == "info"


def test_saving_is_a_success_and_a_refused_run_a_warning(window, tmp_path):
    window.dialogs.save_answer_path = str(tmp_path / "mine")
    window.act_save.trigger()
    assert window.last_message.startswith("Saved ") and window.last_message_kind == "success"
    window.show_message("Training failed: NaN", "error")
    assert window.statusBar().property("kind") == "error"


def test_the_player_reports_the_first_underrun_of_a_piece_only(monkeypatch):
    heard = []
    audio.add_underrun_listener(lambda: heard.append(1))
    try:
        player = audio.AudioPlayer()
        player.transport.load(np.zeros(48000, np.float32), 48000)
        player.transport.play()
        out = np.zeros((256, 1), np.float32)
        late = SimpleNamespace(output_underflow=True)
        for _ in range(3):
            player._callback(out, 256, None, late)
        player._callback(out, 256, None, SimpleNamespace(output_underflow=False))
        assert player.underruns == 3 and heard == [1]
    finally:
        audio._underrun_listeners.clear()


def test_an_underrun_on_the_audio_thread_is_said_in_the_status_bar(make_window, qtbot):
    window = make_window()
    thread = threading.Thread(target=audio._tell_underrun_listeners)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: "stuttered" in window.last_message, timeout=3000)
    assert window.last_message_kind == "warning"
    window.close()
    assert window.audioUnderrun.emit not in audio._underrun_listeners
