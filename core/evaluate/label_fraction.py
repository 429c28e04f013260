"""Greedy pretraining against random weights when labels are few.

The run's own project is trained again on a stratified ``fraction`` of its training labels,
once with its greedy pretraining and once from random weights (same seed, same epochs), and
both networks are measured on the split the evaluation reads. This is the comparison the
deep-belief-net lectures make: pretraining on all the (unlabelled) inputs helps most when
labels are scarce. Only training inputs and labels are used; the held-out split only scores.
"""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.errors import LayerwiseError

DEFAULT_FRACTION = 0.1


def pretrains(project_json: dict) -> bool:
    """Whether the network has a block that pretrains greedily (with pretraining switched on)."""
    from core.build import pretraining_plan
    from core.project import project_from_json

    doc = copy.deepcopy(project_json)
    doc.setdefault("training", {}).setdefault("pretraining", {})["enabled"] = True
    return bool(pretraining_plan(project_from_json(doc)))


def compare_label_fraction(
    project_json: dict,
    dataset,
    split: str,
    fraction: float = DEFAULT_FRACTION,
    say: Callable[[str], None] = lambda message: None,
) -> dict | None:
    """{"fraction", "split", "pretrained", "random"} accuracies on ``split``, or None when the
    network has nothing to pretrain."""
    if not 0 < fraction <= 1:
        raise LayerwiseError(f"the label fraction must be above 0 and at most 1; got {fraction}")
    if not pretrains(project_json):
        return None
    from core.evaluate.splits import held_out

    x, y = held_out(dataset, split)
    result: dict = {"fraction": fraction, "split": split}
    for name, pretraining in (("pretrained", True), ("random", False)):
        say(f"training on {fraction:g} of the labels, {name}")
        result[name] = _accuracy(project_json, dataset, fraction, pretraining, x, y)
    return result


def _accuracy(project_json, dataset, fraction, pretraining, x, y) -> float | None:
    from core.music.generation import GenerationModel
    from core.music.generation.layers import to_numpy
    from core.project import project_from_json
    from core.training.events import Failed
    from core.training.session import run_training

    doc = copy.deepcopy(project_json)
    doc["training"].setdefault("finetune", {})["label_fraction"] = fraction
    project = project_from_json(doc)
    with tempfile.TemporaryDirectory(prefix="layerwise-labels-") as folder:
        run = Path(folder) / "run"
        for event in run_training(
            project, run, pretraining=pretraining, dataset=dataset, snapshot_every=0
        ):
            if isinstance(event, Failed):
                raise LayerwiseError(f"the {fraction:g}-label run failed: {event.message}")
        model = GenerationModel(run).model
    if not len(y):
        return None
    inputs = np.asarray(x, np.float32).reshape((len(x), *model.input.shape[1:]))
    scores = np.concatenate(
        [to_numpy(model(inputs[i : i + 256], training=False)) for i in range(0, len(x), 256)]
    )
    return float((scores.argmax(axis=-1) == np.asarray(y)).mean())
