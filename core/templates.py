"""Built-in templates (project files shipped in resources/templates) and the empty project
File › New gives."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from core import project as project_io
from core.catalog.data import default_data, sample_shape
from core.errors import ProjectError
from core.spec import Block

ORDER = (
    "deephear",
    "dbn-digits",
    "sda",
    "conv-classifier",
    "melody-vae",
    "lstm-pianoroll",
    "rnn-rbm",
    "dbn-generative",
    "dbn-labels",
    "dbn-audio",
    "cdbn-audio",
)
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


def input_params(data: dict) -> dict:
    """A new Input block's parameters: the shape of one sample of ``data`` (the catalog's
    default when the data section cannot say)."""
    from core import catalog

    params = catalog.get("Input").defaults()
    shape = sample_shape(data)
    if shape is not None:
        params["shape"] = shape
    return params


def empty(source: str | None = None) -> project_io.Project:
    """A project with one Input block shaped for its data (the default source unless
    ``source`` names another) and the default settings: File › New."""
    data = default_data()
    if source is not None:
        data["source"] = source
    project = project_io.Project(name="Untitled", data=data)
    project.network.blocks.append(Block("input", "Input", input_params(data), (0, 0)))
    return project
