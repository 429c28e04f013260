"""The headless command line (``python -m core``): a thin layer over the core modules.

Each subcommand lives in ``core.commands.<name>`` and exposes ``register(subparsers)``, which
adds its parser and sets ``func`` (a callable taking the parsed args and returning an exit
code). Subcommand modules stay light at import; they import heavy modules inside ``func``.

The ``layerwise`` console script (``app.cli``) builds this same parser and adds what needs the
desktop app: the window (``layerwise [PATH]``), ``play`` and ``self-test``. Core never names the app's
modules; asked for one of those here, it says which commands need ``layerwise`` and exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

import core
from core.errors import LayerwiseError
from core.limits import os_error_line, printable

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
    "evaluate",
]

# Commands only the desktop app's entry point (`layerwise`) offers: they need a window or
# an audio output, which core does not import.
APP_COMMANDS = ("play", "self-test")

HEADLESS_DESCRIPTION = (
    "Layerwise's headless commands: build, pretrain layer by layer, generate and export "
    "networks for music. The window (`layerwise [PROJECT]`), `play` and `self-test` need the "
    "desktop app: run `layerwise`."
)

NEEDS_APP = (
    "layerwise: the window (no command, or paths to open) and {commands} need the desktop "
    "app: run `layerwise` instead of `python -m core`"
)

# The files the window opens (a project, a Keras model, a piece); a folder is a run.
WINDOW_FILE_SUFFIXES = (".json", ".keras", ".mid", ".midi")

Registrar = Callable[[argparse._SubParsersAction], None]
"""Adds one subcommand to the parser's subcommands (the ``register`` of a command module)."""


def opens_paths(argv: Sequence[str]) -> bool:
    """Only paths the window opens (what a file manager passes): projects, run folders,
    models, MIDI files; never a command or an option."""
    if not argv or argv[0] in COMMANDS or argv[0] in APP_COMMANDS:
        return False
    return all(
        not path.startswith("-")
        and (os.path.isdir(path) or path.lower().endswith(WINDOW_FILE_SUFFIXES))
        for path in argv
    )


def opens_window(argv: Sequence[str]) -> bool:
    """Whether these arguments ask for the window: no command at all, a project path first,
    or only paths the window opens."""
    if not argv:
        return True
    first = argv[0]
    project = not first.startswith("-") and first not in COMMANDS and first.endswith(".json")
    return project or opens_paths(argv)


def build_parser(
    description: str = HEADLESS_DESCRIPTION, extra: Sequence[Registrar] = ()
) -> argparse.ArgumentParser:
    """The ``layerwise`` parser with every headless command, then the ``extra`` ones."""
    parser = argparse.ArgumentParser(prog="layerwise", description=description)
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
    for register in extra:
        register(subparsers)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command; bad input becomes one line on stderr and exit code 1."""
    try:
        return int(args.func(args) or 0)
    except LayerwiseError as exc:
        print(f"layerwise {args.command}: {printable(exc)}", file=sys.stderr)
        return 1
    except OSError as exc:  # a disk that filled up or went away under a library's writer
        print(f"layerwise {args.command}: {os_error_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"layerwise {args.command}: interrupted", file=sys.stderr)
        return 130


def _needs_app() -> int:
    names = ", ".join(f"`{name}`" for name in APP_COMMANDS)
    print(NEEDS_APP.format(commands=names), file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if opens_window(argv) or argv[0] in APP_COMMANDS:
        return _needs_app()
    args = build_parser().parse_args(argv)
    if args.command is None:  # options without a command ask for the window too
        return _needs_app()
    return run_command(args)
