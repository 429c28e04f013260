"""Each block's training state as a run goes, and which blocks a project trains (no Qt).

A block with weights goes untrained → pretraining → pretrained → fine-tuning → trained, or
is frozen while fine-tuning leaves pretrained weights alone. A stopped or failed run takes
each block back to the last state it really reached.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum

from core import catalog
from core.training.events import PhaseStarted


class BlockState(str, Enum):
    """A block's state; the value is what the canvas shows (and what signals carry)."""

    UNTRAINED = "untrained"
    PRETRAINING = "pretraining"
    PRETRAINED = "pretrained"
    FROZEN = "frozen"
    FINE_TUNING = "fine-tuning"
    TRAINED = "trained"

    def __str__(self) -> str:
        return self.value


def has_weights(type_name: str) -> bool:
    """Whether a block of this type has weights to train, as its catalog declaration says
    (a type the catalog does not know is assumed to)."""
    declared = catalog.REGISTRY.get(type_name)
    return declared is None or declared.has_weights


def weight_blocks(project) -> list[str]:
    """The ids of the project's blocks that have weights, in network order."""
    if project is None:
        return []
    return [b.id for b in project.network.blocks if has_weights(b.type)]


def pretrained_lr_scale(project) -> float:
    """Fine-tuning's learning-rate factor for pretrained blocks (0: they stay frozen)."""
    if project is None:
        return 1.0
    try:
        return float(project.finetune_settings().get("pretrained_learning_rate_scale", 1))
    except (AttributeError, TypeError, ValueError):
        return 1.0


Listener = Callable[[str, BlockState], None]


class BlockStates:
    """The state of every block with weights; listeners hear each change."""

    def __init__(self, blocks: Iterable[str] = ()) -> None:
        self.states: dict[str, BlockState] = dict.fromkeys(blocks, BlockState.UNTRAINED)
        self.listeners: list[Listener] = []

    def get(self, block: str) -> BlockState | None:
        return self.states.get(block)

    def as_dict(self) -> dict[str, BlockState]:
        return dict(self.states)

    def set(self, block: str, state: BlockState, *, notify: bool = True) -> None:
        if self.states.get(block) == state:
            return
        self.states[block] = state
        if notify:
            for listener in list(self.listeners):
                listener(block, state)

    def replace(self, blocks: Iterable[str], *, notify: bool) -> None:
        """These blocks, every one untrained (another project, or a new run)."""
        self.states = {}
        for block in blocks:
            self.set(block, BlockState.UNTRAINED, notify=notify)

    def reset(self, *, notify: bool) -> None:
        self.replace(list(self.states), notify=notify)

    def phase_started(
        self, previous: PhaseStarted | None, phase: PhaseStarted, lr_scale: float
    ) -> None:
        """Pretraining one block; or fine-tuning them all, pretrained ones frozen at scale 0."""
        if previous is not None and previous.kind == "pretrain" and previous.block:
            self.set(previous.block, BlockState.PRETRAINED)
        if phase.kind == "pretrain" and phase.block:
            self.set(phase.block, BlockState.PRETRAINING)
            return
        for block in list(self.states):
            frozen = self.states[block] == BlockState.PRETRAINED and lr_scale == 0.0
            self.set(block, BlockState.FROZEN if frozen else BlockState.FINE_TUNING)

    def finish(self, current: PhaseStarted | None, finetuned: bool) -> None:
        """The run finished: the last pretrained block is pretrained; after fine-tuning,
        every block that took part is trained."""
        if current is not None and current.kind == "pretrain" and current.block:
            self.set(current.block, BlockState.PRETRAINED)
        if not finetuned:
            return
        done = (BlockState.FINE_TUNING, BlockState.FROZEN, BlockState.PRETRAINED)
        for block, state in list(self.states.items()):
            if state in done:
                self.set(block, BlockState.TRAINED)

    def abort(self, pretrained: set) -> None:
        """The run stopped or failed: what was pretrained stays so, the rest is untrained."""
        for block, state in list(self.states.items()):
            if state == BlockState.PRETRAINING:
                self.set(block, BlockState.UNTRAINED)
            elif state in (BlockState.FINE_TUNING, BlockState.FROZEN):
                was = BlockState.PRETRAINED if block in pretrained else BlockState.UNTRAINED
                self.set(block, was)


def pretraining_enabled(project) -> bool:
    """The project's "Greedy pretraining" setting: the one the Pretraining switch shows."""
    return bool(project.training.get("pretraining", {}).get("enabled", True))
