"""`layerwise generate RUN_OR_MODEL --out PIECE.mid [--wav PIECE.wav] [--method M] ...`.

The generation options (flags, types, ranges, defaults, help) come from their declarations
in ``core.catalog.generation``; this module adds only what the command itself needs: the
files to read and write, ``--sample`` and ``--soundfont``.
"""

from __future__ import annotations

import argparse
import sys

from core.catalog import generation as declared


def _number_parser(option: declared.GenerationOption):
    kind = int if option.kind == "int" else float

    def parse(text):
        try:
            return option.normalise(kind(text))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {option.range_text()}, got {text!r}"
            ) from None

    return parse


def _code(text):
    try:
        return [float(part) for part in text.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None


def _add_option(parser, option: declared.GenerationOption) -> None:
    flag = "--" + option.name.replace("_", "-")
    extra: dict = {"help": option.help, "default": option.default}
    if option.kind in ("int", "float"):
        extra["type"] = _number_parser(option)
    elif option.kind == "choice":
        extra["choices"] = option.choices
    elif option.kind == "floats":
        extra["type"] = _code
    elif option.kind == "pieces":
        extra["nargs"] = "+"
    if option.metavar:
        extra["metavar"] = option.metavar
    parser.add_argument(flag, **extra)


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
    parser.add_argument("--soundfont", help="a .sf2 SoundFont for --wav")
    parser.add_argument(
        "--method",
        default=declared.AUTO,
        choices=tuple(declared.METHODS),
        help="generation method (default: the natural one for the run)",
    )
    parser.add_argument(
        "--sample",
        action="store_true",
        help="sample each note from its probability instead of a threshold",
    )
    for option in declared.OPTIONS:
        _add_option(parser, option)
    parser.set_defaults(func=run, usage_error=parser.error)


def _check_named_method(args) -> None:
    """A usage error (exit 2) for an option the named method does not read; with "auto" the
    method is known only once the model is loaded, and the request says it (exit 1)."""
    if args.method == declared.AUTO:
        return
    method = declared.method(args.method)
    for option in declared.OPTIONS:
        if not method.takes(option.name) and not option.is_default(getattr(args, option.name)):
            flag = "--" + option.name.replace("_", "-")
            args.usage_error(f"{flag} does not apply to --method {args.method}")


def _request(args, model):
    """The GenerationRequest the parsed ``args`` ask for, pieces read as MIDI on the model's
    grid."""
    from core.music.generation import GenerationRequest
    from core.music.pianoroll import read_midi

    def read(path):
        return read_midi(path, model.steps_per_quarter, model.lowest_pitch, model.pitch_count)

    values = {option.name: getattr(args, option.name) for option in declared.OPTIONS}
    if values["start"]:
        values["start"] = read(values["start"])
    if values["pieces"]:
        values["pieces"] = [read(p) for p in values["pieces"]]
    if args.sample:
        values["threshold"] = None
    return GenerationRequest(method=args.method, **values)


def _count_notes(roll) -> int:
    on = roll.roll > 0
    return int((on[1:] & ~on[:-1]).sum() + on[:1].sum())


def run(args) -> int:
    from core.music.generation import GenerationModel
    from core.music.pianoroll import write_midi

    _check_named_method(args)
    model = GenerationModel(args.run)
    roll = model.generate(_request(args, model))
    write_midi(roll, args.out)
    notes = _count_notes(roll)
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
