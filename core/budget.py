"""Will a plan fit in memory? Estimates made before the work, refusals that name the setting.

Two checks, each before the memory is taken: the dataset's windows before they are cut
(pieces × transpositions × windows × window size), and the network's training memory before
it is built (weights with the optimiser's copies and gradients, plus a batch's activations
forwards and backwards). Either over the memory this machine has free is a
:class:`core.limits.TooLarge` naming the setting to change. Pure Python and numpy sizes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence

from core.limits import TooLarge

FLOAT_BYTES = 4
# Weights, their gradients and Adam's two moments.
WEIGHT_COPIES = 4
# Activations kept for the backward pass, and their gradients.
ACTIVATION_COPIES = 2
# Of what the machine has free, what one plan may take (the rest: Python, TensorFlow, the app).
SHARE = 0.8


def available_bytes() -> int:
    """Memory free for a new allocation: MemAvailable on Linux, else the physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, AttributeError):
        return 8 * 1024**3


def _gib(count: float) -> str:
    return f"{count / 1024**3:.1f} GiB"


def window_bytes(
    lengths: Iterable[int], window: int, hop: int, pitches: int, shifts: int = 1
) -> int:
    """Bytes of the float32 windows cut from pieces of these lengths (in steps)."""
    count = sum((n - window) // hop + 1 for n in lengths if n >= window)
    return count * shifts * window * pitches * FLOAT_BYTES


def check_windows(
    lengths: Sequence[int],
    window: int,
    hop: int,
    pitches: int,
    shifts: int,
    budget: int | None = None,
) -> int:
    """The windows' size in bytes; TooLarge naming the setting that makes them too big."""
    need = window_bytes(lengths, window, hop, pitches, shifts)
    budget = int(available_bytes() * SHARE) if budget is None else budget
    if need <= budget:
        return need
    culprit = (
        "data.representation.transpose (fewer shifts)"
        if shifts > 1
        else "data.representation.hop_steps (a longer hop) or window_steps"
    )
    raise TooLarge(
        f"the training windows would take {_gib(need)} but {_gib(budget)} is free; "
        f"change {culprit} or use fewer pieces (data.limit)"
    )


def training_bytes(parameters: int, activations: int, batch_size: int) -> tuple[int, int]:
    """(bytes for the weights and their copies, bytes for one batch's activations)."""
    weights = parameters * FLOAT_BYTES * WEIGHT_COPIES
    batch = activations * batch_size * FLOAT_BYTES * ACTIVATION_COPIES
    return weights, batch


def check_training(
    parameters: int,
    activation_sizes: Iterable[Sequence[int | None]],
    batch_size: int,
    largest_block: str | None = None,
    budget: int | None = None,
) -> int:
    """The training memory in bytes for a network of ``parameters`` weights whose blocks give
    outputs of these shapes (None: a free length, counted as one); TooLarge naming the
    setting that makes the plan too big."""
    activations = sum(math.prod(d or 1 for d in shape) for shape in activation_sizes)
    weights, batch = training_bytes(parameters, activations, batch_size)
    budget = int(available_bytes() * SHARE) if budget is None else budget
    if weights + batch <= budget:
        return weights + batch
    if weights >= batch:
        where = f" (most in block {largest_block})" if largest_block else ""
        culprit = f"fewer units{where}: the weights alone take {_gib(weights)}"
    else:
        culprit = f"training.finetune.batch_size ({batch_size}): one batch takes {_gib(batch)}"
    raise TooLarge(
        f"training would need about {_gib(weights + batch)} of memory but {_gib(budget)} is "
        f"free; change {culprit}"
    )


def check_report(report, batch_size: int, budget: int | None = None) -> int:
    """:func:`check_training` for a validation report (its shapes and parameter counts)."""
    largest = max(report.params, key=report.params.__getitem__) if report.params else None
    return check_training(report.total_params, report.shapes.values(), batch_size, largest, budget)
