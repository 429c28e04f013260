"""The arrays a session trains on: the dataset's splits fitted to the network's Input and
checked against the objective, with clear DataErrors for data that cannot train."""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import DataError

MAX_EXAMPLES = 6  # examples a snapshot shows


@dataclass(frozen=True)
class SessionInputs:
    x_train: np.ndarray
    x_val: np.ndarray
    x_test: np.ndarray
    examples: np.ndarray  # the few samples snapshots reconstruct (validation when it has any)
    y_train: np.ndarray | None = None  # the labels, for an RBM that joins them
    y_val: np.ndarray | None = None


def fit_to_input(
    x: np.ndarray, sample_shape: Sequence[int], input_shape: Sequence[int | None], input_name: str
) -> np.ndarray:
    """Reshape the data to the Input block's shape when the sizes agree, else DataError."""
    sample_shape = tuple(sample_shape)
    input_shape = tuple(input_shape)
    if len(sample_shape) == len(input_shape) and all(
        want is None or want == have for want, have in zip(input_shape, sample_shape, strict=False)
    ):
        return x
    fixed = [d for d in input_shape if d is not None]
    if len(fixed) == len(input_shape) and math.prod(fixed) == math.prod(sample_shape):
        return x.reshape((len(x), *fixed))
    shown = "(" + ", ".join("any" if d is None else str(d) for d in input_shape) + ")"
    raise DataError(
        f"the data's samples have shape {sample_shape} but the Input block '{input_name}' "
        f"expects {shown}; change the Input block's shape or the data representation"
    )


def _input_name(model: Any) -> str:
    name = model.input.name.split(":")[0] if hasattr(model.input, "name") else "input"
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            name = layer.name
    return str(name)


def prepare_inputs(dataset: Any, model: Any, objective: str, output_block: str) -> SessionInputs:
    """The dataset's splits shaped for ``model``; DataError when they cannot train it."""
    ds = dataset
    input_shape = tuple(model.input.shape[1:])
    input_name = _input_name(model)
    if not len(ds.x_train):
        raise DataError(f"the dataset '{ds.name}' has no training samples")
    x_train, x_val, x_test = (
        fit_to_input(x, ds.sample_shape, input_shape, input_name)
        for x in (ds.x_train, ds.x_val, ds.x_test)
    )
    for name, x in (("training", x_train), ("validation", x_val)):
        if not np.all(np.isfinite(x)):
            raise DataError(f"the {name} data holds NaN or infinite values")
    if objective == "classifier":
        _check_labels(ds, model.output.shape[-1], output_block)
    if objective == "sequence" and x_train.ndim != 3:
        raise DataError(
            "the sequence objective needs (time, features) samples, e.g. "
            f"piano rolls; the data's samples have shape {ds.sample_shape}"
        )
    if objective == "sequence" and x_train.shape[1] < 2:
        raise DataError("the sequence objective needs windows of at least 2 steps")
    examples = (x_val if len(x_val) else x_train)[:MAX_EXAMPLES]
    return SessionInputs(x_train, x_val, x_test, examples, ds.y_train, ds.y_val)


def _check_labels(ds: Any, units: int | None, output_block: str) -> None:
    if ds.y_train is None:
        raise DataError(
            f"the dataset '{ds.name}' has no labels, so the classifier "
            "objective cannot train on it; choose another objective"
        )
    top = int(max(np.max(ds.y_train), np.max(ds.y_val) if len(ds.y_val) else 0))
    if units is not None and top >= units:
        raise DataError(
            f"the data has {top + 1} classes but the output block '{output_block}' has "
            f"{units} units"
        )


def load_with_progress(
    data: dict[str, Any], every_s: float = 0.1
) -> Generator[tuple[int, int, str], None, Any]:
    """Load ``data`` on a thread, yielding (done, total, text) as the loader reports it (at
    most every ``every_s`` seconds, and the last one always); return the Dataset. The
    loader's error is raised here, in the caller's thread."""
    from core.data import load_dataset

    updates: queue.Queue[tuple[int, int, str] | None] = queue.Queue()
    result: dict[str, Any] = {}

    def load() -> None:
        try:
            result["dataset"] = load_dataset(data, progress=lambda *u: updates.put(u))
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller
            result["error"] = exc
        finally:
            updates.put(None)

    thread = threading.Thread(target=load, name="layerwise-data", daemon=True)
    thread.start()
    last = 0.0
    while (update := updates.get()) is not None:
        done, total, text = update
        if time.monotonic() - last >= every_s or done == total:
            last = time.monotonic()
            yield done, total, text
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["dataset"]
