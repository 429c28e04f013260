"""The export formats: keras, savedmodel, onnx, python, report.

Every function takes a :class:`~core.export.sources.Source` and the target path, writes
through :func:`core.fileio.staged` and returns the path written.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import warnings
from pathlib import Path

import numpy as np

from core import catalog
from core.errors import LayerwiseError, ModelFileError
from core.export.sources import Source
from core.fileio import staged
from core.validate import validate

RECURRENT = ("LSTM", "GRU", "Bidirectional")


def keras_model(source: Source):
    """The run's trained model (loaded safely), or the project's freshly built one."""
    if source.is_run:
        from core.export.safe_load import load_model_safely

        return load_model_safely(source.model_path)
    from core.build import build

    return build(source.project).model


def _sample_batch(model, batch: int = 1, free_length: int = 4) -> list:
    inputs = model.inputs
    return [
        np.zeros((batch, *[free_length if d is None else d for d in t.shape[1:]]), dtype="float32")
        for t in inputs
    ]


def _called(model):
    """tf2onnx and SavedModel tracing need a model that has run once."""
    batch = _sample_batch(model)
    model(batch if len(batch) > 1 else batch[0], training=False)
    return model


def export_keras(source: Source, out: Path) -> Path:
    with staged([out]) as (temp,):
        if source.is_run:
            keras_model(source)  # refuses an unsafe or broken model before it is copied
            shutil.copyfile(source.trained_run().model, temp)
        else:
            keras_model(source).save(temp.with_suffix(".keras"))
            if temp.suffix != ".keras":
                temp.with_suffix(".keras").rename(temp)
    return out


def export_savedmodel(source: Source, out: Path) -> Path:
    model = _called(keras_model(source))
    with staged([out], directory=True) as (temp,), _quiet():
        model.export(str(temp), format="tf_saved_model", verbose=False)
    return out


def onnx_problem(source: Source) -> str | None:
    """Why the network cannot go to ONNX faithfully, or None."""
    report = validate(source.project)
    spec = source.project.network
    free = [
        b.id
        for b in spec.blocks
        if b.type == "Input"
        and None in tuple(catalog.get("Input").with_defaults(b.params)["shape"])
    ]
    recurrent = [f"{b.id} ({b.type})" for b in spec.blocks if b.type in RECURRENT]
    if free and recurrent and report.ok:
        return (
            f"cannot export to ONNX: {', '.join(recurrent)} runs over a free time axis "
            f"(Input '{free[0]}' has an empty length); tf2onnx cannot convert that loop "
            "faithfully. Give the Input a fixed length, or export as keras or savedmodel"
        )
    return None


def export_onnx(source: Source, out: Path) -> Path:
    problem = onnx_problem(source)
    if problem:
        raise LayerwiseError(problem)
    model = _called(keras_model(source))
    with staged([out]) as (temp,), _quiet():
        try:
            model.export(str(temp), format="onnx", verbose=False)
        except Exception as exc:  # tf2onnx raises many kinds
            raise LayerwiseError(
                f"cannot export to ONNX: {' '.join(str(exc).split())[:200]}"
            ) from None
    return out


def export_python(source: Source, out: Path) -> Path:
    from core.export.python_code import model_source, weight_arrays

    if out.is_dir():
        out = out / "model.py"
    if not source.is_run:
        text = model_source(source.project)
        with staged([out]) as (temp,):
            temp.write_text(text, encoding="utf-8")
        return out
    weights_name = f"{out.stem}.weights.npz"
    text = model_source(source.project, weights_name)
    model = keras_model(source)
    arrays = weight_arrays(model)
    expected = {b.id for b in source.project.network.blocks}
    missing = sorted(expected - {layer.name for layer in model.layers})
    if missing:
        raise ModelFileError(
            f"{source.model_path}: the trained model has no layer for "
            f"block(s) {', '.join(missing)} of its project.json"
        )
    with staged([out, out.with_name(weights_name)]) as (script, weights):
        script.write_text(text, encoding="utf-8")
        with open(weights, "wb") as handle:
            np.savez(handle, **arrays)
    return out


def export_report(source: Source, out: Path) -> Path:
    if not source.is_run:
        raise LayerwiseError("a report needs a run folder (a trained model), not a project")
    from core.export.report import write_report

    with staged([out], directory=True) as (temp,):
        temp.mkdir()
        write_report(source, temp)
    return out


EXPORTERS = {
    "keras": export_keras,
    "savedmodel": export_savedmodel,
    "onnx": export_onnx,
    "python": export_python,
    "report": export_report,
}


@contextlib.contextmanager
def _quiet():
    """tf2onnx and the SavedModel writer print progress to stdout, logging and warnings."""
    loggers = [logging.getLogger(n) for n in ("tf2onnx", "tensorflow", "absl")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        # tf2onnx trips over its own FutureWarnings (np.object) when warnings are errors.
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
