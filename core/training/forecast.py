"""The run's duration said before its first phase (:class:`RunEstimate`).

A long run times a few batches of each phase (:mod:`core.training.probe`). Any other run is
estimated from its cost (:mod:`core.training.cost`) at this machine's speed
(:mod:`core.training.speed`), corrected by earlier runs here (:mod:`core.training.run_speed`):
shapes and counts only, nothing compiled, in milliseconds. Every new run keeps its cost in
summary.json so that the runs after it are estimated from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from core.training import cost, run_speed, speed
from core.training.events import RunEstimate, StageProgress
from core.training.probe import estimate_run, worth_probing

FROM_EARLIER_RUNS = "estimated from earlier runs on this machine"
FROM_MACHINE_SPEED = "estimated from this machine's speed"


def before_first_phase(session: Any) -> Iterator[StageProgress | RunEstimate]:
    """For a new run: its estimate when the session was asked for one; its cost kept in
    ``session.duration_model`` for the summary."""
    costs = _costs(session)
    if session.probe:
        if worth_probing(session.planned):
            if session.stages:
                yield StageProgress("estimating", "timing a few batches of each phase")
            yield estimate_run(session)
        elif costs is not None:
            # the user's runs folder, and the folder this run is in (``layerwise train --out``)
            roots = (None, session.run_dir.parent)
            found = estimate_from_cost(costs, session.placement.device_name, roots)
            if found is not None:
                yield found
    if costs is not None:
        session.duration_model = {
            "start": session.progress.elapsed(),
            "contention": speed.contention(),
            "phases": [c.as_record() for c in costs],
        }


def estimate_from_cost(
    costs: list[cost.PhaseCost], device: str | None, roots: Any = (None,), cache: Any = None
) -> RunEstimate | None:
    """The run's seconds at this machine's speed, corrected by its earlier runs on ``device``,
    under the machine's present load."""
    try:
        machine = speed.machine_speed(cache)
        found = run_speed.correction(machine, device, roots)
        seconds = found.apply(machine).run_seconds(costs) * speed.contention()
    except Exception:  # noqa: BLE001 - an estimate is a nicety: a run never fails for it
        return None
    basis = FROM_EARLIER_RUNS if found.runs else FROM_MACHINE_SPEED
    return RunEstimate(seconds=seconds, basis=basis)


def _costs(session: Any) -> list[cost.PhaseCost] | None:
    try:
        return cost.plan_costs(session)
    except Exception:  # noqa: BLE001 - an unusual layer leaves the run without a cost
        return None
