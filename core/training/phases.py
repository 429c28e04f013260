"""The phase plan of a run: greedy pretraining of each block in data order, then fine-tuning.

A :class:`Phase` is fixed before training starts; the session walks the plan and a phase ends
with a :class:`PhaseOutcome`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

PRETRAIN = "pretrain"
FINETUNE = "finetune"
FINETUNE_LABEL = "finetune"  # what a fine-tuning snapshot's name says in place of a block


class PhaseOutcome(enum.Enum):
    """How a phase ended: all its epochs ran, the control stopped it, or it failed."""

    DONE = "done"
    STOPPED = "stopped"
    FAILED = "failed"


@dataclass(frozen=True)
class Phase:
    name: str  # "pretrain <block>" or "fine-tune"
    kind: str  # PRETRAIN or FINETUNE
    block: str | None  # the block pretrained; None when fine-tuning the whole network
    method: str  # "rbm", "autoencoder", or the fine-tuning objective's method
    epochs: int
    settings: Mapping[str, Any] = field(compare=False)

    @property
    def pretrains(self) -> bool:
        return self.kind == PRETRAIN

    @property
    def label(self) -> str:
        """The block, or "finetune": how snapshot names and messages refer to the phase."""
        return self.block or FINETUNE_LABEL

    def where(self) -> str:
        """The phase as a message names it: ``phase 'pretrain rbm1' (block rbm1)``."""
        return f"phase '{self.name}'" + (f" (block {self.block})" if self.block else "")

    def summary(self, method: str, final: Mapping[str, Any]) -> dict[str, Any]:
        """The phase's entry in summary.json's ``phases`` list."""
        return {
            "name": self.name,
            "kind": self.kind,
            "block": self.block,
            "method": method,
            "epochs": self.epochs,
            "final": dict(final),
        }


class PlanStep(Protocol):
    """One step of the network's pretraining plan (core.build.PretrainStep)."""

    @property
    def block(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def settings(self) -> Mapping[str, Any]: ...


def scaled_epochs(epochs: int, scale: float) -> int:
    """``epochs`` times ``scale``, rounded, at least 1 (0 stays 0: a phase switched off)."""
    if epochs <= 0:
        return 0
    return max(1, int(round(epochs * scale)))


def finetune_method(objective: str) -> str:
    return {"autoencoder": "autoencoder-unrolled"}.get(objective, objective)


def plan_phases(
    steps: Sequence[PlanStep], finetune: Mapping[str, Any], objective: str, epochs_scale: float
) -> tuple[Phase, ...]:
    """One phase per pretraining step, then fine-tuning, epochs scaled."""
    phases = [
        Phase(
            name=f"pretrain {step.block}",
            kind=PRETRAIN,
            block=step.block,
            method=step.kind,
            epochs=scaled_epochs(int(step.settings["epochs"]), epochs_scale),
            settings=step.settings,
        )
        for step in steps
    ]
    phases.append(
        Phase(
            name="fine-tune",
            kind=FINETUNE,
            block=None,
            method=finetune_method(objective),
            epochs=scaled_epochs(int(finetune["epochs"]), epochs_scale),
            settings=finetune,
        )
    )
    return tuple(phases)


def approx_steps(phase: Phase, samples: int, labelled_fraction: float = 1.0) -> int:
    """Batches per epoch of ``phase`` over ``samples`` training samples, for the ETA;
    ``labelled_fraction`` is the share a classifier fine-tunes on."""
    n = samples
    batch_size = int(phase.settings["batch_size"])
    if not phase.pretrains:
        n = max(1, int(n * labelled_fraction))
    return max(1, n // batch_size) if n > batch_size else 1
