"""The project file: load, save (atomic), check the JSON's shape, migrate old versions.

A project holds the network, the data source and representation, the training plan and the
generation settings. Reading one never imports Keras. Structural problems (not JSON, wrong
format, a field of the wrong kind) raise :class:`ProjectError` naming the field; problems of
meaning (an unknown block type, a parameter out of range, a cycle) are left to
``core.validate`` so the app can still open the project and mark the offending block.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import fileio, limits
from core.catalog.data import default_data
from core.errors import ProjectError
from core.spec import Block, NetworkSpec, Wire, valid_id

FORMAT = "layerwise-project"
VERSION = 2

JSONObject = dict[str, Any]
"""A JSON object as parsed: the project file and each of its sections."""


def _migrate_1_to_2(doc: JSONObject) -> JSONObject:
    """Version 1 kept the pretraining switch per block only; version 2 adds a global switch
    (``training.pretraining.enabled``) so one project can be trained with and without it."""
    training = doc.setdefault("training", {})
    pre = training.get("pretraining")
    if isinstance(pre, dict) and "blocks" not in pre:
        training["pretraining"] = {"enabled": True, "blocks": pre}
    doc["version"] = 2
    return doc


MIGRATIONS: dict[int, Callable[[JSONObject], JSONObject]] = {1: _migrate_1_to_2}

DEFAULT_DATA = default_data()  # declared with the data sources in the catalog

DEFAULT_GENERATION = {
    "method": "auto",
    "bars": 4,
    "temperature": 1.0,
    "threshold": 0.5,
    "program": 0,
    "tempo": 100,
    "seed": 0,
}


def default_training() -> JSONObject:
    from core.catalog import finetune_defaults

    return {
        "seed": 0,
        "pretraining": {"enabled": True, "blocks": {}},
        "finetune": finetune_defaults(),
        "snapshots": {"every_epochs": 1, "examples": 6},
    }


@dataclass
class Project:
    network: NetworkSpec = field(default_factory=NetworkSpec)
    name: str = "Untitled"
    description: str = ""
    data: JSONObject = field(default_factory=lambda: copy.deepcopy(DEFAULT_DATA))
    training: JSONObject = field(default_factory=default_training)
    generation: JSONObject = field(default_factory=lambda: dict(DEFAULT_GENERATION))
    path: Path | None = None

    def to_json(self) -> JSONObject:
        return {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "description": self.description,
            "network": self.network.to_json(),
            "data": copy.deepcopy(self.data),
            "training": copy.deepcopy(self.training),
            "generation": dict(self.generation),
        }

    def pretrain_settings(self, block_id: str) -> JSONObject:
        """The block's pretraining settings with defaults filled in."""
        from core.catalog import get, pretrain_defaults

        block_type = self.network.block(block_id).type
        kind = get(block_type).pretrain
        if kind is None:
            raise ValueError(f"block {block_id!r} ({block_type}) is not pretrained")
        settings = pretrain_defaults(kind)
        settings.update(self.training.get("pretraining", {}).get("blocks", {}).get(block_id, {}))
        return settings

    def finetune_settings(self) -> JSONObject:
        from core.catalog import finetune_defaults

        settings = finetune_defaults()
        settings.update(self.training.get("finetune", {}))
        return settings

    def copy(self) -> Project:
        return project_from_json(self.to_json(), self.path)


# ---- reading -------------------------------------------------------------------------------


def _expect(value: Any, kinds: type | tuple[type, ...], where: str, what: str) -> Any:
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in _tuple(kinds)):
        raise ProjectError(f"{where}: expected {what}, found {_kind(value)}")
    return value


