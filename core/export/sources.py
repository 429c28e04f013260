"""What an export starts from: a run folder (trained) or a project file (untrained)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core import project as project_io
from core.errors import LayerwiseError, ModelFileError, ProjectError
from core.project import Project


@dataclass
class Source:
    project: Project
    run_dir: Path | None = None  # None: an untrained project

    @property
    def is_run(self) -> bool:
        return self.run_dir is not None

    @property
    def model_path(self) -> Path | None:
        return self.run_dir / "model.keras" if self.run_dir else None

    def summary(self) -> dict:
        """The run's summary.json ({} when there is none)."""
        path = self.run_dir / "summary.json" if self.run_dir else None
        if path is None or not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise ModelFileError(f"{path}: not valid JSON (truncated?)") from None
        return data if isinstance(data, dict) else {}


def open_source(path) -> Source:
    """A run folder (holding model.keras and project.json) or a project file."""
    path = Path(path)
    if path.is_dir():
        if not (path / "model.keras").is_file():
            what = "an unfinished run" if (path / "project.json").is_file() else "not a run folder"
            raise ModelFileError(f"{path}: no model.keras in this folder ({what})")
        project_file = path / "project.json"
        if not project_file.is_file():
            raise ModelFileError(f"{path}: no project.json in this run folder")
        try:
            project = project_io.load(project_file)
        except ProjectError as exc:
            raise ModelFileError(str(exc)) from None
        return Source(project, path)
    if not path.exists():
        raise LayerwiseError(f"{path}: no such run folder or project file")
    if path.suffix.lower() == ".keras":
        raise LayerwiseError(
            f"{path}: a model file; export from its run folder or its project "
            "(or import it as a project with `layerwise import`)"
        )
    return Source(project_io.load(path))
