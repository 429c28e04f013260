"""The run folder: every path of a training run, its versioned summary, snapshots, listing.

Layout (DESIGN.md, "Run folder")::

    RUN/model.keras          the final model
    RUN/pretrained.keras     after wake-sleep fine-tuning: the stack as greedy pretraining left it
    RUN/checkpoints/         state.json + weights-*.npz (the last good checkpoint; resume reads it)
    RUN/metrics.jsonl        one JSON object a line
    RUN/summary.json         phases, evaluation, speed, device, ... (``format``, ``version``)
    RUN/snapshots/           PP-<block or finetune>-eEEEE.npz, readable with allow_pickle=False
    RUN/project.json         the exact project
    RUN/evaluation.json      written by ``layerwise evaluate``
    RUN/active.json          while a session trains into the folder: its process and host
    RUN/tensorboard/         TensorBoard event files (``tensorboard --logdir RUN``)

Every file is written atomically through :mod:`core.fileio`. Reading a run folder never
imports Keras; saving the model takes the Keras model object it is given.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from platformdirs import user_data_dir

from core import fileio, limits, run_schemas
from core.errors import ModelFileError

MODEL = "model.keras"
PRETRAINED = "pretrained.keras"
CHECKPOINTS = "checkpoints"
STATE = "state.json"
METRICS = "metrics.jsonl"
SUMMARY = "summary.json"
SNAPSHOTS = "snapshots"
PROJECT = "project.json"
EVALUATION = "evaluation.json"
ACTIVE = "active.json"
TENSORBOARD = "tensorboard"

Arrays = np.ndarray[Any, Any]

SUMMARY_FORMAT = "layerwise-run"
SUMMARY_VERSION = 1


# ---- JSON of a run: no NaN, no numpy scalars ---------------------------------------------------


def _finite(value: Any) -> Any:
    """JSON has no NaN: write None for a value that is not finite."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def clean(obj: Any) -> Any:
    """``obj`` with string keys, lists for tuples, Python numbers for numpy ones and None for
    values that are not finite: what the run folder's JSON files hold."""
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, np.generic):
        return _finite(obj.item())
    return _finite(obj)


def write_json(path: fileio.PathLike, obj: Any) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fileio.write_json(path, clean(obj))


def read_json(path: fileio.PathLike) -> Any:
    """A run file's JSON, bounded in size and nesting (ValueError or OSError when it cannot
    be read; :class:`core.limits.TooLarge` is a ValueError's sibling, a LayerwiseError)."""
    return limits.read_json_file(path, limits.MAX_RUN_JSON_BYTES, "run file")


def write_npz(path: fileio.PathLike, arrays: dict[str, Any]) -> None:
    """Arrays (None values left out) as an uncompressed .npz."""

    present: dict[str, Any] = {k: np.asarray(v) for k, v in arrays.items() if v is not None}

    def write(temp: Path) -> None:
        with open(temp, "wb") as handle:
            np.savez(handle, **present)

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fileio.atomic_write(path, write)


# ---- summary.json: versioned, with migrations like the project file's -----------------------


def _migrate_0_to_1(doc: dict[str, Any]) -> dict[str, Any]:
    """Summaries written before the version field: same content, now labelled."""
    doc.setdefault("format", SUMMARY_FORMAT)
    doc["version"] = 1
    return doc


SUMMARY_MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _migrate_0_to_1}


def migrate_summary(doc: dict[str, Any], where: str = "summary.json") -> dict[str, Any]:
    """A copy of a summary brought to :data:`SUMMARY_VERSION` (no version field: version 0).
    ModelFileError for a version that is not a whole number or is newer than this Layerwise."""
    version = doc.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ModelFileError(f"{where}: version: expected a whole number, found {version!r}")
    if version > SUMMARY_VERSION:
        raise ModelFileError(
            f"{where}: written by a newer Layerwise (summary version {version}; this one "
            f"reads up to {SUMMARY_VERSION}); update Layerwise to read it"
        )
    doc = copy.deepcopy(doc)
    doc.setdefault("version", 0)
    while doc["version"] < SUMMARY_VERSION:
        doc = SUMMARY_MIGRATIONS[doc["version"]](doc)
    return doc


