"""Export a trained run or an untrained project; open and import model files safely.

The app's File menu and ``layerwise export`` call these. Importing this package stays light
(no Keras): each function imports what it needs.

- :func:`export_model` (source, fmt, out) -> Path, fmt one of :data:`FORMATS`
- :func:`load_model_safely` (path) -> keras.Model (refuses code, safe mode on)
- :func:`import_keras_model` (path) -> (Project, unmapped)
"""

from __future__ import annotations

from pathlib import Path

FORMATS = ("keras", "savedmodel", "onnx", "python", "report")
# Formats that need a trained model (a run folder); the others also export a bare project.
RUN_ONLY = ("report",)


def export_model(source, fmt: str, out) -> Path:
    """Export ``source`` (a run folder, a project file, a Project in memory or an opened
    Source) as ``fmt`` to ``out``; returns the path written. Raises LayerwiseError with a
    one-line message; nothing is left half-written."""
    from core.errors import LayerwiseError
    from core.export.exporters import EXPORTERS
    from core.export.sources import Source, open_source
    from core.project import Project

    if fmt not in EXPORTERS:
        raise LayerwiseError(
            f"unknown export format {fmt!r}; the formats are: {', '.join(FORMATS)}"
        )
    if isinstance(source, Project):
        source = Source(source.copy())
    elif not isinstance(source, Source):
        source = open_source(source)
    return EXPORTERS[fmt](source, Path(out))


def load_model_safely(path, compile: bool = False):
    from core.export.safe_load import load_model_safely as load

    return load(path, compile=compile)


def import_keras_model(path):
    from core.export.importer import import_keras_model as load

    return load(path)


__all__ = ["FORMATS", "RUN_ONLY", "export_model", "import_keras_model", "load_model_safely"]
