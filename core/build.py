"""Spec → keras.Model (functional) plus the pretraining plan.

The builder reads each block's Keras recipe from the catalog; layer names are block ids, so
``model.get_layer(block_id)`` finds a block's layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import catalog
from core.catalog.rules_keras import call_arguments, concrete_kwargs
from core.errors import LayerwiseError
from core.export.initial_weights import apply_initial_weights
from core.project import Project
from core.validate import Report, validate


class InvalidNetwork(LayerwiseError):
    """The project does not validate; ``problems`` lists what is wrong, block by block."""

    def __init__(self, problems):
        self.problems = list(problems)
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        super().__init__(f"the network is not valid: {first}{more}")


@dataclass(frozen=True)
class PretrainStep:
    """One greedy step: pretrain ``block`` as ``kind`` ("rbm" / "autoencoder")."""

    block: str
    kind: str
    settings: dict


@dataclass
class BuiltNetwork:
    model: object  # keras.Model
    report: Report
    plan: list[PretrainStep] = field(default_factory=list)

    @property
    def output_block(self) -> str:
        return self.report.output


def pretraining_plan(project: Project, report: Report | None = None) -> list[PretrainStep]:
    """The blocks that pretrain, in data order, with their settings (no Keras needed)."""
    report = report or validate(project)
    if not project.training.get("pretraining", {}).get("enabled", True):
        return []
    steps = []
    for block_id in report.order:
        block = project.network.block(block_id)
        kind = catalog.get(block.type).pretrain
        if kind is None:
            continue
        settings = project.pretrain_settings(block_id)
        if settings.get("enabled", True) and settings.get("epochs", 0) > 0:
            steps.append(PretrainStep(block_id, kind, settings))
    return steps


def layer_class(recipe: catalog.Recipe, input_rank: int | None = None):
    """The Keras class a recipe names (pooling picks 1-D or 2-D from the input's rank)."""
    from core.keras_env import load_keras

    keras = load_keras()
    name = recipe.class_name(input_rank)
    if recipe.custom:
        from core.layers import CUSTOM_LAYERS

        return CUSTOM_LAYERS[name]
    return getattr(keras.layers, name)


def make_layer(recipe: catalog.Recipe, name: str | None, input_rank: int | None = None):
    kwargs = concrete_kwargs(dict(recipe.kwargs), input_rank)
    if recipe.inner is not None:
        kwargs["layer"] = make_layer(recipe.inner, None)
    if name:
        kwargs["name"] = name
    return layer_class(recipe, input_rank)(**kwargs)


def build(project: Project, seed: int | None = None) -> BuiltNetwork:
    """Build the project's network; raises InvalidNetwork listing every problem."""
    report = validate(project)
    if not report.ok:
        raise InvalidNetwork(report.problems)
    from core.keras_env import load_keras

    keras = load_keras()
    keras.utils.set_random_seed(project.training.get("seed", 0) if seed is None else seed)
    spec = project.network
    tensors, inputs = {}, []
    for block_id in report.order:
        block = spec.block(block_id)
        decl = catalog.get(block.type)
        params = decl.with_defaults(block.params)
        if block.type == "Input":
            tensor = keras.Input(shape=tuple(params["shape"]), name=block_id)
            inputs.append(tensor)
            tensors[block_id] = tensor
            continue
        sources = [tensors[w.source] for w in spec.inputs_of(block_id)]
        rank = len(report.shapes[spec.inputs_of(block_id)[0].source])
        layer = make_layer(decl.recipe(params), block_id, rank)
        tensors[block_id] = layer(*call_arguments(decl, sources))
    model = keras.Model(
        inputs=inputs if len(inputs) > 1 else inputs[0],
        outputs=tensors[report.output],
        name=_model_name(project.name),
    )
    apply_initial_weights(model, project)
    return BuiltNetwork(model, report, pretraining_plan(project, report))


def _model_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in name).strip("_")
    return cleaned or "layerwise_model"