def versioned_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """``summary`` as it is written: format and version first, then the session's fields."""
    return {"format": SUMMARY_FORMAT, "version": SUMMARY_VERSION, **summary}


# ---- snapshots --------------------------------------------------------------------------------

_SNAPSHOT_NAME = re.compile(r"^(\d+)-(.+)-e(\d+)\.npz$")


@dataclass(frozen=True)
class SnapshotName:
    """What a snapshot's file name says: phase index, block (or "finetune"), epoch (from 1)."""

    phase: int
    label: str
    epoch: int

    @property
    def file_name(self) -> str:
        return f"{self.phase:02d}-{self.label}-e{self.epoch:04d}.npz"

    @classmethod
    def parse(cls, name: str) -> SnapshotName | None:
        """The parts of a snapshot file name, or None for a name the session does not write."""
        match = _SNAPSHOT_NAME.search(os.path.basename(name))
        if match is None:
            return None
        return cls(int(match.group(1)), match.group(2), int(match.group(3)))

    def describe(self) -> str:
        return f"phase {self.phase + 1} · {self.label} · epoch {self.epoch}"


def read_snapshot(path: fileio.PathLike) -> dict[str, Arrays]:
    """The arrays of one snapshot file (filters, inputs, reconstructions, hidden, weights;
    whichever it holds). OSError / ValueError for a file that cannot be read."""
    return limits.load_npz(path)


