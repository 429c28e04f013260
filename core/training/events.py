"""The typed events a training session yields, in order:

StageProgress* (loading TensorFlow, building the model, loading the data)
→ RunEstimate? (asked for with ``probe``: from the run's cost, or a long run's timing probe)
→ PhaseStarted → (BatchMetrics* → EpochMetrics → Snapshot? → CheckpointWritten?)* per phase
→ StageProgress (saving) → Finished, or Failed at any point (or Stopped when the control asked).

Plain dataclasses of Python numbers and numpy arrays: the CLI prints them, the GUI draws them,
and nothing in them holds a Keras object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class StageProgress:
    """A step of the run outside its training phases, said with a count when it has one."""

    stage: str  # one of STAGES
    text: str  # what a user reads, e.g. "converting 37 of 400 chorales"
    done: int | None = None
    total: int | None = None


STAGES = ("loading-tensorflow", "building", "loading-data", "estimating", "saving")


@dataclass(frozen=True)
class RunEstimate:
    """How long the run should take from here until it finishes, said before its first phase."""

    seconds: float
    basis: str  # how it was found, e.g. "estimated from a 2 s probe", "… this machine's speed"


@dataclass(frozen=True)
class PhaseStarted:
    index: int  # 0-based position in the run's phases
    count: int  # how many phases the run has
    name: str  # e.g. "pretrain rbm1" or "fine-tune"
    kind: str  # "pretrain" or "finetune"
    block: str | None  # the block being pretrained; None when fine-tuning the whole network
    method: str  # "rbm", "autoencoder", "classifier", "autoencoder-unrolled", "vae", "sequence"
    epochs: int
    steps_per_epoch: int
    start_epoch: int = 0  # > 0 when resumed


@dataclass(frozen=True)
class BatchMetrics:
    phase: int
    block: str | None
    epoch: int  # 0-based
    step: int  # 0-based within the epoch
    metrics: dict[str, float]  # e.g. {"loss": 0.31}


@dataclass(frozen=True)
class EpochMetrics:
    phase: int
    block: str | None
    epoch: int  # 0-based; the epoch just finished
    # training and validation metrics, e.g. {"reconstruction_error": .., "val_..": ..}
    metrics: dict[str, float]
    elapsed: float  # seconds since the run started
    samples_per_second: float
    eta: float | None = None  # seconds left in the whole run, estimated


@dataclass(frozen=True)
class Snapshot:
    """What the live views draw. Arrays are small (a few dozen filters, a few examples)."""

    phase: int
    block: str | None
    epoch: int
    filters: np.ndarray | None  # (n_filters, *tile_shape): each unit's incoming weights,
    # shaped like the block's input sample when that is known (e.g. 8×8, or steps × pitches);
    # a convolution's filters as (time, frequency[, channels]) patches
    inputs: np.ndarray | None  # (n_examples, *sample_shape) held-out examples
    reconstructions: np.ndarray | None  # same shape as inputs
    hidden: np.ndarray | None  # hidden activations of the block on those examples, (n, units)
    weights: np.ndarray | None  # a flat sample of the block's weights, for a histogram
    path: str | None = None  # the .npz written under snapshots/, if any
    sample_kind: str = "image"  # "image", "pianoroll" or "spectrogram": how to draw them


@dataclass(frozen=True)
class CheckpointWritten:
    """A checkpoint of the state at this point: its files are written off the training thread
    while the next batches run, and are on disk before the next checkpoint, Stopped, Failed
    or Finished."""

    phase: int
    epoch: int
    path: str


@dataclass(frozen=True)
class Finished:
    run_dir: str
    summary: dict[str, Any] = field(default_factory=dict)  # the content of summary.json


@dataclass(frozen=True)
class Stopped:
    """The control asked to stop; a checkpoint of the last finished batch was written."""

    run_dir: str
    phase: int
    epoch: int
    checkpoint: str | None


@dataclass(frozen=True)
class Failed:
    message: str  # one line a user understands, naming the phase and block
    phase: int | None = None
    block: str | None = None
    checkpoint: str | None = None  # the last good checkpoint kept


Event = (
    StageProgress
    | RunEstimate
    | PhaseStarted
    | BatchMetrics
    | EpochMetrics
    | Snapshot
    | CheckpointWritten
    | Finished
    | Stopped
    | Failed
)
