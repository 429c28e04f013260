"""`layerwise play PIECE.mid`: play a MIDI file through the default audio output."""

from __future__ import annotations

import importlib


def register(subparsers):
    parser = subparsers.add_parser("play", help="play a MIDI file through the audio output")
    parser.add_argument("midi", help="the MIDI file to play")
    parser.add_argument("--soundfont", help="a .sf2 SoundFont (default: General MIDI TimGM6mb)")
    parser.add_argument("--device", help="output device name or index (default: the system's)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.errors import LayerwiseError
    from core.music.pianoroll import load_pretty_midi
    from core.music.render import render

    pm = load_pretty_midi(args.midi)
    audio, used = render(pm, 44100, soundfont=args.soundfont)
    try:
        # Audio output belongs to the app layer; core finds it at run time, never imports it.
        audio_module = importlib.import_module("app.audio")
    except ImportError as exc:
        raise LayerwiseError(f"audio playback is not available: {exc}") from None
    device = int(args.device) if args.device and args.device.isdigit() else args.device
    player = audio_module.AudioPlayer(device=device)
    print(f"playing {args.midi} ({len(audio) / 44100:.1f} s, {used}); Ctrl-C stops")
    player.play(audio, 44100)
    try:
        player.wait()
    finally:
        player.stop()
    return 0
