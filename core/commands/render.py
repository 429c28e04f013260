"""`layerwise render PIECE.mid --out PIECE.wav [--soundfont F.sf2]`: MIDI to audio."""

from __future__ import annotations

from core.limits import MAX_RENDER_SECONDS


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
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=MAX_RENDER_SECONDS,
        help=f"refuse pieces longer than this (default {MAX_RENDER_SECONDS:g} s)",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.errors import DataError
    from core.music.pianoroll import load_pretty_midi
    from core.music.render import BUILTIN, render, write_wav

    if not 8000 <= args.sample_rate <= 192000:
        raise DataError("--sample-rate must be between 8000 and 192000")
    if not 0 < args.max_seconds <= 24 * 3600:  # NaN fails too
        raise DataError("--max-seconds must be more than 0 and at most 86400")
    pm = load_pretty_midi(args.midi)
    renderer = BUILTIN if args.renderer == "builtin" else args.renderer
    audio, used = render(
        pm, args.sample_rate, args.soundfont, renderer, max_seconds=args.max_seconds
    )
    write_wav(audio, args.sample_rate, args.out)
    print(f"rendered {len(audio) / args.sample_rate:.1f} s with {used}; wrote {args.out}")
    return 0
