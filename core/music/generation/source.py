"""Finding and loading what to generate from: a run folder or a bare ``.keras`` file.

A run folder is read through :class:`core.runs.RunFolder`; a ``.keras`` file named
``model.keras`` is taken as its run folder's model, so its summary is still found.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import LayerwiseError, ModelFileError
from core.runs import MODEL, RunFolder


@dataclass(frozen=True)
class ModelSource:
    """The model file, and the run's summary and project when it has them."""

    model_path: Path
    summary: dict | None
    project: dict | None


def model_path(run_or_model) -> Path:
    """The ``.keras`` file of a run folder or model path; LayerwiseError when there is none."""
    path = Path(os.fspath(run_or_model))
    if path.is_dir():
        run = RunFolder(path)
        if not run.has_model():
            raise LayerwiseError(f"{path}: not a run folder (no model.keras in it)")
        return run.model
    if path.is_file():
        if path.suffix != ".keras":
            raise LayerwiseError(f"{path}: expected a run folder or a .keras model file")
        return path
    raise LayerwiseError(f"{path}: no such run folder or model file")


def locate(run_or_model) -> ModelSource:
    """The model file of a run folder or ``.keras`` file, with the run's documents."""
    found = model_path(run_or_model)
    path = Path(os.fspath(run_or_model))
    if path.is_dir():
        run: RunFolder | None = RunFolder(path)
    else:  # a run's own model.keras still finds its summary beside it
        run = RunFolder(path.parent) if path.name == MODEL else None
    if run is None:
        return ModelSource(found, None, None)
    return ModelSource(found, run.read_summary(), run.read_project_json())


def load_model(path: Path):
    """The Keras model in ``path`` through the one safe loader (its archive and config are
    checked before Keras sees them); ModelFileError says in one line why it cannot be."""
    from core.export.safe_load import load_model_safely
    from core.keras_env import quiet_native_logs

    with quiet_native_logs():  # TensorFlow probes CUDA, noisily, on its first op
        try:
            return load_model_safely(path, compile=False)
        except ModelFileError as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            raise ModelFileError(f"{path}: cannot load the model ({reason})") from None
