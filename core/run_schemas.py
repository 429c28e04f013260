"""The shapes of a run folder's JSON files, checked when they are read.

A run folder may come from anywhere (a copied folder, a crash, a hand edit), so each field a
reader relies on is checked for its kind before anyone uses it: a wrong type becomes one
line naming the file and the field, not a traceback deep in generation or the report.
Fields not listed here are left alone (later versions may add fields).
"""

from __future__ import annotations

import math
import re
from typing import Any

from core.errors import ModelFileError

_WEIGHTS_NAME = re.compile(r"^weights-[A-Za-z0-9_.-]{1,100}\.npz$")
_COUNT_LIMIT = 1_000_000  # arrays in one checkpoint


def _whole(low: int = 0) -> Any:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "a whole number"
        return None if low <= value <= _COUNT_LIMIT * 1000 else f"a whole number ≥ {low}"

    return check


def _number(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "a finite number"
    return None


def _kind(kinds: type | tuple[type, ...], what: str) -> Any:
    def check(value: Any) -> str | None:
        return None if isinstance(value, kinds) and not isinstance(value, bool) else what

    return check


def _shape(value: Any) -> str | None:
    if not isinstance(value, list) or not all(
        v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 2**31)
        for v in value
    ):
        return "a list of positive whole numbers"
    return None


def _weights_name(value: Any) -> str | None:
    if isinstance(value, str) and _WEIGHTS_NAME.match(value):
        return None
    return "a weights file name inside checkpoints/ (weights-….npz)"


_text = _kind(str, "text")
_object = _kind(dict, "an object")
_list = _kind(list, "a list")


def _settings(value: Any) -> str | None:
    """An object whose numbers are all finite (a NaN tempo is no tempo)."""
    if not isinstance(value, dict):
        return "an object"
    for key, item in value.items():
        if isinstance(item, float) and not math.isfinite(item):
            return f"an object of finite numbers ('{key}' is {item})"
    return None


PROJECT_SCHEMA = {
    "name": (_text, False),
    "network": (_object, False),
    "data": (_settings, False),
    "training": (_object, False),
    "generation": (_settings, False),
}

STATE_SCHEMA = {
    "phase": (_whole(), True),
    "epoch": (_whole(), True),
    "step": (_whole(), True),
    "weights": (_weights_name, True),
    "model_count": (_whole(), True),
    "trainer_count": (_whole(), True),
    "phases": (_list, False),
    "train_time": (_number, False),
    "samples": (_whole(), False),
    "elapsed": (_number, False),
    "epochs_scale": (_number, False),
}

SUMMARY_SCHEMA = {
    "format": (_text, False),
    "project": (_text, False),
    "objective": (_text, False),
    "output_block": (_text, False),
    "sample_shape": (_shape, False),
    "input_shape": (_shape, False),
    "data": (_settings, False),
    "phases": (_list, False),
    "evaluation": (_object, False),
    "device": (_text, False),
    "wall_seconds": (_number, False),
    "train_time": (_number, False),
    "samples": (_whole(), False),
    "elapsed": (_number, False),
}


def check(doc: Any, schema: dict[str, Any], where: str) -> dict[str, Any]:
    """``doc`` itself when it is an object whose fields fit ``schema``; ModelFileError naming
    ``where`` and the first field that does not."""
    if not isinstance(doc, dict):
        raise ModelFileError(f"{where}: expected a JSON object, found {type(doc).__name__}")
    for name, (rule, required) in schema.items():
        if name not in doc or (doc[name] is None and not required):
            if required:
                raise ModelFileError(f"{where}: the field '{name}' is missing")
            continue
        expected = rule(doc[name])
        if expected is not None:
            raise ModelFileError(f"{where}: '{name}' must be {expected}")
    return doc
