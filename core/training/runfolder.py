"""The run folder: atomic writes of JSON, metrics lines, snapshots and checkpoints.

Layout (DESIGN.md, "Run folder")::

    RUN/model.keras          the final model
    RUN/checkpoints/         state.json + weights.npz (the last good checkpoint; resume reads it)
    RUN/metrics.jsonl        one JSON object a line
    RUN/summary.json         phases, evaluation, speed, device, ...
    RUN/snapshots/           NNN-<phase>-eEEEE.npz, readable with allow_pickle=False
    RUN/project.json         the exact project
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np

CHECKPOINTS = "checkpoints"
STATE = "state.json"
WEIGHTS = "weights.npz"


def _atomic(path: Path, write) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent
    )
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _finite(value):
    """JSON has no NaN: write None for a value that is not finite."""
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def clean(obj):
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [clean(v) for v in obj]
    if isinstance(obj, np.generic):
        return _finite(obj.item())
    return _finite(obj)


def write_json(path, obj) -> None:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(clean(obj), handle, indent=2)
            handle.write("\n")

    _atomic(Path(path), write)


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_npz(path, arrays: dict) -> None:
    def write(tmp):
        with open(tmp, "wb") as handle:
            np.savez(handle, **{k: np.asarray(v) for k, v in arrays.items() if v is not None})

    _atomic(Path(path), write)


def append_metrics(path, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(clean(record)) + "\n")
        handle.flush()


def read_metrics(path) -> list[dict]:
    path = Path(path)
    if not path.exists():
        return []
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut short by a crash
    return lines


def save_model(model, path) -> None:
    _atomic(Path(path), lambda tmp: _save_keras(model, tmp))


def _save_keras(model, tmp):
    # Keras insists on the .keras suffix.
    target = tmp if tmp.endswith(".keras") else tmp + ".keras"
    model.save(target)
    if target != tmp:
        os.replace(target, tmp)


def write_checkpoint(run_dir, state: dict, model_weights: list, trainer_state: list) -> str:
    """weights.npz first, then state.json (the commit point): a crash between leaves the old
    state pointing at... the new weights, so both are written to fresh names first."""
    folder = Path(run_dir) / CHECKPOINTS
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {f"m{i:04d}": w for i, w in enumerate(model_weights)}
    arrays.update({f"t{i:04d}": w for i, w in enumerate(trainer_state)})
    tag = f"p{state['phase']:02d}-e{state['epoch']:05d}-s{state['step']:06d}"
    weights_name = f"weights-{tag}.npz"
    write_npz(folder / weights_name, arrays)
    state = dict(
        state,
        weights=weights_name,
        model_count=len(model_weights),
        trainer_count=len(trainer_state),
    )
    old = None
    if (folder / STATE).exists():
        try:
            old = read_json(folder / STATE).get("weights")
        except (OSError, ValueError):
            old = None
    write_json(folder / STATE, state)
    if old and old != weights_name:
        (folder / old).unlink(missing_ok=True)
    return str(folder / STATE)


def read_checkpoint(run_dir):
    """(state, model_weights, trainer_state), or None when there is no checkpoint."""
    folder = Path(run_dir) / CHECKPOINTS
    if not (folder / STATE).exists():
        return None
    state = read_json(folder / STATE)
    with np.load(folder / state["weights"], allow_pickle=False) as data:
        model = [data[f"m{i:04d}"] for i in range(state["model_count"])]
        trainer = [data[f"t{i:04d}"] for i in range(state["trainer_count"])]
    return state, model, trainer
