"""The ``layerwise`` command line: a thin layer over the core modules.

Each subcommand lives in ``core.commands.<name>`` and exposes ``register(subparsers)``, which
adds its parser and sets ``func`` (a callable taking the parsed args and returning an exit
code). Subcommand modules stay light at import; they import heavy modules inside ``func``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

import core
from core.errors import LayerwiseError

# Order is the order shown by --help.
COMMANDS = [
    "templates",
    "new",
    "validate",
    "info",
    "train",
    "generate",
    "render",
    "export",
    "import_model",
    "datasets",
    "play",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="layerwise",
        description="Layerwise: build, pretrain layer by layer, listen to and export networks "
        "for music. With no command (or a project path) it opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"layerwise {core.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"core.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"core.commands.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def _open_gui(argv: list[str]) -> int:
    gui = argparse.ArgumentParser(prog="layerwise", description="Open the Layerwise window.")
    gui.add_argument("project", nargs="?", help="a project file to open")
    args = gui.parse_args(argv)
    try:
        # The window is a separate front end over core: found at run time, not a dependency.
        launcher = importlib.import_module("app.launch")
    except ImportError as exc:
        print(f"layerwise: the desktop app cannot start: {exc}", file=sys.stderr)
        return 1
    return launcher.main(args.project)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = argv[0] if argv else None
    if first is None or (
        not first.startswith("-") and first not in COMMANDS and first.endswith(".json")
    ):
        return _open_gui(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _open_gui([])
    try:
        return int(args.func(args) or 0)
    except LayerwiseError as exc:
        print(f"layerwise {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"layerwise {args.command}: interrupted", file=sys.stderr)
        return 130
