"""The ``layerwise`` command: core's headless commands, plus the window and ``play``.

``layerwise`` with no command, or with a path (a project, a run folder, a ``.keras`` model or
a MIDI file: what the file manager passes), opens the window with it; ``layerwise play``
renders a MIDI file with core and plays it through the audio output; ``layerwise self-test``
trains, generates and plays a tiny project in the window (:mod:`app.self_test`). Everything else is
core's headless CLI (``python -m core``), built from the same parser.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.self_test import register_self_test
from core import cli as core_cli

DESCRIPTION = (
    "Layerwise: build, pretrain layer by layer, listen to and export networks for music. "
    "With no command (or a project path) it opens the desktop app."
)

PLAY_RATE = 44100


def register_play(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("play", help="play a MIDI file through the audio output")
    parser.add_argument("midi", help="the MIDI file to play")
    parser.add_argument("--soundfont", help="a .sf2 SoundFont (default: General MIDI TimGM6mb)")
    parser.add_argument("--device", help="output device name or index (default: the system's)")
    parser.set_defaults(func=play)


def play(args: argparse.Namespace) -> int:
    """Play the piece while core renders it, and wait until it ends (Ctrl-C stops)."""
    from app.audio import AudioPlayer
    from core.errors import DataError
    from core.music.pianoroll import load_pretty_midi
    from core.music.stream import start_stream

    stream, used = start_stream(load_pretty_midi(args.midi), PLAY_RATE, soundfont=args.soundfont)
    device = int(args.device) if args.device and args.device.isdigit() else args.device
    player = AudioPlayer(device=device)
    try:
        player.play(stream, PLAY_RATE)
        print(f"playing {args.midi} ({len(stream) / PLAY_RATE:.1f} s, {used}); Ctrl-C stops")
        player.wait()
    finally:
        player.stop()
        stream.cancel()
    if stream.error:
        raise DataError(f"{args.midi}: rendering failed: {stream.error}")
    return 0


def open_window(argv: Sequence[str]) -> int:
    gui = argparse.ArgumentParser(prog="layerwise", description="Open the Layerwise window.")
    gui.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="a project file, a run folder, a .keras model or a MIDI file (several: all open)",
    )
    args = gui.parse_args(argv)
    try:
        from app.launch import main as launch
    except ImportError as exc:
        print(f"layerwise: the desktop app cannot start: {exc}", file=sys.stderr)
        return 1
    first, *more = args.paths or [None]
    return launch(first, also=more) if more else launch(first)


def build_parser() -> argparse.ArgumentParser:
    return core_cli.build_parser(DESCRIPTION, extra=[register_play, register_self_test])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if core_cli.opens_window(argv):
        return open_window(argv)
    args = build_parser().parse_args(argv)
    if args.command is None:
        return open_window([])
    return core_cli.run_command(args)
