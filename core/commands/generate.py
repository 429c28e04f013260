"""`layerwise generate RUN_OR_MODEL --out PIECE.mid [--wav PIECE.wav] [--method M] ...`."""

from __future__ import annotations

import argparse
import sys

# The names of core.music.generate.METHODS, kept here so the parser needs no numpy.
METHOD_NAMES = (
    "auto",
    "decode",
    "gibbs",
    "vae-prior",
    "vae-interpolate",
    "vae-attribute",
    "fixed-point",
    "next-step",
)


def _ranged(kind, low=None, high=None, what="a number"):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        return value

    return parse


def _code(text):
    try:
        return [float(part) for part in text.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None


def register(subparsers):
    parser = subparsers.add_parser(
        "generate",
        help="generate a piece from a trained run (or a .keras model)",
        description="Generate a piece from a run folder (or a .keras model) and write it as "
        "MIDI, and as WAV with --wav.",
    )
    parser.add_argument("run", metavar="RUN_OR_MODEL", help="a run folder or a .keras file")
    parser.add_argument("--out", required=True, help="the .mid file to write")
    parser.add_argument("--wav", help="also render the piece to this .wav file")
    parser.add_argument(
        "--method",
        default="auto",
        choices=METHOD_NAMES,
        help="generation method (default: the natural one for the run)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same piece)")
    parser.add_argument(
        "--bars",
        type=_ranged(int, 1, 1024, "a whole number 1..1024"),
        default=4,
        help="length in 4-quarter bars",
    )
    parser.add_argument(
        "--temperature",
        type=_ranged(float, 0.0, None, "a number >= 0"),
        default=1.0,
        help="sampling temperature (0: most likely notes)",
    )
    parser.add_argument(
        "--threshold",
        type=_ranged(float, 0.0, 1.0, "a number in 0..1"),
        default=0.5,
        help="note probability above which a note sounds",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="sample each note from its probability instead of a threshold",
    )
    parser.add_argument(
        "--program",
        type=_ranged(int, 0, 127, "a program 0..127"),
        help="General MIDI program (default: the project's)",
    )
    parser.add_argument(
        "--tempo",
        type=_ranged(float, 1.0, 1000.0, "a tempo in BPM"),
        help="quarter notes per minute (default: the project's)",
    )
    parser.add_argument("--soundfont", help="a .sf2 SoundFont for --wav")
    parser.add_argument(
        "--start",
        metavar="MIDI",
        help="start from this piece (gibbs, fixed-point, vae-attribute) or continue it (next-step)",
    )
    parser.add_argument(
        "--pieces",
        metavar="MIDI",
        nargs="+",
        help="vae-interpolate: two pieces; vae-attribute: example pieces",
    )
    parser.add_argument(
        "--steps",
        type=_ranged(int, 2, 256, "a whole number 2..256"),
        default=8,
        help="vae-interpolate: points on the path",
    )
    parser.add_argument(
        "--attribute", default="density", help="vae-attribute: density, polyphony or pitch"
    )
    parser.add_argument(
        "--amount",
        type=float,
        default=1.0,
        help="vae-attribute: how far along the attribute vector",
    )
    parser.add_argument(
        "--code", type=_code, help="decode / vae-prior: code values, comma-separated"
    )
    parser.add_argument(
        "--iterations",
        type=_ranged(int, 1, 100000, "a whole number >= 1"),
        help="gibbs / fixed-point: number of steps",
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.music.generate import GenerationModel
    from core.music.pianoroll import read_midi, write_midi

    model = GenerationModel(args.run)

    def read(path):
        return read_midi(path, model.steps_per_quarter, model.lowest_pitch, model.pitch_count)

    roll = model.generate(
        method=args.method,
        seed=args.seed,
        bars=args.bars,
        temperature=args.temperature,
        threshold=None if args.sample else args.threshold,
        code=args.code,
        start=read(args.start) if args.start else None,
        pieces=[read(p) for p in args.pieces] if args.pieces else None,
        steps=args.steps,
        attribute=args.attribute,
        amount=args.amount,
        tempo=args.tempo,
        program=args.program,
        iterations=args.iterations,
    )
    write_midi(roll, args.out)
    notes = int(((roll.roll[1:] > 0) & (roll.roll[:-1] == 0)).sum() + (roll.roll[:1] > 0).sum())
    method = model.last_info.get("method", args.method)
    print(
        f"generated {roll.duration_seconds:.1f} s with {method} (seed {args.seed}): "
        f"{notes} notes; wrote {args.out}"
    )
    if not notes:
        print(
            "layerwise generate: the piece is silent; try a lower --threshold or --sample",
            file=sys.stderr,
        )
    if args.wav:
        from core.music.render import render, write_wav

        rate = 44100
        audio, renderer = render(roll, rate, soundfont=args.soundfont)
        write_wav(audio, rate, args.wav)
        print(f"rendered {len(audio) / rate:.1f} s with {renderer}; wrote {args.wav}")
    return 0
