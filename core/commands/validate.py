"""`layerwise validate PROJECT`: exit 0 when valid, else 1 and one line per problem."""

import sys

from core.limits import printable


def register(subparsers):
    parser = subparsers.add_parser("validate", help="check a project; one line per problem")
    parser.add_argument("project", help="a project file (.json)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core import project as project_io
    from core.validate import validate

    report = validate(project_io.load(args.project))
    for problem in report.problems:
        where = f"block {problem.block}" if problem.block else "project"
        print(printable(f"{args.project}: {where}: {problem.message}"), file=sys.stderr)
    if report.ok:
        print(
            f"{args.project}: valid ({len(report.order)} blocks, "
            f"{report.total_params:,} parameters)"
        )
        return 0
    return 1
