"""Reading the project's "data" section: defaults filled in, every field checked by name."""

from __future__ import annotations

from core.errors import DataError

SOURCES = ("bach-chorales", "folk-tunes", "maple-leaf-rag", "digits", "midi-folder", "npz")

DEFAULT_REPRESENTATION = {
    "steps_per_quarter": 4,
    "lowest_pitch": 36,
    "pitch_count": 48,
    "window_steps": 16,
    "hop_steps": 4,
    "transpose": [0, 0],
    "velocity": False,
}
DEFAULT_SPLIT = {"validation": 0.1, "test": 0.1, "seed": 0}


def _int(section: str, key: str, value, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(f"data.{section}.{key} must be a whole number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        top = "" if maximum is None else f" and at most {maximum}"
        raise DataError(f"data.{section}.{key} must be at least {minimum}{top}, got {value}")
    return value


def _fraction(key: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise DataError(f"data.split.{key} must be a fraction from 0 to below 1, got {value!r}")
    return float(value)


def representation_of(data: dict) -> dict:
    """The representation with defaults filled in and each field validated."""
    given = data.get("representation") or {}
    if not isinstance(given, dict):
        raise DataError("data.representation must be an object")
    unknown = set(given) - set(DEFAULT_REPRESENTATION)
    if unknown:
        raise DataError(f"data.representation has unknown field {sorted(unknown)[0]!r}")
    rep = {**DEFAULT_REPRESENTATION, **given}
    rep["steps_per_quarter"] = _int(
        "representation", "steps_per_quarter", rep["steps_per_quarter"], 1, 96
    )
    rep["lowest_pitch"] = _int("representation", "lowest_pitch", rep["lowest_pitch"], 0, 127)
    rep["pitch_count"] = _int("representation", "pitch_count", rep["pitch_count"], 1, 128)
    if rep["lowest_pitch"] + rep["pitch_count"] > 128:
        raise DataError(
            "data.representation: lowest_pitch + pitch_count must not pass 128 (MIDI's top pitch is 127)"
        )
    rep["window_steps"] = _int("representation", "window_steps", rep["window_steps"], 1)
    rep["hop_steps"] = _int("representation", "hop_steps", rep["hop_steps"], 1)
    t = rep["transpose"]
    if (
        not isinstance(t, (list, tuple))
        or len(t) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) for v in t)
        or t[0] > t[1]
    ):
        raise DataError(f"data.representation.transpose must be [low, high] semitones, got {t!r}")
    rep["transpose"] = [int(t[0]), int(t[1])]
    if not isinstance(rep["velocity"], bool):
        raise DataError("data.representation.velocity must be true or false")
    return rep


def split_of(data: dict) -> dict:
    given = data.get("split") or {}
    if not isinstance(given, dict):
        raise DataError("data.split must be an object")
    split = {**DEFAULT_SPLIT, **given}
    split["validation"] = _fraction("validation", split["validation"])
    split["test"] = _fraction("test", split["test"])
    if split["validation"] + split["test"] >= 1:
        raise DataError("data.split: validation + test must leave something to train on")
    split["seed"] = _int("split", "seed", split["seed"], 0)
    return split


def source_of(data: dict) -> str:
    if not isinstance(data, dict):
        raise DataError("the data section must be an object")
    source = data.get("source")
    if source not in SOURCES:
        raise DataError(f"data.source must be one of {', '.join(SOURCES)}; got {source!r}")
    return source


def limit_of(data: dict) -> int | None:
    limit = data.get("limit")
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise DataError(f"data.limit must be a positive whole number or null, got {limit!r}")
    return limit
