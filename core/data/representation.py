"""Reading the project's "data" section for the loader: the catalog's checks, then the
values with their declared defaults filled in."""

from __future__ import annotations

from typing import Any

from core.catalog.data import (
    REPRESENTATION_PARAMS,
    SPLIT_PARAMS,
    data_problems,
    representation_problems,
    split_problems,
)
from core.catalog.types import defaults_of
from core.errors import DataError

DEFAULT_REPRESENTATION = defaults_of(REPRESENTATION_PARAMS)
DEFAULT_SPLIT = defaults_of(SPLIT_PARAMS)


def check_data(data: Any) -> None:
    """Raise DataError naming the field of the first problem of a "data" section."""
    _raise_first(data_problems(data))


def representation_of(data: dict) -> dict:
    """The representation with defaults filled in and each field validated."""
    given = data.get("representation") or {}
    _raise_first(representation_problems(given))
    rep = {**defaults_of(REPRESENTATION_PARAMS), **given}
    rep["transpose"] = [int(t) for t in rep["transpose"]]
    return rep


def split_of(data: dict) -> dict:
    given = data.get("split") or {}
    _raise_first(split_problems(given))
    split = {**defaults_of(SPLIT_PARAMS), **given}
    return {**split, "validation": float(split["validation"]), "test": float(split["test"])}


def _raise_first(problems: list[str]) -> None:
    if problems:
        raise DataError(problems[0])
