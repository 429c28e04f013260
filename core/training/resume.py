"""Going on from a run folder's last checkpoint: read and check it, then put its weights and
the trainer's state back."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import LayerwiseError
from core.runs import RunFolder

MISMATCH = "the checkpoint does not match this network; train into a new folder"


@dataclass(frozen=True)
class Checkpoint:
    state: dict[str, Any]  # state.json: where it stopped, the counters, the settings
    model_weights: list[np.ndarray]
    trainer_state: list[np.ndarray]

    @property
    def start(self) -> tuple[int, int, int]:
        """(phase, epoch, step) to go on from."""
        return self.state["phase"], self.state["epoch"], self.state["step"]


def read_checkpoint(run_dir: Path, project: Any) -> Checkpoint:
    """The run folder's checkpoint; LayerwiseError when there is none, it cannot be read, or
    the folder was trained with another network."""
    run = RunFolder(run_dir)
    try:
        found = run.read_checkpoint() if run_dir.exists() else None
    except (OSError, ValueError, KeyError) as exc:
        raise LayerwiseError(
            f"the checkpoint in {run_dir} cannot be read ({exc}); train into a new folder"
        ) from None
    if found is None:
        raise LayerwiseError(f"{run_dir} holds no checkpoint to resume from")
    saved = run.read_project_json()
    if saved is not None and saved.get("network") != project.to_json().get("network"):
        raise LayerwiseError(
            f"{run_dir} was trained with a different network; resume with the "
            "project it was started with, or train into a new folder"
        )
    return Checkpoint(*found)


def restore_model(model: Any, checkpoint: Checkpoint) -> None:
    try:
        model.set_weights(checkpoint.model_weights)
    except ValueError:
        raise LayerwiseError(MISMATCH) from None


def restore_trainer(trainer: Any, checkpoint: Checkpoint) -> None:
    """The trainer's variables and, when it stopped inside an epoch, its epoch sums."""
    saved = checkpoint.trainer_state
    variables = trainer.state_variables()
    if len(saved) != len(variables):
        raise LayerwiseError(MISMATCH)
    try:
        for var, value in zip(variables, saved, strict=True):
            var.assign(value)
    except ValueError:
        raise LayerwiseError(MISMATCH) from None
    if checkpoint.state.get("accumulators"):
        trainer.restore_accumulators(checkpoint.state["accumulators"])


def checkpoint_state(
    where: dict[str, int], phase_name: str, session: Any, trainer: Any
) -> dict[str, Any]:
    """state.json's content for a checkpoint at ``where`` (phase, epoch, step): enough to go
    on from it with the same settings, and the trainer's accumulators when mid-epoch."""
    state: dict[str, Any] = {**where, "phase_name": phase_name}
    state.update(pretraining=session.pretraining, epochs_scale=session.epochs_scale)
    state.update(session.progress.checkpoint_fields())
    state.update(
        accumulators=trainer.accumulators() if where["step"] else None,
        written=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    return state
