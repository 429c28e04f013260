"""`layerwise generate` end to end on tiny runs."""

import wave

import pretty_midi
import pytest

from core import cli
from core.catalog.generation import METHODS, OPTIONS
from core.music.generation import METHODS as GENERATION_METHODS


def _generate_parser():
    parser = cli.build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices["generate"]


def test_method_names_match_the_core_list():
    assert tuple(METHODS) == tuple(GENERATION_METHODS)
    method = next(a for a in _generate_parser()._actions if a.dest == "method")
    assert tuple(method.choices) == tuple(METHODS)


def test_writes_midi_and_wav(ae_run, tmp_path, capsys):
    out, wav = tmp_path / "piece.mid", tmp_path / "piece.wav"
    code = cli.main(
        [
            "generate",
            str(ae_run),
            "--out",
            str(out),
            "--wav",
            str(wav),
            "--bars",
            "2",
            "--seed",
            "3",
            "--tempo",
            "150",
            "--program",
            "0",
        ]
    )
    assert code == 0
    pm = pretty_midi.PrettyMIDI(str(out))
    notes = pm.instruments[0].notes
    assert notes and all(60 <= n.pitch < 72 for n in notes)
    assert pm.get_tempo_changes()[1][0] == pytest.approx(150)
    with wave.open(str(wav)) as w:
        assert w.getnframes() > 44100 * 2 * 4 * 60 / 150 * 0.9
    printed = capsys.readouterr().out
    assert "decode" in printed and str(wav) in printed
    again = tmp_path / "again.mid"
    assert (
        cli.main(
            [
                "generate",
                str(ae_run),
                "--out",
                str(again),
                "--bars",
                "2",
                "--seed",
                "3",
                "--tempo",
                "150",
                "--program",
                "0",
            ]
        )
        == 0
    )
    assert again.read_bytes() == out.read_bytes()  # same seed, same file


def test_start_piece_and_method(dbn_run, ae_run, tmp_path):
    start = tmp_path / "start.mid"
    assert cli.main(["generate", str(ae_run), "--out", str(start), "--seed", "1"]) == 0
    out = tmp_path / "gibbs.mid"
    assert (
        cli.main(
            [
                "generate",
                str(dbn_run),
                "--out",
                str(out),
                "--method",
                "gibbs",
                "--start",
                str(start),
                "--iterations",
                "5",
                "--sample",
            ]
        )
        == 0
    )
    assert pretty_midi.PrettyMIDI(str(out)).instruments[0].notes


def test_errors_are_one_line_and_exit_1(digits_run, ae_run, tmp_path, capsys):
    assert cli.main(["generate", str(digits_run), "--out", str(tmp_path / "x.mid")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "not piano rolls" in err
    assert (
        cli.main(
            ["generate", str(ae_run), "--out", str(tmp_path / "x.mid"), "--method", "next-step"]
        )
        == 1
    )
    assert not (tmp_path / "x.mid").exists()
    capsys.readouterr()
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"PK not really a zip")
    assert cli.main(["generate", str(broken), "--out", str(tmp_path / "x.mid")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cannot load the model" in err


@pytest.mark.parametrize(
    "bad", [["--bars", "0"], ["--threshold", "2"], ["--method", "magic"], ["--temperature", "-1"]]
)
def test_usage_errors_exit_2(ae_run, tmp_path, bad):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["generate", str(ae_run), "--out", str(tmp_path / "x.mid"), *bad])
    assert exit_info.value.code == 2


def test_an_option_the_method_does_not_read_exits_1(ae_run, tmp_path, capsys):
    out = tmp_path / "x.mid"
    assert cli.main(["generate", str(ae_run), "--out", str(out), "--temperature", "0.3"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "'temperature' does not apply to decode" in err
    assert not out.exists()
    assert {o.name for o in OPTIONS} >= {"temperature", "bars", "seed"}
