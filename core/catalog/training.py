"""Declarations of the training settings: per-block pretraining and the fine-tuning phase.

The same Param type as the blocks use, so the inspector edits them with the same widgets and
the validator checks them the same way.
"""

from __future__ import annotations

from typing import Any

from core.catalog.types import Param

_COMMON = (
    Param("enabled", "bool", True, "pretrain this block before fine-tuning"),
    Param("epochs", "int", 20, "passes over the data", minimum=0, maximum=10000),
    Param("batch_size", "int", 32, "samples per update", minimum=1, maximum=65536),
    Param("learning_rate", "float", 0.05, "step size", minimum=1e-7, maximum=10.0),
)

PRETRAIN_PARAMS: dict[str, tuple[Param, ...]] = {
    "rbm": _COMMON
    + (
        Param("cd_k", "int", 1, "Gibbs steps per update (CD-k)", minimum=1, maximum=100),
        Param(
            "persistent",
            "bool",
            False,
            "persistent contrastive divergence (PCD): keep the negative chains between updates",
        ),
        Param(
            "momentum",
            "float",
            0.5,
            "momentum of the updates (rises to final_momentum)",
            minimum=0.0,
            maximum=0.99,
        ),
        Param(
            "final_momentum",
            "float",
            0.9,
            "momentum after the first epochs",
            minimum=0.0,
            maximum=0.99,
        ),
        Param(
            "weight_decay", "float", 0.0001, "L2 penalty on the weights", minimum=0.0, maximum=1.0
        ),
        Param(
            "sparsity_target",
            "float",
            0.0,
            "target mean activation of the hidden units; 0 turns the sparsity term off",
            minimum=0.0,
            maximum=0.99,
        ),
        Param(
            "sparsity_cost", "float", 0.0, "weight of the sparsity term", minimum=0.0, maximum=100.0
        ),
    ),
    "autoencoder": _COMMON
    + (
        Param(
            "optimizer",
            "choice",
            "adam",
            "how the weights are updated",
            choices=("adam", "sgd", "rmsprop"),
        ),
    ),
}

PRETRAIN_PARAMS["rnn-rbm"] = _COMMON + (
    Param(
        "cd_k", "int", 15, "Gibbs steps per update (CD-k) at each time step", minimum=1, maximum=100
    ),
    Param(
        "optimizer",
        "choice",
        "adam",
        "how the weights are updated",
        choices=("adam", "sgd", "rmsprop"),
    ),
)

PRETRAIN_PARAMS["conv-rbm"] = _COMMON + (
    Param("cd_k", "int", 1, "Gibbs steps per update (CD-k)", minimum=1, maximum=100),
    *(p for p in PRETRAIN_PARAMS["rbm"] if p.name in ("momentum", "final_momentum")),
    Param("weight_decay", "float", 0.001, "L2 penalty on the filters", minimum=0.0, maximum=1.0),
    Param(
        "sparsity_target",
        "float",
        0.02,
        "target mean activation of the hidden units (Lee et al.: a few percent); 0 turns "
        "the sparsity term off",
        minimum=0.0,
        maximum=0.99,
    ),
    Param(
        "sparsity_cost",
        "float",
        1.0,
        "weight of the sparsity term (pushes each filter's hidden bias)",
        minimum=0.0,
        maximum=100.0,
    ),
)

PRETRAIN_DEFAULTS: dict[str, dict[str, Any]] = {
    "rbm": {"learning_rate": 0.05},
    "conv-rbm": {"learning_rate": 0.1, "batch_size": 16},
    "rnn-rbm": {"learning_rate": 0.001, "batch_size": 16},
    "autoencoder": {"learning_rate": 0.001},
}

# The whole plan's settings beside the per-block and fine-tuning ones.
PRETRAINING_SWITCH = Param(
    "enabled",
    "bool",
    True,
    "pretrain the pretrainable blocks greedily before fine-tuning",
    label="Greedy pretraining",
)
TRAINING_PARAMS: tuple[Param, ...] = (
    Param(
        "seed",
        "int",
        0,
        "random seed of the run (same seed, same result)",
        minimum=0,
        maximum=2**31 - 1,
    ),
)

OBJECTIVES = ("classifier", "autoencoder", "vae", "sequence", "wake-sleep")

FINETUNE_PARAMS: tuple[Param, ...] = (
    Param(
        "objective",
        "choice",
        "classifier",
        "what the network learns: labels (classifier), to rebuild its input (autoencoder, "
        "unrolled from the stack), a VAE, the next time step (sequence), or a stack of RBMs "
        "as a generative model (wake-sleep: contrastive up-down fine-tuning, Hinton et al. "
        "2006)",
        choices=OBJECTIVES,
    ),
    Param("epochs", "int", 30, "passes over the data", minimum=0, maximum=100000),
    Param("batch_size", "int", 32, "samples per update", minimum=1, maximum=65536),
    Param("learning_rate", "float", 0.001, "step size", minimum=1e-7, maximum=10.0),
    Param(
        "optimizer",
        "choice",
        "adam",
        "how the weights are updated",
        choices=("adam", "sgd", "rmsprop"),
    ),
    Param(
        "label_fraction",
        "float",
        1.0,
        "fraction of the training labels used (for few-label experiments)",
        minimum=0.001,
        maximum=1.0,
    ),
    Param(
        "clip_norm",
        "float",
        0.0,
        "gradients whose joint length is above this are scaled down to it, which keeps a "
        "recurrent network's updates from blowing up (0: no clipping)",
        minimum=0.0,
        maximum=1000.0,
    ),
    Param(
        "early_stopping",
        "int",
        0,
        "stop once this many epochs in a row have not lowered the validation loss, and keep "
        "the weights of the best epoch (0: run every epoch)",
        minimum=0,
        maximum=100000,
    ),
    Param(
        "pretrained_learning_rate_scale",
        "float",
        1.0,
        "learning rate of pretrained blocks relative to the rest: below 1 keeps the "
        "pretrained features from being washed out",
        minimum=0.0,
        maximum=1.0,
    ),
)


def pretrain_defaults(kind: str) -> dict[str, Any]:
    values = {p.name: p.default for p in PRETRAIN_PARAMS[kind]}
    values.update(PRETRAIN_DEFAULTS.get(kind, {}))
    return values


def finetune_defaults() -> dict[str, Any]:
    return {p.name: p.default for p in FINETUNE_PARAMS}
