"""Bounds on what Layerwise reads and what a user may ask for, checked before the work starts.

Every file from outside is read through :func:`read_json_file` / :func:`loads_json` (a size
cap before reading, a nesting cap before parsing, so a hostile file can neither fill the
memory nor overflow the parser's stack) or :func:`load_npz` (no pickles; a truncated archive
is one line). Names shown on a terminal pass through :func:`printable`, so a name cannot
carry escape sequences. Messages name the file and the limit, never how to lift a protection.
"""

from __future__ import annotations

import errno
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.errors import LayerwiseError

MiB = 1024 * 1024

# Files: sizes before reading, nesting before parsing.
MAX_PROJECT_BYTES = 64 * MiB  # a 65,000-block project is about 10 MB
MAX_RUN_JSON_BYTES = 64 * MiB  # state.json, summary.json, project.json of a run
MAX_KERAS_CONFIG_BYTES = 64 * MiB  # a .keras archive's config.json, unpacked
MAX_MIDI_BYTES = 16 * MiB  # a long orchestral piece is well under 1 MB
MAX_JSON_DEPTH = 200  # objects and lists inside each other (Keras configs nest about 12)

# User-set quantities.
MAX_SEED = 2**32 - 1  # numpy's seeds are 32-bit
MAX_TRANSPOSE = 48  # four octaves each way; a piano roll is at most 128 pitches
MAX_WINDOW_STEPS = 4096
MAX_UNITS = 16384
MAX_CLASSES = 1000  # label units an RBM joins to its visible layer
MAX_RENDER_SECONDS = 1800.0  # the default of ``--max-seconds`` when rendering a piece
MAX_PARAMETERS = 200_000_000  # 800 MB of float32 weights, before the optimiser's copies

_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the folder is on a read-only disk",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "input/output error (was the device removed?)",
    errno.ENODEV: "the device is gone",
    errno.ENOENT: "no such file or folder (was the device removed?)",
}


class TooLarge(LayerwiseError, ValueError):
    """A file or a request over one of Layerwise's bounds; the message names the bound (a
    ValueError too, so readers that treat unreadable JSON as such keep doing so)."""


def printable(text: object) -> str:
    """``text`` with control characters (terminal escapes among them) shown as ``\\xNN``."""
    return _UNSAFE_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def json_depth(text: str) -> int:
    """How deeply objects and lists nest in JSON ``text`` (text inside strings is ignored);
    linear in the text's length and without recursion."""
    brackets = _NOT_BRACKET.sub("", _STRINGS.sub("", text))
    depth = deepest = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads_json(text: str, where: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON ``text`` after checking its nesting. ValueError (json's, or a TooLarge for
    nesting) for text that is not JSON; ``where`` names the file in the message."""
    import json

    depth = json_depth(text)
    if depth > max_depth:
        raise TooLarge(
            f"{where}: nested {depth} levels deep; Layerwise reads at most {max_depth} "
            "(the file is damaged or not made by a model tool)"
        )
    try:
        return json.loads(text)
    except RecursionError:  # a nesting the scan above missed cannot take the stack down
        raise TooLarge(f"{where}: nested too deeply to read") from None


def read_bytes(path: str | os.PathLike[str], max_bytes: int, what: str) -> bytes:
    """The bytes of ``path`` if it holds at most ``max_bytes``; TooLarge before reading a
    bigger one. OSError for a file that cannot be read."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(f"{path}: {_size(size)} is more than a {what} may be ({_size(max_bytes)})")
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # the file grew while it was read
        raise TooLarge(f"{path}: more than a {what} may be ({_size(max_bytes)})")
    return data


def read_json_file(
    path: str | os.PathLike[str], max_bytes: int, what: str, max_depth: int = MAX_JSON_DEPTH
) -> Any:
    """Parsed JSON from a file, bounded in size and nesting. TooLarge over a bound; ValueError
    for text that is not UTF-8 JSON; OSError for a file that cannot be read."""
    data = read_bytes(path, max_bytes, what)
    return loads_json(data.decode("utf-8"), str(path), max_depth)


NPZ_ERRORS = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)
"""What numpy raises for an .npz file that is truncated, damaged or not one."""


def npz_reason(exc: BaseException) -> str:
    """Why an .npz could not be read, in one line that never advises allowing pickles."""
    text = " ".join(str(exc).split())
    if "pickle" in text:
        return "it holds Python objects (pickles), which Layerwise never loads"
    if isinstance(exc, zipfile.BadZipFile | EOFError):
        return "truncated or damaged archive"
    return printable(text[:120]) or type(exc).__name__


def load_npz(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Every array of an ``.npz`` file (pickles refused). ValueError with one line for a
    truncated, damaged or foreign file; OSError for one that cannot be read."""
    import numpy as np

    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("a bare array, not an .npz archive")
        with data:
            return {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, EOFError, KeyError, ValueError) as exc:
        raise ValueError(f"{path}: cannot be read ({npz_reason(exc)})") from None


def check_quantity(
    value: Any, name: str, low: float, high: float, whole: bool = False
) -> str | None:
    """A message when ``value`` is not a finite number in [low, high] (whole when asked)."""
    import math

    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{name} must be a number, not {printable(repr(value))[:40]}"
    if whole and not isinstance(value, int):
        return f"{name} must be a whole number, not {value!r}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{name} must be a finite number, not {value!r}"
    if not low <= value <= high:
        shown = f"{value:.4g}" if abs(value) < 1e15 else "a number far out of range"
        return f"{name} must be between {low:g} and {high:g}; got {shown}"
    return None


def _size(count: int) -> str:
    return f"{count / MiB:.1f} MiB" if count >= MiB else f"{count} bytes"


def guarded(call: Callable[[], Any], path: object, what: str) -> Any:
    """``call()`` with a full disk, a read-only folder or a vanished device turned into one
    line naming ``path``; other errors pass."""
    try:
        return call()
    except OSError as exc:
        raise LayerwiseError(disk_message(path, exc, what)) from None


def os_error_line(exc: OSError) -> str:
    """One line for an OSError nobody turned into words: the path (when known) and why."""
    path = exc.filename if exc.filename is not None else "a file"
    reason = _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return f"{printable(path)}: {reason}"


def disk_message(path: object, exc: OSError, what: str = "write") -> str:
    """One line for an OSError while writing ``path``."""
    reason = _REASONS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return f"{printable(path)}: cannot {what} ({reason}); nothing was changed there"
