"""The `layerwise` entry point: core's headless commands plus the window and `play`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import faithful_to

from app import cli
from app.audio import AudioPlayer
from core import cli as core_cli

ROOT = Path(__file__).resolve().parents[2]


def layerwise(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def opened(monkeypatch):
    """The project paths the window was asked to open; no window is made."""
    import app.launch

    paths: list = []
    monkeypatch.setattr(app.launch, "main", lambda path=None: paths.append(path) or 0)
    return paths


def test_no_command_or_a_project_path_opens_the_window(opened):
    assert cli.main([]) == 0
    assert cli.main(["songs/dbn.json"]) == 0
    assert opened == [None, "songs/dbn.json"]


def test_headless_commands_run_through_the_same_parser(opened, capsys):
    assert cli.main(["templates"]) == 0
    assert capsys.readouterr().out.startswith("deephear")
    assert opened == []


def test_help_offers_the_headless_commands_and_play():
    out = layerwise("--help")
    assert out.returncode == 0
    for name in ("templates", "new", "validate", "train", "generate", "export", "play"):
        assert f"    {name}" in out.stdout, name
    assert "opens the desktop app" in out.stdout


def test_usage_errors_exit_2_and_bad_input_exits_1_in_one_line(tmp_path):
    assert layerwise("validate").returncode == 2
    assert layerwise("play").returncode == 2
    missing = layerwise("play", tmp_path / "missing.mid")
    assert missing.returncode == 1
    assert missing.stderr.strip().startswith("layerwise play:")
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "Traceback" not in missing.stderr


@faithful_to(AudioPlayer)
class _Player:
    """Stands in for the audio output: records what it was given."""

    played: list = []

    def __init__(self, device=None):
        self.device = device

    def play(self, audio, rate):
        self.played.append((self.device, len(audio), rate))

    def wait(self, timeout=None):
        return True

    def stop(self):
        self.played.append("stopped")


def test_play_renders_with_core_and_plays_through_the_app(monkeypatch, tmp_path, capsys):
    import pretty_midi

    import app.audio

    piece = pretty_midi.PrettyMIDI(initial_tempo=120)
    piano = pretty_midi.Instrument(program=0)
    piano.notes.append(pretty_midi.Note(velocity=100, pitch=69, start=0.0, end=0.5))
    piece.instruments.append(piano)
    path = tmp_path / "a4.mid"
    piece.write(str(path))
    _Player.played = []
    monkeypatch.setattr(app.audio, "AudioPlayer", _Player)
    assert cli.main(["play", str(path), "--device", "3"]) == 0
    (device, samples, rate), stopped = _Player.played
    assert device == 3 and rate == cli.PLAY_RATE and stopped == "stopped"
    assert samples >= 0.5 * rate
    assert capsys.readouterr().out.startswith(f"playing {path}")


def test_a_run_folder_a_model_or_a_midi_file_opens_the_window(opened, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    assert cli.main([str(run)]) == 0
    assert cli.main(["net.keras"]) == 0
    assert cli.main(["tune.MID"]) == 0
    assert opened == [str(run), "net.keras", "tune.MID"]
    assert cli.main(["templates"]) == 0 and len(opened) == 3
    assert not core_cli.opens_paths(["tune.mid", "--version"])  # an option is never a path
    assert not core_cli.opens_paths(["train", str(run)])
    assert not core_cli.opens_paths(["play", str(run)])


def test_several_paths_from_the_file_manager_all_open(monkeypatch, tmp_path):
    import app.launch

    calls = []
    monkeypatch.setattr(app.launch, "main", lambda path=None, also=(): calls.append((path, also)))
    run = tmp_path / "run"
    run.mkdir()
    cli.main(["a.json", str(run), "b.mid"])
    assert calls == [("a.json", [str(run), "b.mid"])]