def _tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _kind(value: object) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        type(None): "null",
    }.get(type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def _shown(value: object, limit: int = 40) -> str:
    """A value for a message: its repr, escaped and cut short."""
    text = limits.printable(repr(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _read_block(raw: Any, where: str) -> Block:
    _expect(raw, dict, where, "an object")
    for key in ("id", "type"):
        if key not in raw:
            raise ProjectError(f"{where}: missing field '{key}'")
    block_id = _expect(raw["id"], str, f"{where}.id", "text")
    if not valid_id(block_id):
        raise ProjectError(
            f"{where}.id: {_shown(block_id)} is not a valid block id (a letter, then letters, "
            "digits or _ ; at most 64)"
        )
    type_name = _expect(raw["type"], str, f"{where}.type", "text")
    params = _expect(raw.get("params", {}), dict, f"{where}.params", "an object")
    pos = raw.get("position", [0, 0])
    if (
        not isinstance(pos, list)
        or len(pos) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos)
    ):
        raise ProjectError(f"{where}.position: expected [x, y], found {_shown(pos)}")
    return Block(block_id, type_name, dict(params), (float(pos[0]), float(pos[1])))


def _read_wire(raw: Any, where: str) -> Wire:
    _expect(raw, dict, where, "an object")
    for key in ("from", "to"):
        if key not in raw:
            raise ProjectError(f"{where}: missing field '{key}'")
    source = _expect(raw["from"], str, f"{where}.from", "a block id")
    target = _expect(raw["to"], str, f"{where}.to", "a block id")
    port = _expect(raw.get("port", 0), int, f"{where}.port", "a whole number")
    if port < 0:
        raise ProjectError(f"{where}.port: must not be negative")
    return Wire(source, target, port)


def _merged(defaults: JSONObject, given: Any, where: str) -> JSONObject:
    given = _expect(given if given is not None else {}, dict, where, "an object")
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        if isinstance(merged.get(key), dict) and value is not None:
            merged[key] = _merged(merged[key], value, f"{where}.{key}")
        else:
            merged[key] = value
    return merged


def project_from_json(doc: Any, path: Path | None = None) -> Project:
    """Build a Project from parsed JSON, migrating old versions; ProjectError names the field."""
    _expect(doc, dict, "project", "an object at the top level")
    if doc.get("format") != FORMAT:
        raise ProjectError(
            f"format: expected {FORMAT!r}, found {_shown(doc.get('format'))} (not a Layerwise "
            "project)"
        )
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ProjectError(f"version: expected a whole number ≥ 1, found {_shown(version)}")
    if version > VERSION:
        raise ProjectError(
            f"version: this project was saved by a newer Layerwise (format version {version}; "
            f"this one reads up to {VERSION}); update Layerwise to open it"
        )
    doc = copy.deepcopy(doc)
    while doc["version"] < VERSION:
        doc = MIGRATIONS[doc["version"]](doc)

    if "network" not in doc:
        raise ProjectError("network: missing field")
    network = _expect(doc["network"], dict, "network", "an object")
    raw_blocks = _expect(network.get("blocks", []), list, "network.blocks", "a list")
    raw_wires = _expect(network.get("wires", []), list, "network.wires", "a list")
    blocks = [_read_block(b, f"network.blocks[{i}]") for i, b in enumerate(raw_blocks)]
    seen = set()
    for i, block in enumerate(blocks):
        if block.id in seen:
            raise ProjectError(f"network.blocks[{i}].id: the id {_shown(block.id)} is used twice")
        seen.add(block.id)
    wires = [_read_wire(w, f"network.wires[{i}]") for i, w in enumerate(raw_wires)]

    training = _merged(default_training(), doc.get("training"), "training")
    _expect(training["seed"], int, "training.seed", "a whole number")
    _expect(training["pretraining"]["enabled"], bool, "training.pretraining.enabled", "true/false")
    for block_id, settings in training["pretraining"]["blocks"].items():
        _expect(settings, dict, f"training.pretraining.blocks.{block_id}", "an object")

    return Project(
        network=NetworkSpec(blocks, wires),
        name=_expect(doc.get("name", "Untitled"), str, "name", "text"),
        description=_expect(doc.get("description", ""), str, "description", "text"),
        data=_merged(DEFAULT_DATA, doc.get("data"), "data"),
        training=training,
        generation=_merged(DEFAULT_GENERATION, doc.get("generation"), "generation"),
        path=path,
    )


def loads(text: str, path: Path | None = None) -> Project:
    try:
        doc = limits.loads_json(text, "project")
    except limits.TooLarge as exc:
        raise ProjectError(str(exc).removeprefix("project: ")) from None
    except json.JSONDecodeError as exc:
        raise ProjectError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); the file may "
            "be truncated or not a project"
        ) from None
    return project_from_json(doc, path)


def load(path: str | os.PathLike[str]) -> Project:
    path = Path(path)
    try:
        raw = limits.read_bytes(path, limits.MAX_PROJECT_BYTES, "project file")
    except limits.TooLarge as exc:
        raise ProjectError(str(exc)) from None
    except FileNotFoundError:
        raise ProjectError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ProjectError(f"{path}: is a folder, not a project file") from None
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProjectError(f"{path}: not a text file, so not a project") from None
    try:
        return loads(text, path)
    except ProjectError as exc:
        raise ProjectError(f"{path}: {exc}") from None


def dumps(project: Project) -> str:
    return json.dumps(project.to_json(), indent=2) + "\n"


# The window's autosave writes project text under this name.
atomic_write_text = fileio.write_text


def save(project: Project, path: str | os.PathLike[str] | None = None) -> Path:
    target = path or project.path
    if target is None:
        raise ProjectError("the project has no file yet: give a path to save it to")
    path = Path(target)
    try:
        fileio.write_text(path, dumps(project))
    except OSError as exc:
        raise ProjectError(limits.disk_message(path, exc, "save the project")) from None
    project.path = path
    return path
