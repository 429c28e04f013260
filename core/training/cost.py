"""What each phase of a run costs in machine-independent units, read from the built model's
shapes and the phase plan alone: nothing is traced, compiled or trained.

A layer's forward pass over one sample costs two operations per weight of its kernels (the
matrices: biases left out) at every position it is applied to (a convolution's pixels, a
recurrent layer's time steps). A training step costs a multiple of the forward pass: about 3
for back-propagation, 3 + 2k for contrastive divergence with k Gibbs steps. The seconds these
units take on this machine come from :mod:`core.training.speed`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from core.training.trainer import batch_plan

BACKPROP = 3.0  # forward, gradient of the inputs, gradient of the weights
RECURRENT = ("LSTM", "GRU", "SimpleRNN", "RNNRBM")  # layers that step through time in a loop
GIBBS_TRACE = 0.25  # a Gibbs step's share of a layer in the traced step (its loop is unrolled)


@dataclass(frozen=True)
class PhaseCost:
    """One phase's work: per epoch (batches, operations) and once (setting it up)."""

    name: str
    method: str
    epochs: int
    batches: int  # per epoch
    train_ops: float  # per epoch
    val_ops: float  # per epoch: the validation pass
    setup_ops: float  # once: the block's inputs computed through the layers below
    layers: float  # layers the phase's step traces (a Gibbs step unrolled: a quarter of one)
    time_steps: int  # sequential steps inside each batch (a recurrent layer's loop)
    recurrent: int = 0  # recurrent layers: each traces its loop and its gradient

    def as_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: Any) -> PhaseCost | None:
        """The cost written in an earlier run's summary, or None when it does not read."""
        try:
            return cls(
                name=str(record["name"]),
                method=str(record["method"]),
                epochs=int(record["epochs"]),
                batches=int(record["batches"]),
                train_ops=float(record["train_ops"]),
                val_ops=float(record["val_ops"]),
                setup_ops=float(record["setup_ops"]),
                layers=float(record["layers"]),
                time_steps=int(record["time_steps"]),
                recurrent=int(record.get("recurrent", 0)),
            )
        except (KeyError, TypeError, ValueError):
            return None


def plan_costs(session: Any) -> list[PhaseCost]:
    """The cost of each of the session's phases (after set-up: model built, data loaded)."""
    model, inputs = session.model, session.inputs
    data_shape = tuple(inputs.x_train.shape)
    n_train, n_val = len(inputs.x_train), len(inputs.x_val)
    n_all = n_train + n_val + len(inputs.examples)
    layers = [layer for layer in model.layers if layer.weights]
    costs = []
    for phase in session.phases:
        batch_size = int(phase.settings["batch_size"])
        if phase.pretrains:
            layer = model.get_layer(phase.block)
            below = _layers_below(model, layer)
            frames = _frames(phase.method, layer, data_shape)  # an RBM over frames: each one
            forward = forward_ops(layer, data_shape)
            _, batches = batch_plan(n_train * frames, batch_size)
            train = n_train * forward * _pretrain_factor(phase, layer, data_shape, forward)
            costs.append(
                PhaseCost(
                    name=phase.name,
                    method=phase.method,
                    epochs=phase.epochs,
                    batches=batches,
                    train_ops=train,
                    val_ops=n_val * forward * 2.0,
                    setup_ops=n_all * sum(forward_ops(b, data_shape) for b in below),
                    layers=1.0 + GIBBS_TRACE * (_gibbs_steps(phase, layer) - 1),
                    time_steps=_time_steps([layer], data_shape),
                    recurrent=_recurrent([layer]),
                )
            )
            continue
        batches = session._approx_steps(phase, n_train)
        samples = batches * min(batch_size, max(1, n_train))
        forward = sum(forward_ops(layer, data_shape) for layer in layers)
        mirrored = 2.0 if phase.method in ("autoencoder-unrolled", "wake-sleep") else 1.0
        costs.append(
            PhaseCost(
                name=phase.name,
                method=phase.method,
                epochs=phase.epochs,
                batches=batches,
                train_ops=samples * forward * mirrored * BACKPROP,
                val_ops=n_val * forward * mirrored,
                setup_ops=0.0,
                layers=len(layers) * mirrored,
                time_steps=_time_steps(layers, data_shape),
                recurrent=_recurrent(layers),
            )
        )
    return costs


def forward_ops(layer: Any, data_shape: tuple[int, ...]) -> float:
    """Operations of ``layer``'s forward pass over one sample."""
    weights = sum(_size(w) for w in layer.weights if len(w.shape) >= 2)
    return 2.0 * weights * _positions(layer, data_shape)


def _pretrain_factor(phase: Any, layer: Any, data_shape: tuple[int, ...], forward: float) -> float:
    """A pretraining step as a multiple of the block's forward pass."""
    if phase.method == "autoencoder":
        return 2.0 * BACKPROP  # encoder and decoder, both back-propagated
    kernel = getattr(layer, "kernel", None)
    if kernel is None or forward <= 0:
        return BACKPROP
    k = _gibbs_steps(phase, layer)
    share = 2.0 * _size(kernel) * _positions(layer, data_shape) / forward  # the RBM's part
    return share * (3.0 + 2.0 * k) + (1.0 - share) * BACKPROP


def _gibbs_steps(phase: Any, layer: Any) -> int:
    if getattr(layer, "kernel", None) is None or phase.method == "autoencoder":
        return 1
    return max(1, int(phase.settings.get("cd_k", 1)))


def _layers_below(model: Any, layer: Any) -> list[Any]:
    below = []
    for other in model.layers:
        if other is layer:
            break
        if other.weights:
            below.append(other)
    return below


def _frames(method: str, layer: Any, data_shape: tuple[int, ...]) -> int:
    """Samples per data sample: an RBM over (frames, features) learns from each frame."""
    shape = _input_shape(layer)
    if method == "rbm" and shape is not None and len(shape) == 3:
        return max(1, _known(shape[1], data_shape, 1))
    return 1


def _recurrent(layers: list[Any]) -> int:
    return sum(1 for layer in layers if type(layer).__name__ in RECURRENT)


def _time_steps(layers: list[Any], data_shape: tuple[int, ...]) -> int:
    steps = 0
    for layer in layers:
        shape = _input_shape(layer)
        if type(layer).__name__ in RECURRENT and shape is not None and len(shape) >= 3:
            steps += _known(shape[1], data_shape, 1)
    return steps


def _positions(layer: Any, data_shape: tuple[int, ...]) -> int:
    """Where a layer's kernels are applied in one sample: every position of its input but the
    last (feature) axis; a length not fixed by the model is the data's."""
    shape = _input_shape(layer)
    if shape is None or len(shape) <= 2:
        return 1
    return math.prod(_known(d, data_shape, i + 1) for i, d in enumerate(shape[1:-1]))


def _input_shape(layer: Any) -> tuple[Any, ...] | None:
    try:
        return tuple(layer.input.shape)
    except (AttributeError, ValueError):  # a layer used twice or not yet called
        return None


def _known(dim: Any, data_shape: tuple[int, ...], axis: int) -> int:
    if dim is not None:
        return int(dim)
    return int(data_shape[axis]) if axis < len(data_shape) else 1


def _size(weight: Any) -> int:
    return math.prod(int(d) for d in weight.shape)
