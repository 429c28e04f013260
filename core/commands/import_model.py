"""`layerwise import MODEL.keras --out PROJECT.json`: open a Keras model as a project.

Nothing in the model file runs: the importer reads its config only. Layers Layerwise cannot
express are listed, one a line, and left out of the project.
"""

from core.limits import printable


def register(subparsers):
    parser = subparsers.add_parser(
        "import",
        help="turn a .keras model into a project",
        description="Read a Keras 3 .keras model and write a Layerwise project with one block "
        "per layer. Layers no block can express are listed and left out.",
    )
    parser.add_argument("model", metavar="MODEL.keras", help="a Keras 3 model file")
    parser.add_argument("--out", required=True, help="the project file to write (.json)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import sys

    from core import project as project_io
    from core.errors import LayerwiseError
    from core.export import import_keras_model
    from core.validate import validate

    project, unmapped = import_keras_model(args.model)
    for line in unmapped:
        print(f"not imported: {printable(line)}", file=sys.stderr)
    if not project.network.blocks:
        raise LayerwiseError(f"{args.model}: no layer could be imported")
    project_io.save(project, args.out)
    report = validate(project)
    blocks = len(project.network.blocks)
    state = "valid" if report.ok else f"{len(report.problems)} problem(s) to fix"
    print(f"wrote {args.out}: {blocks} blocks, {len(unmapped)} layer(s) not imported, {state}")
    return 0
