"""A fake training session for app tests: real event objects, no TensorFlow.

Follows the contract of core.training.session.run_training (same signature, same events, obeys
the Control) so the dashboard can be tested fast and without Keras.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np

from core.training.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochMetrics,
    Failed,
    Finished,
    PhaseStarted,
    Snapshot,
    StageProgress,
    Stopped,
)


def fake_run_training(
    project,
    run_dir,
    *,
    control=None,
    epochs_scale=1.0,
    device=None,
    pretraining=True,
    steps=5,
    epochs=3,
    step_s=0.002,
    fail_at=None,
    sample_kind="image",
    stages=False,
    **_,
):
    """Two pretraining phases (rbm1, rbm2) and a fine-tune phase, or fine-tune alone; with
    ``stages``, the steps around them as the real session says them."""
    os.makedirs(run_dir, exist_ok=True)
    if stages:
        yield from _stages_before()
    phases = (
        [("pretrain rbm1", "pretrain", "rbm1", "rbm"), ("pretrain rbm2", "pretrain", "rbm2", "rbm")]
        if pretraining
        else []
    )
    phases.append(("fine-tune", "finetune", None, "classifier"))
    rng = np.random.default_rng(0)
    t0 = time.monotonic()
    shape = (8, 8) if sample_kind == "image" else (16, 12)
    sample = (sample_kind, shape)
    total = len(phases) * epochs
    done = 0
    for index, (name, kind, block, method) in enumerate(phases):
        yield PhaseStarted(index, len(phases), name, kind, block, method, epochs, steps)
        for epoch in range(epochs):
            for step in range(steps):
                if control is not None and not control.wait_while_paused():
                    yield Stopped(run_dir, index, epoch, None)
                    return
                if fail_at == (index, epoch, step):
                    yield Failed(f"{name}: the loss became NaN at epoch {epoch + 1}", index, block)
                    return
                time.sleep(step_s)
                yield BatchMetrics(index, block, epoch, step, {"loss": 1.0 / (1 + epoch + step)})
            done += 1
            elapsed = time.monotonic() - t0
            eta = elapsed / done * (total - done)
            yield from _end_of_epoch(run_dir, index, kind, block, epoch, elapsed, eta, rng, sample)
    if stages:
        yield StageProgress("saving", "evaluating and saving the model")
    summary = {"phases": [p[0] for p in phases]}
    with open(os.path.join(run_dir, "summary.json"), "w") as f:
        json.dump(summary, f)
    yield Finished(run_dir, summary)


def _stages_before():
    yield StageProgress("loading-tensorflow", "loading TensorFlow")
    yield StageProgress("building", "building the model")
    yield StageProgress("loading-data", "loading the data")
    for done in range(4):
        time.sleep(0.01)
        yield StageProgress("loading-data", f"converting {done} of 3 chorales", done, 3)


def _end_of_epoch(run_dir, index, kind, block, epoch, elapsed, eta, rng, sample):
    """An epoch's metrics, its snapshot and its checkpoint."""
    sample_kind, shape = sample
    metrics = {"loss": 1.0 / (1 + epoch), "val_loss": 1.2 / (1 + epoch)}
    if kind == "finetune":
        metrics["accuracy"] = 0.5 + 0.1 * epoch
    yield EpochMetrics(index, block, epoch, metrics, elapsed, 1000.0, eta)
    x = rng.random((4, *shape)).astype(np.float32)
    yield Snapshot(
        index,
        block,
        epoch,
        rng.normal(size=(16, *shape)).astype(np.float32),
        x,
        np.clip(x + 0.1, 0, 1),
        rng.random((4, 32)),
        rng.normal(size=500),
        None,
        sample_kind,
    )
    yield CheckpointWritten(index, epoch, os.path.join(run_dir, f"ck-{index}-{epoch}"))
