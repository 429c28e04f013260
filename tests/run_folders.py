"""Run folders written directly through RunFolder, the way a session writes them: quick, real
files for the runs browser, the dashboard's disk view and comparisons (no TensorFlow)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from core import templates
from core.runs import RunFolder

PHASES = (("pretrain rbm1", "pretrain", "rbm1"), ("fine-tune", "finetune", None))


def write_run(
    root,
    name: str,
    *,
    state: str = "finished",
    template: str = "dbn-digits",
    epochs: int = 3,
    scale: float = 1.0,
    age_s: float = 3600.0,
    evaluation: dict | None = None,
    running: bool = False,
) -> RunFolder:
    """A run of ``template``'s project in ``root/name``: metrics and snapshots of a
    pretraining and a fine-tuning phase; then, by ``state``, a summary ("finished"), a
    checkpoint ("stopped"), nothing more ("failed"); files aged ``age_s``; ``running``: marked
    as trained into by this process now."""
    project = templates.load(template)
    run = RunFolder(Path(root) / name)
    run.prepare(project.to_json(), resume=False)
    kind = "pianoroll" if project.data.get("source") != "digits" else "image"
    shape = (8, 8) if kind == "image" else (16, 12)
    rng = np.random.default_rng(len(name))
    phases = PHASES if state == "finished" else PHASES[:1]
    for index, (phase, phase_kind, block) in enumerate(phases):
        for epoch in range(epochs):
            loss = scale / (1 + epoch + index)
            record = {"phase": phase, "phase_index": index, "kind": phase_kind, "block": block}
            record.update(epoch=epoch, step=(epoch + 1) * 10, loss=loss, val_loss=loss * 1.1)
            if phase_kind == "finetune":
                record["accuracy"] = 0.5 + 0.1 * epoch
            run.append_metrics({**record, "samples_per_second": 900.0, "wall_time": 2.0 * epoch})
            x = rng.random((4, *shape)).astype(np.float32)
            arrays = {"filters": rng.normal(size=(16, *shape)), "inputs": x}
            arrays.update(reconstructions=np.clip(x + 0.1, 0, 1), weights=rng.normal(size=300))
            arrays["hidden"] = rng.random((4, 32))
            run.write_snapshot(index, block or "finetune", epoch + 1, arrays)
    if state == "finished":
        summary = {"project": project.name, "device": "CPU", "wall_seconds": 12.5}
        summary["phases"] = [{"name": p[0], "kind": p[1], "block": p[2]} for p in phases]
        summary["evaluation"] = {"split": "test", "accuracy": 0.7 * scale, "loss": 0.4 * scale}
        summary["data"] = {"kind": kind, "source": project.data.get("source")}
        run.write_summary(summary)
    elif state == "stopped":
        state_doc = {"phase": 0, "epoch": epochs - 1, "step": 0, "elapsed": 7.0}
        state_doc.update(pretraining=True, epochs_scale=1.0)
        run.write_checkpoint(state_doc, [np.zeros(3)], [])
    if running:
        run.mark_active()
    if evaluation is not None:
        from core.runs import write_json

        write_json(run.evaluation, evaluation)
    if age_s:
        when = time.time() - age_s
        for path in run.path.rglob("*"):
            os.utime(path, (when, when))
    return run