# ---- the folder -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFolder:
    """One run folder: its paths, and reading and writing its files."""

    path: Path

    def __init__(self, path: fileio.PathLike) -> None:
        object.__setattr__(self, "path", Path(path))

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __str__(self) -> str:
        return str(self.path)

    # paths
    @property
    def model(self) -> Path:
        return self.path / MODEL

    @property
    def pretrained_model(self) -> Path:
        return self.path / PRETRAINED

    @property
    def checkpoints(self) -> Path:
        return self.path / CHECKPOINTS

    @property
    def state(self) -> Path:
        return self.checkpoints / STATE

    @property
    def metrics(self) -> Path:
        return self.path / METRICS

    @property
    def summary(self) -> Path:
        return self.path / SUMMARY

    @property
    def snapshots(self) -> Path:
        return self.path / SNAPSHOTS

    @property
    def project(self) -> Path:
        return self.path / PROJECT

    @property
    def evaluation(self) -> Path:
        return self.path / EVALUATION

    @property
    def active(self) -> Path:
        return self.path / ACTIVE

    @property
    def tensorboard(self) -> Path:
        return self.path / TENSORBOARD

    def snapshot_path(self, phase: int, label: str, epoch: int) -> Path:
        """Where the snapshot of phase ``phase`` (from 0) after epoch ``epoch`` (from 1) goes."""
        return self.snapshots / SnapshotName(phase, label, epoch).file_name

    # what the folder holds
    def is_run(self) -> bool:
        """A folder a session has written into (its project.json or a finished model)."""
        return self.path.is_dir() and (self.project.is_file() or self.model.is_file())

    def has_model(self) -> bool:
        return self.model.is_file()

    def snapshot_files(self) -> list[Path]:
        """The snapshot files, in name order (phase, then block, then epoch)."""
        if not self.snapshots.is_dir():
            return []
        return sorted(self.snapshots.glob("*.npz"))

    def last_snapshot(self) -> Path | None:
        """The snapshot written last (by time, then name)."""
        files = self.snapshot_files()
        if not files:
            return None
        return max(files, key=lambda p: (p.stat().st_mtime, p.name))

    # reading
    def read_summary(self) -> dict[str, Any] | None:
        """The summary brought to the current version; None when there is none (an unfinished
        run, or JSON that is not an object). ModelFileError when it is not valid JSON."""
        doc = self._read_object(self.summary)
        if doc is None:
            return None
        return run_schemas.check(
            migrate_summary(doc, str(self.summary)), run_schemas.SUMMARY_SCHEMA, str(self.summary)
        )

    def read_project_json(self) -> dict[str, Any] | None:
        """The project.json as parsed JSON (not checked: core.project does that); None when
        there is none. ModelFileError when it is not valid JSON."""
        doc = self._read_object(self.project)
        if doc is None:
            return None
        return run_schemas.check(doc, run_schemas.PROJECT_SCHEMA, str(self.project))

    def read_evaluation(self) -> dict[str, Any] | None:
        """What ``layerwise evaluate`` wrote (see core.evaluate); None when it has not run.
        ModelFileError when it is not valid JSON."""
        return self._read_object(self.evaluation)

    def read_metrics(self) -> list[dict[str, Any]]:
        """The metrics records; a line cut short by a crash is left out."""
        return read_metrics_lines(self.metrics)[0]

    @staticmethod
    def _read_object(path: Path) -> dict[str, Any] | None:
        if not path.is_file():
            return None
        try:
            doc = read_json(path)
        except limits.TooLarge as exc:
            raise ModelFileError(str(exc)) from None
        except (OSError, ValueError):
            raise ModelFileError(f"{path}: not valid JSON (truncated?)") from None
        return doc if isinstance(doc, dict) else None

    # writing
    def prepare(self, project_json: dict[str, Any], *, resume: bool) -> None:
        """Make the folder ready for a session: a fresh start clears an earlier run's results;
        then checkpoints/ and snapshots/ exist and project.json holds ``project_json``."""
        self.path.mkdir(parents=True, exist_ok=True)
        if not resume:
            for path in (self.metrics, self.summary, self.model):
                path.unlink(missing_ok=True)
            for folder in (self.checkpoints, self.snapshots, self.tensorboard):
                if folder.is_dir():
                    shutil.rmtree(folder)
        self.checkpoints.mkdir(exist_ok=True)
        self.snapshots.mkdir(exist_ok=True)
        write_json(self.project, project_json)

    def mark_active(self) -> None:
        """Say that a session of this process trains into the folder (until clear_active)."""
        write_json(self.active, {"pid": os.getpid(), "host": socket.gethostname()})

    def clear_active(self) -> None:
        self.active.unlink(missing_ok=True)

    def active_session(self) -> dict[str, Any] | None:
        """The marker a training session leaves while it runs (None: no session said so)."""
        try:
            return self._read_object(self.active)
        except ModelFileError:
            return None

    def append_metrics(self, record: dict[str, Any]) -> None:
        with open(self.metrics, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(clean(record)) + "\n")
            handle.flush()

    def drop_metrics_from(self, phase: int, epoch: int) -> None:
        """Keep only the metrics lines of epochs before ``epoch`` of phase ``phase`` (index
        from 0): a session resumed from a checkpoint older than its last epochs trains those
        again, and writes their lines again. A line cut short by a crash goes too."""
        if not self.metrics.is_file():
            return
        kept = [
            record
            for record in self.read_metrics()
            if (record.get("phase_index", -1), record.get("epoch", -1)) < (phase, epoch)
        ]
        text = "".join(json.dumps(record) + "\n" for record in kept)
        fileio.write_text(self.metrics, text)

    def write_summary(self, summary: dict[str, Any]) -> dict[str, Any]:
        """Write the summary with its format and version; return what was written."""
        doc: dict[str, Any] = clean(versioned_summary(summary))
        fileio.write_json(self.summary, doc)
        return doc

    def write_evaluation(self, evaluation: dict[str, Any]) -> dict[str, Any]:
        """Write evaluation.json (non-finite numbers become null); return what was written."""
        doc: dict[str, Any] = clean(evaluation)
        fileio.write_json(self.evaluation, doc)
        return doc

    def write_snapshot(self, phase: int, label: str, epoch: int, arrays: dict[str, Any]) -> Path:
        path = self.snapshot_path(phase, label, epoch)
        write_npz(path, arrays)
        return path

    def save_model(self, model: Any, name: str = MODEL) -> None:
        """Save a Keras model as model.keras, or as ``name`` beside it (atomically)."""
        fileio.atomic_write(self.path / name, lambda temp: model.save(temp))

    # checkpoints
    def write_checkpoint(
        self, state: dict[str, Any], model_weights: list[Arrays], trainer_state: list[Arrays]
    ) -> str:
        """Weights go to a fresh weights-*.npz first, then state.json names it (the commit
        point), then the old weights file goes: a crash at any moment leaves a state.json
        that names weights that exist. Returns the path of state.json."""
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        arrays = {f"m{i:04d}": w for i, w in enumerate(model_weights)}
        arrays.update({f"t{i:04d}": w for i, w in enumerate(trainer_state)})
        tag = f"p{state['phase']:02d}-e{state['epoch']:05d}-s{state['step']:06d}"
        weights_name = f"weights-{tag}.npz"
        write_npz(self.checkpoints / weights_name, arrays)
        state = dict(
            state,
            weights=weights_name,
            model_count=len(model_weights),
            trainer_count=len(trainer_state),
        )
        old = None
        if self.state.exists():
            try:
                old = read_json(self.state).get("weights")
            except (OSError, ValueError):
                old = None
        write_json(self.state, state)
        if old and old != weights_name:
            (self.checkpoints / old).unlink(missing_ok=True)
        return str(self.state)

    def read_checkpoint(self) -> tuple[dict[str, Any], list[Arrays], list[Arrays]] | None:
        """(state, model weights, trainer state), or None when there is no checkpoint."""
        if not self.state.exists():
            return None
        try:
            state = read_json(self.state)
        except limits.TooLarge as exc:
            raise ModelFileError(str(exc)) from None
        except ValueError:
            raise ModelFileError(f"{self.state}: not valid JSON (truncated?)") from None
        run_schemas.check(state, run_schemas.STATE_SCHEMA, str(self.state))
        weights = self.checkpoints / state["weights"]
        try:
            data = limits.load_npz(weights)
        except ValueError as exc:
            raise ModelFileError(str(exc)) from None
        try:
            model = [data[f"m{i:04d}"] for i in range(state["model_count"])]
            trainer = [data[f"t{i:04d}"] for i in range(state["trainer_count"])]
        except KeyError as exc:
            raise ModelFileError(
                f"{weights}: the array {exc} named by state.json is missing"
            ) from None
        return state, model, trainer


