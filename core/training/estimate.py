"""How long a run will take, said before it starts: from the newest finished run of the same
network, data and training plan on this machine (its ``summary.json`` records the wall time),
scaled by the epochs asked for. Reads files only; never imports TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import fileio
from core.runs import RunFolder, list_runs

RUNS_LOOKED_AT = 30  # the newest runs only: listing stays instant with hundreds of runs


@dataclass(frozen=True)
class Estimate:
    seconds: float
    source: str  # the run folder the estimate comes from

    def describe(self) -> str:
        """e.g. "about 25 min (like run deephear-20261201-101500)"."""
        return f"{describe_seconds(self.seconds)} (like run {self.source})"


def fingerprint(project_doc: dict[str, Any]) -> dict[str, Any]:
    """What decides a run's duration: blocks, wires, data and training (not positions)."""
    network = project_doc.get("network") or {}
    blocks = [
        {k: v for k, v in b.items() if k != "position"}
        for b in network.get("blocks", [])
        if isinstance(b, dict)
    ]
    return {
        "blocks": blocks,
        "wires": network.get("wires", []),
        "data": project_doc.get("data"),
        "training": project_doc.get("training"),
    }


def estimate_duration(
    project,
    *,
    pretraining: bool,
    epochs_scale: float = 1.0,
    root: fileio.PathLike | None = None,
) -> Estimate | None:
    """The estimate for training ``project``, or None when no earlier run is like it."""
    wanted = fingerprint(project.to_json())
    for run in list_runs(root)[:RUNS_LOOKED_AT]:
        seconds = _comparable_seconds(run, wanted, pretraining, epochs_scale)
        if seconds is not None:
            return Estimate(seconds, run.path.name)
    return None


def _comparable_seconds(
    run: RunFolder, wanted: dict[str, Any], pretraining: bool, epochs_scale: float
) -> float | None:
    try:
        summary = run.read_summary()
        project_doc = run.read_project_json()
    except Exception:  # noqa: BLE001 - a damaged run is simply not compared
        return None
    if not summary or not project_doc or fingerprint(project_doc) != wanted:
        return None
    if bool(summary.get("pretraining")) != bool(pretraining):
        return None
    try:
        seconds = float(summary["wall_seconds"])
        scale = float(summary.get("epochs_scale") or 1.0)
    except (KeyError, TypeError, ValueError):
        return None
    if seconds <= 0 or scale <= 0:
        return None
    return seconds * epochs_scale / scale


def describe_seconds(seconds: float) -> str:
    """e.g. "about 25 min"."""
    return f"about {_rounded(seconds)}"


def _rounded(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
