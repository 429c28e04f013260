"""`layerwise export RUN_OR_PROJECT --format F --out PATH`: export a trained run (any
format) or an untrained project (keras, savedmodel, onnx, python)."""

FORMATS = ("keras", "savedmodel", "onnx", "python", "report")


def register(subparsers):
    parser = subparsers.add_parser(
        "export",
        help="export a run or a project (keras, savedmodel, onnx, python, report)",
        description="Export a trained run folder, or a project file (untrained). 'python' "
        "writes a script that rebuilds the network with Keras alone (and, from a run, loads "
        "its weights from a .weights.npz beside it); 'report' writes a folder with the "
        "summary, training curves and filters.",
    )
    parser.add_argument(
        "source", metavar="RUN_OR_PROJECT", help="a run folder or a project file (.json)"
    )
    parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
    parser.add_argument("--out", required=True, help="the file or folder to write")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.export import export_model

    path = export_model(args.source, args.fmt, args.out)
    print(f"wrote {path}")
    return 0
