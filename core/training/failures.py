"""The one-line messages of a failed run: where it failed, and why in the user's terms."""

from __future__ import annotations

from collections.abc import Sequence

from core.training.events import Failed
from core.training.phases import Phase


def located(
    message: str,
    phases: Sequence[Phase],
    phase: int | None,
    block: str | None,
    checkpoint: str | None,
) -> Failed:
    """Failed, the message led by the phase (and block) it happened in."""
    if phase is not None and phase < len(phases):
        where = f"phase '{phases[phase].name}'" + (f" (block {block})" if block else "")
        if where not in message:
            message = f"{where}: {message}"
    return Failed(message=message, phase=phase, block=block, checkpoint=checkpoint)


def not_finite(index: int, phase: Phase, epoch: int, step: int, checkpoint: str | None) -> Failed:
    kept = (
        f"; the last good checkpoint is kept in {checkpoint}"
        if checkpoint
        else "; no checkpoint had been written yet"
    )
    return Failed(
        message=f"{phase.where()}: the loss became NaN or infinite in epoch {epoch + 1}, "
        f"near batch {step}; try a smaller learning rate{kept}",
        phase=index,
        block=phase.block,
        checkpoint=checkpoint,
    )


def runtime_message(exc: Exception) -> str | None:
    """A user-facing line for runtime failures with user causes; None for programming errors."""
    name = type(exc).__name__
    text = str(exc).splitlines()[0] if str(exc) else name
    if name == "ResourceExhaustedError" or isinstance(exc, MemoryError):
        return (
            "out of memory: the network or the batch is too large for this device; use a "
            "smaller batch size or fewer units"
        )
    if isinstance(exc, OSError):
        return f"cannot read or write a file: {text}"
    if name in ("UnavailableError", "DeadlineExceededError") or (
        name == "CancelledError" and "collective" in text.lower()
    ):
        return (
            "a worker of the multi-worker cluster stopped answering; the run cannot go on "
            f"without it ({text})"
        )
    return None
