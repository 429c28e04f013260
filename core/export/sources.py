"""What an export starts from: a run folder (trained) or a project file (untrained)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import project as project_io
from core.errors import LayerwiseError, ModelFileError, ProjectError
from core.project import Project
from core.runs import RunFolder


@dataclass
class Source:
    project: Project
    run_dir: Path | None = None  # None: an untrained project

    @property
    def is_run(self) -> bool:
        return self.run_dir is not None

    @property
    def run(self) -> RunFolder | None:
        return RunFolder(self.run_dir) if self.run_dir else None

    @property
    def model_path(self) -> Path | None:
        return self.run.model if self.run else None

    def trained_run(self) -> RunFolder:
        """The run folder; LayerwiseError for an untrained project."""
        if self.run_dir is None:
            raise LayerwiseError("this needs a run folder (a trained model), not a project")
        return RunFolder(self.run_dir)

    def summary(self) -> dict:
        """The run's summary.json, migrated to the current version ({} when there is none)."""
        return (self.run.read_summary() if self.run else None) or {}


def open_source(path) -> Source:
    """A run folder (holding model.keras and project.json) or a project file."""
    path = Path(path)
    if path.is_dir():
        run = RunFolder(path)
        if not run.has_model():
            what = "an unfinished run" if run.project.is_file() else "not a run folder"
            raise ModelFileError(f"{path}: no model.keras in this folder ({what})")
        if not run.project.is_file():
            raise ModelFileError(f"{path}: no project.json in this run folder")
        try:
            project = project_io.load(run.project)
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
