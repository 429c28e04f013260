"""Sequence models of their own kind: the RNN-RBM, and a joint output over a step's keys."""

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


def _joint_keys_shape(p: Params, shapes: list[Shape]) -> Shape:
    require_rank(shapes[0], (2,), "AutoregressiveKeys")
    require_known_features(shapes[0], "AutoregressiveKeys")
    return (shapes[0][0], p["keys"])


def _joint_keys_count(p: Params, shapes: list[Shape]) -> int:
    features = require_known_features(shapes[0], "AutoregressiveKeys")
    keys, hidden = int(p["keys"]), int(p["hidden_units"])
    count = features * keys + keys + keys * keys
    if hidden:
        count += features * hidden + hidden + 2 * keys * hidden
    return count


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
    BlockType(
        "AutoregressiveKeys",
        "Recurrent",
        "A joint distribution over the keys of each time step, as in RNN-NADE "
        "(Boulanger-Lewandowski et al. 2012): key by key from the lowest, each key's "
        "probability depends on the features at that step and on the keys below it that "
        "sound in the same step, so chords are learned as wholes. The last block of a "
        "next-step model: trained on its exact likelihood, generates by drawing a step's keys "
        "one by one. Its output is each key's mean-field probability.",
        (
            Param(
                "keys",
                "int",
                88,
                "keys of a step (the piano roll's pitches)",
                minimum=1,
                maximum=MAX_UNITS,
            ),
            Param(
                "hidden_units",
                "int",
                0,
                "hidden units over the keys below (NADE); 0: the keys below act linearly",
                minimum=0,
                maximum=MAX_UNITS,
            ),
        ),
        infer=_joint_keys_shape,
        count=_joint_keys_count,
        has_weights=True,
        recipe=lambda p: Recipe(
            "layerwise.AutoregressiveKeys",
            {"keys": p["keys"], "hidden_units": p["hidden_units"]},
        ),
    ),
)
