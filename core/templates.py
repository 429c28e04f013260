"""Built-in templates: project files shipped in resources/templates."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from core import project as project_io
from core.errors import ProjectError

ORDER = ("deephear", "dbn-digits", "sda", "conv-classifier", "melody-vae", "lstm-pianoroll")
EXAMPLE = "deephear"  # the project the app opens on a first start


def template_dir() -> Path:
    return Path(str(resources.files("resources") / "templates"))


def names() -> list[str]:
    found = {p.stem for p in template_dir().glob("*.json")}
    return [n for n in ORDER if n in found] + sorted(found - set(ORDER))


def load(name: str) -> project_io.Project:
    path = template_dir() / f"{name}.json"
    if not path.is_file():
        raise ProjectError(f"no template named {name!r}; the templates are: {', '.join(names())}")
    project = project_io.load(path)
    project.path = None  # a template is a starting point, never saved over
    return project


def describe() -> list[tuple[str, str]]:
    return [(name, load(name).description) for name in names()]
