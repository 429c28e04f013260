"""How fast earlier runs on this machine went against what their cost said: the factors that
correct :func:`core.training.speed.machine_speed` for this machine's real pace (its load, its
TensorFlow build, the sizes it trains).

A finished run keeps its phases' costs and the machine's load when it started in summary.json
(``duration_model``) and its epochs' end times in metrics.jsonl; the factors are the pace
the machine would have had alone. A phase's first epoch carries its set-up; the others are its steady
pace. Reads files only, the newest runs first; a run that does not read is skipped.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core import fileio
from core.runs import RunFolder, list_runs
from core.training.cost import PhaseCost
from core.training.speed import MachineSpeed

RUNS_LOOKED_AT = 30  # the newest runs only: listing stays instant with hundreds of runs
RUNS_USED = 5  # the pace of the last few runs: older ones saw another load
FACTOR_RANGE = (0.1, 20.0)  # a correction past these says more about a damaged file


@dataclass(frozen=True)
class Correction:
    setup: float = 1.0
    epoch: float = 1.0
    finish: float = 1.0
    runs: int = 0  # how many earlier runs it comes from

    def apply(self, speed: MachineSpeed) -> MachineSpeed:
        return speed.corrected(self.setup, self.epoch, self.finish)


@dataclass
class _Sums:
    """Actual and predicted seconds, summed over phases, of one kind of time."""

    actual: float = 0.0
    predicted: float = 0.0

    def add(self, actual: float, predicted: float) -> None:
        self.actual += actual
        self.predicted += predicted

    def ratio(self) -> float | None:
        if self.predicted <= 0:
            return None
        return self.actual / self.predicted


def correction(
    speed: MachineSpeed, device: str | None, roots: Sequence[fileio.PathLike | None] = (None,)
) -> Correction:
    """The correction earlier runs on ``device`` give ``speed`` (none: factors of 1). The runs
    are those under ``roots`` (None: the user's runs folder), newest first."""
    ratios: list[tuple[float | None, float | None, float | None]] = []
    for run in newest_runs(roots):
        try:
            found = _run_ratios(run, speed, device)
        except Exception:  # noqa: BLE001 - a damaged or odd run folder is simply not used
            found = None
        if found is not None:
            ratios.append(found)
        if len(ratios) >= RUNS_USED:
            break
    if not ratios:
        return Correction()
    setup, epoch, finish = (_median([r[i] for r in ratios]) for i in range(3))
    if epoch is None:
        epoch = setup
    if setup is None:
        setup = epoch
    return Correction(
        setup=_bounded(setup),
        epoch=_bounded(epoch),
        finish=_bounded(finish),
        runs=len(ratios),
    )


def newest_runs(roots: Sequence[fileio.PathLike | None]) -> list[RunFolder]:
    """The newest run folders under any of ``roots``, each once."""
    found: dict[Path, tuple[float, RunFolder]] = {}
    for root in roots:
        try:
            runs = list_runs(root)[:RUNS_LOOKED_AT]
            for run in runs:
                found.setdefault(run.path.resolve(), (run.path.stat().st_mtime, run))
        except OSError:  # a folder that went away or cannot be read tells nothing
            continue
    newest = sorted(found.values(), key=lambda item: -item[0])
    return [run for _, run in newest[:RUNS_LOOKED_AT]]


def _run_ratios(
    run: RunFolder, speed: MachineSpeed, device: str | None
) -> tuple[float | None, float | None, float | None] | None:
    """(set-up, epoch, finishing) actual over predicted for one earlier run, or None."""
    summary = run.read_summary()
    if not summary or (device is not None and summary.get("device") != device):
        return None
    model = summary.get("duration_model")
    if not isinstance(model, dict):
        return None
    costs = [PhaseCost.from_record(r) for r in model.get("phases", [])]
    if not costs or any(c is None for c in costs):
        return None
    start = float(model["start"])
    busy = max(1.0, float(model.get("contention", 1.0)))  # what its load made of its pace
    ends = _epoch_ends(run.read_metrics(), len(costs))
    setup, epoch, whole = _Sums(), _Sums(), _Sums()
    begin = start
    for index, cost in enumerate(costs):
        assert cost is not None
        times = ends.get(index, [])
        if not times or cost.epochs <= 0:
            continue
        durations = [b - a for a, b in zip([begin, *times[:-1]], times, strict=True)]
        begin = times[-1]
        if len(durations) >= 2:
            steady = statistics.median(durations[1:])
            epoch.add(steady * len(durations), speed.epoch_seconds(cost) * len(durations))
            setup.add(max(0.0, durations[0] - steady), speed.setup_seconds(cost))
        else:
            whole.add(durations[0], speed.setup_seconds(cost) + speed.epoch_seconds(cost))
    finish = _Sums()
    wall = float(summary["wall_seconds"])
    if begin > start and wall >= begin:
        finish.add(wall - begin, speed.finish)
    if whole.predicted and not epoch.predicted:
        found = whole.ratio(), whole.ratio(), finish.ratio()
    elif epoch.predicted or setup.predicted:
        found = setup.ratio(), epoch.ratio(), finish.ratio()
    else:
        return None
    setup_ratio, epoch_ratio, finish_ratio = (None if r is None else r / busy for r in found)
    return setup_ratio, epoch_ratio, finish_ratio


def _epoch_ends(records: list[dict[str, Any]], phases: int) -> dict[int, list[float]]:
    """Each phase's epochs' end times (seconds since the run started), in order."""
    ends: dict[int, list[float]] = {}
    for record in records:
        index, wall = record.get("phase_index"), record.get("wall_time")
        if not isinstance(wall, int | float) or not math.isfinite(wall):
            continue
        if isinstance(index, int) and 0 <= index < phases:
            ends.setdefault(index, []).append(float(wall))
    return {index: sorted(times) for index, times in ends.items()}


def _median(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return statistics.median(known) if known else None


def _bounded(value: float | None) -> float:
    if value is None:
        return 1.0
    low, high = FACTOR_RANGE
    return min(high, max(low, value))
