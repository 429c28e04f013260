"""`layerwise templates`: list the built-in templates."""


def register(subparsers):
    parser = subparsers.add_parser("templates", help="list the built-in templates")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core import templates

    for name, description in templates.describe():
        print(f"{name}\t{description}")
    return 0