def read_metrics_lines(path: fileio.PathLike) -> tuple[list[dict[str, Any]], int]:
    """(records, number of unreadable lines) of a metrics.jsonl; ([], 0) when it is missing."""
    path = Path(path)
    records: list[dict[str, Any]] = []
    bad = 0
    if not path.is_file():
        return records, bad
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = limits.loads_json(line, str(path))
        except ValueError:
            bad += 1  # a line cut short by a crash
            continue
        if isinstance(record, dict):
            records.append(record)
        else:
            bad += 1
    return records, bad


# ---- where runs live ----------------------------------------------------------------------------


def runs_root() -> Path:
    """The user's run folders: <user data folder>/layerwise/runs."""
    return Path(user_data_dir("layerwise")) / "runs"


def run_slug(project_name: str) -> str:
    """A project name as a folder name: letters, digits, ``._-``, lower case."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", project_name or "untitled").strip("-").lower()
    return slug or "untitled"


def new_run(project_name: str, suffix: str = "", root: fileio.PathLike | None = None) -> RunFolder:
    """A fresh, empty folder ``<root>/<project-name>-<timestamp><suffix>`` (a number added when
    the name is taken); ``root`` defaults to :func:`runs_root`."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(root) if root is not None else runs_root()
    base.mkdir(parents=True, exist_ok=True)
    name = f"{run_slug(project_name)}-{stamp}{suffix}"
    path, n = base / name, 1
    while True:
        try:
            path.mkdir()
        except FileExistsError:
            n += 1
            path = base / f"{name}-{n}"
            continue
        return RunFolder(path)


def list_runs(root: fileio.PathLike | None = None) -> list[RunFolder]:
    """The run folders directly under ``root`` (default :func:`runs_root`), newest first."""
    base = Path(root) if root is not None else runs_root()
    if not base.is_dir():
        return []
    runs = [RunFolder(p) for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")]
    runs = [run for run in runs if run.is_run()]
    return sorted(runs, key=lambda r: (-r.path.stat().st_mtime, r.path.name))


def iter_snapshots(run: RunFolder) -> Iterator[tuple[Path, SnapshotName | None]]:
    """Each snapshot file with what its name says (None for a foreign name), in name order."""
    for path in run.snapshot_files():
        yield path, SnapshotName.parse(path.name)
