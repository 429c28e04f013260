"""What a run folder says about its run, read from its files alone (no Keras, no Qt).

The runs browser, comparisons and ``open`` read a :class:`RunInfo`: name, start date,
status, phases, the key metric, device and duration. A run's status comes from what the
session leaves behind: a finished run has its summary; a session that trains marks the
folder (``active.json``: its process and host) until it ends, so a marked folder whose
process lives is running (on another host: one written to within :data:`ACTIVE_WITHIN_S`);
a run that stopped kept a checkpoint to resume from; anything else ended without a summary
or a checkpoint, which only a failure (or a killed process) does.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from core import fileio
from core.errors import LayerwiseError
from core.runs import RunFolder, read_json

ACTIVE_WITHIN_S = 90.0  # a session writes metrics each epoch; quieter than this, it has ended
# The metric that says most about a run, in order of preference (validation first).
KEY_METRICS = (
    "accuracy",
    "val_accuracy",
    "frame_accuracy",
    "nll_per_step",
    "reconstruction_error",
    "val_reconstruction_error",
    "val_loss",
    "loss",
)
EVALUATION_FIELDS = frozenset({"version"})
RECORD_FIELDS = frozenset(
    {"phase", "phase_index", "kind", "block", "epoch", "step", "samples_per_second", "wall_time"}
)


class RunState(str, Enum):
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"


class NotARunError(LayerwiseError):
    """A folder that holds no run (no project.json and no model.keras)."""


@dataclass(frozen=True)
class RunInfo:
    """One run as a row of the runs browser shows it."""

    path: Path
    project: str  # the project's name, from project.json or the summary
    started: float  # seconds since the epoch
    state: RunState
    phases: tuple[str, ...]
    key_metric: tuple[str, float] | None
    device: str | None
    duration: float | None  # seconds trained
    metrics: dict[str, float] = field(default_factory=dict)  # final, summary and evaluation

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def resumable(self) -> bool:
        return self.state is RunState.STOPPED

    def describe_metric(self) -> str:
        if self.key_metric is None:
            return "—"
        name, value = self.key_metric
        return f"{name} {value:.4g}"


def read_run_info(path: fileio.PathLike, now: float | None = None) -> RunInfo:
    """The run in ``path``. NotARunError for a folder that holds no run; a damaged file
    inside a run leaves its part out."""
    run = RunFolder(path)
    if not run.is_run():
        raise NotARunError(f"{path} is not a run folder (it has no project.json or model.keras)")
    summary = _quietly(run.read_summary) or {}
    records = _quietly(run.read_metrics) or []
    state = _checkpoint_state(run)
    evaluation = _evaluation(run)
    metrics = {**_last_metrics(records), **_numbers(summary.get("evaluation")), **evaluation}
    return RunInfo(
        path=run.path,
        project=_project_name(run, summary),
        started=_started(run),
        state=run_state(run, summary, now),
        phases=_phase_names(summary, records),
        key_metric=key_metric(metrics),
        device=summary.get("device") or None,
        duration=_duration(summary, state, records),
        metrics=metrics,
    )


def run_state(run: RunFolder, summary: dict[str, Any], now: float | None = None) -> RunState:
    if summary:
        return RunState.FINISHED
    marker = run.active_session()
    if marker is not None and session_alive(marker, run, now):
        return RunState.RUNNING
    return RunState.STOPPED if run.state.is_file() else RunState.FAILED


def session_alive(marker: dict[str, Any], run: RunFolder, now: float | None = None) -> bool:
    """Whether the session that marked the folder still trains: on this host, whether its
    process lives; on another (a shared folder), whether it wrote lately."""
    if marker.get("host") != socket.gethostname():
        now = time.time() if now is None else now
        return now - last_written(run) < ACTIVE_WITHIN_S
    pid = marker.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # killed: its marker stayed behind
    except PermissionError:
        return True  # alive, another user's
    return True


def last_written(run: RunFolder) -> float:
    """When the session last wrote into the run (metrics, checkpoint or snapshot)."""
    times = [p.stat().st_mtime for p in (run.metrics, run.state, run.project) if p.is_file()]
    last = run.last_snapshot()
    if last is not None:
        times.append(last.stat().st_mtime)
    return max(times, default=0.0)


def key_metric(metrics: dict[str, float]) -> tuple[str, float] | None:
    return next(((n, metrics[n]) for n in KEY_METRICS if n in metrics), None)


def _quietly(read: Any) -> Any:
    try:
        return read()
    except (LayerwiseError, OSError, ValueError):
        return None


def _numbers(doc: Any) -> dict[str, float]:
    if not isinstance(doc, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in doc.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def _evaluation(run: RunFolder) -> dict[str, float]:
    """evaluation.json's figures (``layerwise evaluate``), flat: its top-level numbers, and
    for a figure measured per split (``{"train": …, "test": …}``) the evaluated split's."""
    doc = _quietly(run.read_evaluation)
    if not isinstance(doc, dict):
        return {}
    split = str(doc.get("split", "test"))
    figures = {k: v for k, v in _numbers(doc).items() if k not in EVALUATION_FIELDS}
    for name, value in doc.items():
        if isinstance(value, dict) and name not in figures:
            per_split = _numbers(value)
            if split in per_split:
                figures[name] = per_split[split]
    return figures


def _checkpoint_state(run: RunFolder) -> dict[str, Any]:
    doc = _quietly(lambda: read_json(run.state)) if run.state.is_file() else None
    return doc if isinstance(doc, dict) else {}


def _last_metrics(records: list[dict[str, Any]]) -> dict[str, float]:
    """The last epoch's metrics of the last phase."""
    if not records:
        return {}
    last = records[-1]
    return {k: v for k, v in _numbers(last).items() if k not in RECORD_FIELDS}


def _project_name(run: RunFolder, summary: dict[str, Any]) -> str:
    project = _quietly(run.read_project_json) or {}
    return str(project.get("name") or summary.get("project") or "")


def _started(run: RunFolder) -> float:
    """project.json is written when the session prepares the folder."""
    for path in (run.project, run.model):
        if path.is_file():
            return path.stat().st_mtime
    return run.path.stat().st_mtime


def _phase_names(summary: dict[str, Any], records: list[dict[str, Any]]) -> tuple[str, ...]:
    phases = summary.get("phases")
    if isinstance(phases, list) and phases:
        return tuple(str(p.get("name", p)) if isinstance(p, dict) else str(p) for p in phases)
    names: dict[int, str] = {}
    for record in records:
        names.setdefault(int(record.get("phase_index", len(names))), str(record.get("phase")))
    return tuple(names[i] for i in sorted(names))


def _duration(
    summary: dict[str, Any], state: dict[str, Any], records: list[dict[str, Any]]
) -> float | None:
    for value in (
        summary.get("wall_seconds"),
        state.get("elapsed"),
        records[-1].get("wall_time") if records else None,
    ):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
