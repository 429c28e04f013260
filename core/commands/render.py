"""`layerwise render PIECE.mid --out PIECE.wav [--soundfont F.sf2]`: MIDI to audio."""

from __future__ import annotations


def register(subparsers):
    parser = subparsers.add_parser("render", help="render a MIDI file to a WAV file")
    parser.add_argument("midi", help="the MIDI file to render")
    parser.add_argument("--out", required=True, help="the .wav file to write")
    parser.add_argument("--soundfont", help="a .sf2 SoundFont (default: General MIDI TimGM6mb)")
    parser.add_argument("--sample-rate", type=int, default=44100, help="samples per second")
    parser.add_argument(
        "--renderer",
        choices=["fluidsynth", "builtin"],
        help="force a renderer (default: FluidSynth when available)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.errors import DataError
    from core.music.pianoroll import load_pretty_midi
    from core.music.render import BUILTIN, render, write_wav

    if not 8000 <= args.sample_rate <= 192000:
        raise DataError("--sample-rate must be between 8000 and 192000")
    pm = load_pretty_midi(args.midi)
    renderer = BUILTIN if args.renderer == "builtin" else args.renderer
    audio, used = render(pm, args.sample_rate, soundfont=args.soundfont, renderer=renderer)
    write_wav(audio, args.sample_rate, args.out)
    print(f"rendered {len(audio) / args.sample_rate:.1f} s with {used}; wrote {args.out}")
    return 0
