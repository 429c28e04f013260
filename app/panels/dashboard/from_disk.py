"""A run from disk as the dashboard's :class:`ProgressModel`, with no Qt.

The run's files are turned back into the events its session yielded — a phase start and
epoch metrics per line of metrics.jsonl, the latest snapshot of each phase from snapshots/,
and the end (finished, stopped at the checkpoint, or failed) — and fed to a model, so a run
from disk is drawn by the same code as a live one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.panels.dashboard.blocks import pretrained_lr_scale, weight_blocks
from app.panels.dashboard.progress import ProgressModel, RunStatus
from core import fileio
from core.catalog.data import data_source
from core.errors import LayerwiseError
from core.project import project_from_json
from core.run_info import RECORD_FIELDS, NotARunError, RunState, read_run_info
from core.runs import RunFolder, SnapshotName, read_snapshot
from core.training.events import (
    EpochMetrics,
    Event,
    Failed,
    Finished,
    PhaseStarted,
    Snapshot,
    Stopped,
)
from core.training.snapshots import sample_kind

FINETUNE_LABEL = "finetune"  # a fine-tuning snapshot's name has this in place of a block
SNAPSHOT_FIELDS = ("filters", "inputs", "reconstructions", "hidden", "weights")


class _Clock:
    """The model's clock, set to the run's recorded times while it is fed."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def progress_from_run(run_dir: fileio.PathLike) -> ProgressModel:
    """The model of the run in ``run_dir``, as if its session had just been watched (its
    blocks those of the run's own project). NotARunError for a folder that holds no run."""
    run = RunFolder(run_dir)
    info = read_run_info(run.path)  # NotARunError
    project = _read(lambda: project_from_json(run.read_project_json()))
    clock = _Clock()
    model = ProgressModel(
        weight_blocks(project), pretrained_lr_scale=pretrained_lr_scale(project), clock=clock
    )
    model.begin()
    for event, at in run_events(run, info.state):
        ends = isinstance(event, Finished | Stopped | Failed)
        clock.now = info.duration if ends and info.duration is not None else at
        model.feed(event)
    clock.now = info.duration if info.duration is not None else clock.now
    model.worker_ended()  # a run still going elsewhere is shown as it stands
    if info.state is RunState.RUNNING and model.status is RunStatus.STOPPED:
        model.status = RunStatus.RUNNING
    return model


def run_events(run: RunFolder, state: RunState) -> Iterator[tuple[Event, float]]:
    """(event, wall time) in the order the session yielded them."""
    records = _read(run.read_metrics) or []
    snapshots = latest_snapshots(run)
    sample_kind = _sample_kind(run)
    by_phase: dict[int, list[dict[str, Any]]] = {}
    for record in records:
        by_phase.setdefault(_int(record.get("phase_index")), []).append(record)
    count = max(len(by_phase), 1)
    at = 0.0
    for index in sorted(by_phase):
        phase = by_phase[index]
        yield _phase_started(index, count, phase), at
        for record in phase:
            at = float(record.get("wall_time") or at)
            yield _epoch(index, record), at
        path = snapshots.get(index)
        if path is not None:
            snapshot = _snapshot(path, sample_kind)
            if snapshot is not None:
                yield snapshot, at
    end = _end(run, state, by_phase)
    if end is not None:
        yield end, at


def latest_snapshots(run: RunFolder) -> dict[int, Path]:
    """The last snapshot file of each phase (only those are drawn)."""
    latest: dict[int, tuple[int, Path]] = {}
    for path in run.snapshot_files():
        name = SnapshotName.parse(path.name)
        if name is not None and name.epoch >= latest.get(name.phase, (-1, path))[0]:
            latest[name.phase] = (name.epoch, path)
    return {phase: path for phase, (_, path) in latest.items()}


def _phase_started(index: int, count: int, records: list[dict[str, Any]]) -> PhaseStarted:
    first = records[0]
    epochs = max(_int(r.get("epoch")) for r in records) + 1
    steps = max(1, _int(first.get("step")) // max(1, _int(first.get("epoch")) + 1))
    block = first.get("block")
    kind = str(first.get("kind") or ("pretrain" if block else "finetune"))
    name = str(first.get("phase") or f"phase {index + 1}")
    return PhaseStarted(index, count, name, kind, block, "", epochs, steps)


def _epoch(index: int, record: dict[str, Any]) -> EpochMetrics:
    metrics = {
        k: float(v)
        for k, v in record.items()
        if k not in RECORD_FIELDS and isinstance(v, int | float) and not isinstance(v, bool)
    }
    return EpochMetrics(
        phase=index,
        block=record.get("block"),
        epoch=_int(record.get("epoch")),
        metrics=metrics,
        elapsed=float(record.get("wall_time") or 0.0),
        samples_per_second=float(record.get("samples_per_second") or 0.0),
    )


def _snapshot(path: Path, sample_kind: str) -> Snapshot | None:
    name = SnapshotName.parse(path.name)
    arrays = _read(lambda: read_snapshot(path))
    if name is None or arrays is None:
        return None
    block = None if name.label == FINETUNE_LABEL else name.label
    fields = {key: arrays.get(key) for key in SNAPSHOT_FIELDS}
    return Snapshot(
        name.phase, block, name.epoch - 1, **fields, path=str(path), sample_kind=sample_kind
    )


def _end(
    run: RunFolder, state: RunState, by_phase: dict[int, list[dict[str, Any]]]
) -> Event | None:
    last = max(by_phase, default=0)
    epoch = _int(by_phase[last][-1].get("epoch")) if by_phase else 0
    if state is RunState.FINISHED:
        return Finished(str(run.path), _read(run.read_summary) or {})
    if state is RunState.STOPPED:
        return Stopped(str(run.path), last, epoch, str(run.state))
    if state is RunState.FAILED:
        return Failed("the run ended without a summary or a checkpoint", last)
    return None


def _sample_kind(run: RunFolder) -> str:
    """ "pianoroll", "spectrogram" or "image": the summary's data kind, else the project's
    data source."""
    summary = _read(run.read_summary) or {}
    kind = (summary.get("data") or {}).get("kind")
    if kind:
        return sample_kind(str(kind))
    project = _read(run.read_project_json) or {}
    source = (project.get("data") or {}).get("source")
    try:
        declared = data_source(str(source))
    except (LayerwiseError, KeyError):
        return "image"
    return "pianoroll" if declared.music else "spectrogram" if declared.audio else "image"


def _read(read: Any) -> Any:
    try:
        return read()
    except (LayerwiseError, OSError, ValueError):
        return None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


__all__ = ["NotARunError", "latest_snapshots", "progress_from_run", "run_events"]
