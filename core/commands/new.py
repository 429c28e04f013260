"""`layerwise new --template NAME PROJECT`: write a new project from a template."""

from pathlib import Path


def register(subparsers):
    parser = subparsers.add_parser("new", help="write a new project from a template")
    parser.add_argument("--template", required=True, help="a name from `layerwise templates`")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.add_argument("project", help="where to write the project (.json)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core import project as project_io
    from core import templates
    from core.errors import ProjectError

    target = Path(args.project)
    if target.exists() and not args.force:
        raise ProjectError(f"{target} already exists; pass --force to overwrite it")
    project_io.save(templates.load(args.template), target)
    print(f"wrote {target} from template {args.template!r}")
    return 0
