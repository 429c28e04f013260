"""Sequence models of their own kind: the RNN-RBM."""

from __future__ import annotations

from core.catalog.types import BlockType, Param, Params, Recipe, Shape
from core.limits import MAX_UNITS
from core.shapes import require_known_features, require_rank


def _rnn_rbm_shape(p: Params, shapes: list[Shape]) -> Shape:
    require_rank(shapes[0], (2,), "An RNN-RBM")
    require_known_features(shapes[0], "An RNN-RBM")
    return shapes[0]


def _rnn_rbm_count(p: Params, shapes: list[Shape]) -> int:
    keys = require_known_features(shapes[0], "An RNN-RBM")
    hidden, state = int(p["hidden_units"]), int(p["recurrent_units"])
    rbm = keys * hidden + keys + hidden
    rnn = keys * state + state * state + 2 * state
    return rbm + rnn + state * (keys + hidden)


BLOCKS: tuple[BlockType, ...] = (
    BlockType(
        "RNNRBM",
        "Recurrent",
        "RNN-RBM (Boulanger-Lewandowski et al. 2012): an RBM per time step whose biases an RNN "
        "sets from the steps before it. Outputs each next step's note probabilities; trained "
        "with contrastive divergence per step, generates by Gibbs sampling step by step.",
        (
            Param(
                "hidden_units",
                "int",
                150,
                "hidden units of each step's RBM",
                minimum=1,
                maximum=MAX_UNITS,
            ),
            Param(
                "recurrent_units",
                "int",
                100,
                "units of the RNN that carries the past",
                minimum=1,
                maximum=MAX_UNITS,
            ),
            Param(
                "mean_field_steps",
                "int",
                5,
                "mean-field passes for the output's next-step probabilities",
                minimum=1,
                maximum=100,
            ),
        ),
        infer=_rnn_rbm_shape,
        count=_rnn_rbm_count,
        has_weights=True,
        recipe=lambda p: Recipe(
            "layerwise.RNNRBM",
            {
                "hidden_units": p["hidden_units"],
                "recurrent_units": p["recurrent_units"],
                "mean_field_steps": p["mean_field_steps"],
            },
        ),
        pretrain="rnn-rbm",
    ),
)
