"""`layerwise datasets [import DIR --out FILE.npz]`: list built-in sets; import a MIDI folder."""

from __future__ import annotations

import sys


def register(subparsers):
    parser = subparsers.add_parser(
        "datasets", help="list built-in datasets; import a folder of MIDI files"
    )
    parser.set_defaults(func=run, action=None)
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    imp = sub.add_parser("import", help="import a folder of MIDI files into a .npz piece file")
    imp.add_argument("folder", help="folder of .mid files (searched recursively)")
    imp.add_argument("--out", required=True, help="the .npz file to write")
    imp.add_argument("--steps-per-quarter", type=int, default=4, help="time steps per quarter note")
    imp.add_argument("--lowest-pitch", type=int, default=36, help="MIDI number of the lowest row")
    imp.add_argument("--pitch-count", type=int, default=48, help="number of pitch rows")
    imp.add_argument("--velocity", action="store_true", help="keep velocities (0..1), not 0/1")
    imp.set_defaults(func=run)


def _list() -> int:
    from core.data import list_builtin_datasets

    sets = list_builtin_datasets()
    width = max(len(name) for name, _ in sets)
    for name, description in sets:
        print(f"{name:<{width}}  {description}")
    return 0


def _import(args) -> int:
    from core.data.midi_folder import import_midi_folder
    from core.data.pieces import save_pieces
    from core.data.representation import representation_of

    rep = representation_of(
        {
            "representation": {
                "steps_per_quarter": args.steps_per_quarter,
                "lowest_pitch": args.lowest_pitch,
                "pitch_count": args.pitch_count,
                "velocity": args.velocity,
            }
        }
    )
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
        print(f"skipped {name}: {reason}", file=sys.stderr)
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
