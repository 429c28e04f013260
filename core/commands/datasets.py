"""`layerwise datasets [import DIR --out FILE.npz]`: list built-in sets; import a MIDI folder."""

from __future__ import annotations

import sys

from core.catalog.data import REPRESENTATION_PARAMS, SOURCES
from core.limits import printable

_REP = {p.name: p for p in REPRESENTATION_PARAMS}
_IMPORT_OPTIONS = ("steps_per_quarter", "lowest_pitch", "pitch_count")


def register(subparsers):
    parser = subparsers.add_parser(
        "datasets", help="list built-in datasets; import a folder of MIDI files"
    )
    parser.set_defaults(func=run, action=None)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    imp = sub.add_parser("import", help="import a folder of MIDI files into a .npz piece file")
    imp.add_argument("folder", help="folder of .mid files (searched recursively)")
    imp.add_argument("--out", required=True, help="the .npz file to write")
    for name in _IMPORT_OPTIONS:
        param = _REP[name]
        imp.add_argument(
            "--" + name.replace("_", "-"), type=int, default=param.default, help=param.help
        )
    imp.add_argument("--velocity", action="store_true", help=_REP["velocity"].help)
    imp.set_defaults(func=run)


def _list() -> int:
    builtin = [source for source in SOURCES if source.builtin]
    width = max(len(source.name) for source in builtin)
    for source in builtin:
        print(f"{source.name:<{width}}  {source.help}")
    return 0


def _import(args) -> int:
    from core.data.midi_folder import import_midi_folder
    from core.data.pieces import save_pieces
    from core.data.representation import representation_of

    chosen = {name: getattr(args, name) for name in (*_IMPORT_OPTIONS, "velocity")}
    rep = representation_of({"representation": chosen})
    tty = sys.stderr.isatty()

    def progress(done, total, message):
        if done == 0:
            print(f"importing {total} file(s) from {args.folder}", file=sys.stderr)
        if tty and done < total:
            print(f"\r[{done + 1}/{total}] {message[:60]:<60}", end="", file=sys.stderr)
        elif not tty and done < total and total >= 50 and done % (total // 10) == 0 and done:
            print(f"  {done}/{total} files", file=sys.stderr)  # logs get a line per 10%

    rolls, names, skipped = import_midi_folder(args.folder, rep, progress)
    if tty:
        print("\r" + " " * 72 + "\r", end="", file=sys.stderr)
    for name, reason in skipped:
        print(printable(f"skipped {name}: {reason}"), file=sys.stderr)
    if not rolls:
        from core.errors import DataError

        raise DataError(f"{args.folder}: no MIDI file with notes in the pitch range to import")
    save_pieces(args.out, rolls, names, rep, skipped)
    steps = sum(len(r) for r in rolls)
    print(
        f"imported {len(rolls)} piece(s), {steps} steps, skipped {len(skipped)}; wrote {args.out}"
    )
    return 0


def run(args) -> int:
    return _import(args) if args.action == "import" else _list()
