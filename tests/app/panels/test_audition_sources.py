"""The audition panel opens what the user has (a run, a .keras model, a MIDI file), seeks on a
click, reaches every latent dimension, shifts along an attribute vector, and keeps its state
with the run: one piece list per run, piece names that carry their settings, the no-model
note cleared when the run finishes, messages styled by kind."""

from __future__ import annotations

import dataclasses
import json
import time

import numpy as np
import pretty_midi
import pytest
from fakes import faithful_to
from PySide6.QtCore import Qt

from app.audio import AudioPlayer
from app.panels import audition as audition_mod
from app.panels.audition import AuditionPanel
from app.panels.audition_sources import NO_MODEL_YET
from app.panels.audition_transport import MESSAGE_STYLES
from core.music.pianoroll import PianoRoll


def a_roll(pitch: int = 60, steps: int = 32) -> PianoRoll:
    roll = np.zeros((steps, 48), np.float32)
    roll[: steps // 2, pitch - 36] = 1
    return PianoRoll(roll, steps_per_quarter=4, lowest_pitch=36)


@faithful_to(AudioPlayer)
class SeekingPlayer:
    """Pretends to play; records seeks."""

    def __init__(self):
        self.state = "stopped"
        self.loop = False
        self.error = None
        self.seeks: list[float] = []
        self._t0 = 0.0

    def play(self, audio, sr, loop=None):
        self.state = "playing"
        self._t0 = time.monotonic()

    def seek(self, seconds):
        self.seeks.append(seconds)

    @property
    def position(self):
        return time.monotonic() - self._t0 if self.state == "playing" else 0.0

    def pause(self):
        self.state = "paused"

    def resume(self):
        self.state = "playing"

    def stop(self):
        self.state = "stopped"


def write_midi(path, notes=((60, 0.0, 0.5), (64, 0.5, 1.0), (67, 1.0, 2.0))):
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    piano = pretty_midi.Instrument(program=0)
    for pitch, start, end in notes:
        piano.notes.append(pretty_midi.Note(velocity=90, pitch=pitch, start=start, end=end))
    pm.instruments.append(piano)
    pm.write(str(path))
    return path


def make_run(folder, with_model=True):
    (folder / "snapshots").mkdir(parents=True)
    data = {"source": "bach-chorales", "representation": {"pitch_count": 48}}
    (folder / "project.json").write_text(json.dumps({"data": data}))
    if with_model:
        (folder / "model.keras").write_bytes(b"")
    return folder


class Recorder:
    """Stands in for the worker jobs: which source was loaded, which requests were made."""

    def __init__(self, methods=("fixed-point", "gibbs", "vae-interpolate"), code_size=None):
        self.methods, self.code_size = list(methods), code_size
        self.loaded: list[str] = []
        self.requests: list = []

    def info(self, source):
        self.loaded.append(source)
        return {"methods": self.methods, "code_size": self.code_size, "tempo": 120}

    def generate(self, source, request):
        self.requests.append((source, request))
        return a_roll(60 + len(self.requests) % 12)


@pytest.fixture
def jobs(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(audition_mod, "_load_model_info", recorder.info)
    monkeypatch.setattr(audition_mod, "_generate", recorder.generate)
    monkeypatch.setattr(
        audition_mod, "_render", lambda roll, sr, sf=None: (np.zeros(sr, np.float32), "test")
    )
    return recorder


@pytest.fixture
def panel(qtbot):
    p = AuditionPanel()
    qtbot.addWidget(p)
    p.resize(1100, 700)
    p.show()
    yield p
    p.stop()


def load(panel, qtbot, run_dir, method=None):
    panel.set_run(str(run_dir))
    qtbot.waitUntil(lambda: panel.method_combo.isEnabled(), timeout=5000)
    if method:
        panel.method_combo.setCurrentText(method)


def generate(panel, qtbot):
    with qtbot.waitSignal(panel.pieceChanged, timeout=5000):
        panel.generate_button.click()
    qtbot.waitUntil(lambda: panel.generate_button.isEnabled(), timeout=5000)
    return panel.pieces[-1][0]


# ---- opening a model and a MIDI file ------------------------------------------------------------
def test_a_keras_model_file_is_opened_and_generated_from(panel, qtbot, jobs, tmp_path):
    path = tmp_path / "mine.keras"
    path.write_bytes(b"")
    assert panel.open_model(str(path))
    qtbot.waitUntil(lambda: panel.method_combo.count() == 3, timeout=5000)
    assert jobs.loaded == [str(path)]
    assert panel.run_label.text() == "Model: mine.keras" and panel.snapshot_list.count() == 0
    generate(panel, qtbot)
    assert jobs.requests[-1][0] == str(path)


def test_a_runs_own_model_file_opens_its_run(panel, qtbot, jobs, tmp_path):
    run = make_run(tmp_path / "r1")
    assert panel.open_model(str(run / "model.keras"))
    assert panel.run_dir == str(run) and panel.run_label.text() == "Run: r1"


def test_a_file_that_is_not_a_model_is_one_message(panel, tmp_path):
    assert not panel.open_model(str(tmp_path / "song.mid"))
    assert (
        panel.message_label.kind == "error" and "not a .keras model" in panel.message_label.text()
    )


def test_a_midi_file_plays_and_is_the_start_piece(panel, qtbot, jobs, tmp_path):
    load(panel, qtbot, make_run(tmp_path / "r1"), "gibbs")
    assert panel.open_midi(str(write_midi(tmp_path / "tune.mid")))
    assert panel.pieces[0][0] == "tune.mid" and panel.piece is panel.pieces[0][1]
    assert (panel.piece.roll > 0).sum() > 0 and panel.play_button.isEnabled()
    assert panel.message_label.kind == "success"
    assert panel.start_combo.currentText() == "tune.mid" and panel.start_combo.isEnabled()
    name = generate(panel, qtbot)
    request = jobs.requests[-1][1]
    assert request.method == "gibbs" and request.start is panel.pieces[0][1]
    assert name.endswith("from tune.mid")
    panel.method_combo.setCurrentText("fixed-point")
    generate(panel, qtbot)
    assert jobs.requests[-1][1].start is panel.pieces[0][1]
    panel.method_combo.setCurrentText("vae-interpolate")
    assert panel.piece_a.currentText() == "tune.mid"
    panel.piece_b.setCurrentIndex(1)
    generate(panel, qtbot)
    first, second = jobs.requests[-1][1].pieces
    assert first is panel.pieces[0][1] and second is panel.pieces[1][1]


def test_a_midi_file_without_notes_is_one_clear_message(panel, tmp_path):
    empty = write_midi(tmp_path / "silence.mid", notes=())
    assert not panel.open_midi(str(empty))
    assert panel.message_label.text() == "silence.mid has no notes to play or start from"
    assert panel.message_label.kind == "error" and panel.pieces == []
    broken = tmp_path / "broken.mid"
    broken.write_bytes(b"RIFF....")
    assert not panel.open_midi(str(broken))
    assert (
        "not a MIDI file" in panel.message_label.text() and "\n" not in panel.message_label.text()
    )


# ---- seeking, latent code, attribute vector -----------------------------------------------------
def test_a_click_on_the_piano_roll_seeks(panel, qtbot, jobs):
    panel.set_roll(a_roll(), "piece")
    panel.tempo_spin.setValue(120)
    roll_view = panel.findChild(type(panel.roll_view), "pianoRoll")
    assert roll_view is panel.roll_view
    qtbot.mouseClick(roll_view.viewport(), Qt.LeftButton, pos=roll_view.x_of(4.0).toPoint())
    assert abs(roll_view.playhead_position - 4.0) < 0.1
    assert abs(panel._seek_to - 2.0) < 0.05  # four quarters at 120 BPM
    panel.player = SeekingPlayer()
    panel.toggle_play()  # starts where the click was
    qtbot.waitUntil(lambda: panel.player.state == "playing", timeout=5000)
    assert abs(panel.player.seeks[-1] - 2.0) < 0.05
    qtbot.mouseClick(roll_view.viewport(), Qt.LeftButton, pos=roll_view.x_of(6.0).toPoint())
    assert abs(panel.player.seeks[-1] - 3.0) < 0.05  # while playing, the player jumps


def test_every_latent_dimension_is_reachable_with_its_value(panel, qtbot, jobs, tmp_path):
    jobs.methods, jobs.code_size = ["decode"], 20
    load(panel, qtbot, make_run(tmp_path / "r1"))
    assert len(panel.latent_sliders) == 20 and len(panel.controls.latent.readouts) == 20
    last = panel.latent_sliders[-1]
    scroll = panel.controls.latent.scroll
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0, timeout=2000)
    assert scroll.verticalScrollBar().maximum() > 0  # more rows than fit: it scrolls
    scroll.ensureWidgetVisible(last)
    top_left = last.mapTo(scroll.viewport(), last.rect().topLeft())
    assert scroll.viewport().rect().contains(top_left)  # the 20th dimension is in view
    panel.latent_box.setChecked(True)
    last.setValue(150)
    assert panel.controls.latent.readouts[-1].text() == "+1.50"
    with qtbot.waitSignal(panel.pieceChanged, timeout=5000):
        last.sliderReleased.emit()  # letting go of a slider generates again
    code = jobs.requests[-1][1].code
    assert len(code) == 20 and code[-1] == pytest.approx(1.5) and not code[:-1].any()


def test_attribute_vector_controls(panel, qtbot, jobs, tmp_path):
    jobs.methods = ["vae-attribute", "vae-prior"]
    load(panel, qtbot, make_run(tmp_path / "r1"), "vae-attribute")
    controls = panel.controls
    assert controls.attribute_box.isEnabled()
    controls.attribute_combo.setCurrentText("pitch")
    controls.amount_spin.setValue(-2.0)
    name = generate(panel, qtbot)
    request = jobs.requests[-1][1]
    assert request.attribute == "pitch" and request.amount == -2.0
    assert "attribute pitch" in name and "amount -2" in name
    panel.method_combo.setCurrentText("vae-prior")
    assert not controls.attribute_box.isEnabled()


# ---- state that follows the run -----------------------------------------------------------------
def test_each_run_keeps_its_own_pieces(panel, qtbot, jobs, tmp_path):
    r1, r2 = make_run(tmp_path / "r1"), make_run(tmp_path / "r2")
    load(panel, qtbot, r1, "fixed-point")
    generate(panel, qtbot)
    generate(panel, qtbot)
    load(panel, qtbot, r2, "vae-interpolate")
    assert panel.pieces == [] and panel.piece_list.count() == 0 and panel.piece is None
    assert panel.piece_a.count() == 0 and panel.start_combo.count() == 1
    panel.generate()  # the previous run's pieces are not endpoints
    assert "two different pieces" in panel.message_label.text()
    panel.method_combo.setCurrentText("fixed-point")
    generate(panel, qtbot)
    assert [n for n, _ in panel.pieces] == [panel.piece_list.item(0).text()]
    load(panel, qtbot, r1)
    assert len(panel.pieces) == 2 and panel.piece_a.count() == 2


def test_a_piece_made_for_the_previous_run_is_not_shown(panel, qtbot, jobs, tmp_path):
    r1, r2 = make_run(tmp_path / "r1"), make_run(tmp_path / "r2")
    load(panel, qtbot, r1, "fixed-point")
    panel.generate()
    panel.set_run(str(r2))  # before the answer is in
    qtbot.waitUntil(lambda: len(jobs.requests) == 1, timeout=5000)
    qtbot.wait(100)
    assert panel.pieces == []


def test_piece_names_carry_the_settings_that_made_them(panel, qtbot, jobs, tmp_path):
    load(panel, qtbot, make_run(tmp_path / "r1"), "fixed-point")
    panel.seed_spin.setValue(3)
    panel.threshold_spin.setValue(0.3)
    first = generate(panel, qtbot)
    panel.threshold_spin.setValue(0.6)
    panel.controls.iterations_spin.setValue(50)
    second = generate(panel, qtbot)
    assert first == "fixed-point seed 3 · threshold 0.3"
    assert second == "fixed-point seed 3 · threshold 0.6 · iterations 50"
    panel.method_combo.setCurrentText("gibbs")
    panel.temperature_spin.setValue(0.5)
    assert "temperature 0.5" in generate(panel, qtbot)


def test_the_no_model_note_goes_when_the_run_finishes(panel, qtbot, jobs, tmp_path):
    run = make_run(tmp_path / "r1", with_model=False)
    panel.set_run(str(run))
    assert panel.message_label.text() == NO_MODEL_YET and panel.message_label.kind == "info"
    panel.set_roll(a_roll(), "snapshot piece")
    (run / "model.keras").write_bytes(b"")
    panel.refresh_snapshots()  # the panel's timer: the model has appeared
    qtbot.waitUntil(lambda: panel.method_combo.count() == 3, timeout=5000)
    assert not panel.message_label.isVisible()
    panel.set_run(str(run))  # the window's "run finished" keeps this run's pieces
    assert [n for n, _ in panel.pieces] == ["snapshot piece"]
    assert not panel.message_label.isVisible()


def test_messages_are_styled_by_kind(panel, qtbot, tmp_path):
    backgrounds = {bg for bg, _, _ in MESSAGE_STYLES.values()}
    assert len(backgrounds) == len(MESSAGE_STYLES)  # each kind looks different
    panel.set_roll(a_roll(), "piece")
    panel._save(panel.export_midi, str(tmp_path / "a.mid"))
    assert panel.message_label.kind == "success"
    assert panel.message_label.property("kind") == "success"
    panel._save(panel.export_midi, str(tmp_path / "missing" / "a.mid"))
    assert panel.message_label.kind == "error"
    panel._generated(
        ("generate", "quiet", panel.model_source), PianoRoll(np.zeros((8, 48), np.float32), 4, 36)
    )
    assert panel.message_label.kind == "warning" and "silent" in panel.message_label.text()


def test_the_start_choice_is_read_only_by_methods_that_take_it(panel, qtbot, jobs, tmp_path):
    jobs.methods = ["decode", "gibbs"]
    jobs.code_size = 4
    load(panel, qtbot, make_run(tmp_path / "r1"), "gibbs")
    panel.set_roll(a_roll(), "mine")
    panel.controls.choose_start(0)
    panel.method_combo.setCurrentText("decode")
    assert not panel.start_combo.isEnabled()
    generate(panel, qtbot)
    fields = dataclasses.asdict(jobs.requests[-1][1])
    assert fields["start"] is None and fields["method"] == "decode"
