"""Finding and loading what to generate from: a run folder or a bare ``.keras`` file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from core.errors import LayerwiseError, ModelFileError


@dataclass(frozen=True)
class ModelSource:
    """The model file, and the run's summary and project when it has them."""

    model_path: Path
    summary: dict | None
    project: dict | None


def _read_json(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LayerwiseError(f"{path}: cannot read ({exc})") from None
    return doc if isinstance(doc, dict) else None


def run_documents(folder) -> tuple[dict | None, dict | None]:
    """(summary, project) of a run folder, each None when absent; the one place generation
    and the audition panel read a run's documents."""
    folder = Path(os.fspath(folder))
    return _read_json(folder / "summary.json"), _read_json(folder / "project.json")


def model_path(run_or_model) -> Path:
    """The ``.keras`` file of a run folder or model path; LayerwiseError when there is none."""
    path = Path(os.fspath(run_or_model))
    if path.is_dir():
        if not (path / "model.keras").is_file():
            raise LayerwiseError(f"{path}: not a run folder (no model.keras in it)")
        return path / "model.keras"
    if path.is_file():
        if path.suffix != ".keras":
            raise LayerwiseError(f"{path}: expected a run folder or a .keras model file")
        return path
    raise LayerwiseError(f"{path}: no such run folder or model file")


def locate(run_or_model) -> ModelSource:
    """The model file of a run folder or ``.keras`` file, with the run's documents."""
    found = model_path(run_or_model)
    path = Path(os.fspath(run_or_model))
    # A run's own model.keras still finds its summary beside it.
    folder = path if path.is_dir() else (path.parent if path.name == "model.keras" else None)
    if folder is None:
        return ModelSource(found, None, None)
    return ModelSource(found, *run_documents(folder))


def load_model(path: Path):
    """The Keras model in ``path``, loaded safely; ModelFileError says why it cannot be."""
    from core.keras_env import load_keras, quiet_native_logs

    keras = load_keras()
    failure = None
    with quiet_native_logs():  # TensorFlow probes CUDA, noisily, on its first op
        try:
            model = keras.models.load_model(path, safe_mode=True, compile=False)
        except Exception as exc:  # Keras raises many types for bad or foreign files
            failure = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if failure is not None:
        raise ModelFileError(f"{path}: cannot load the model ({failure})")
    return model
