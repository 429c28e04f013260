"""The blocks a network is pretrained with, greedily and layer by layer: the RBM (also with
label units, or frame by frame), the autoencoder layer (sparse, denoising) and the
variational encoder. The convolutional RBM is declared in ``blocks_conv_rbm``."""

from __future__ import annotations

from collections.abc import Callable

from core.catalog.blocks import ACTIVATIONS, activation_param, units_param
from core.catalog.rules_keras import known
from core.catalog.types import BlockType, Param, Params, Recipe, Shape
from core.limits import MAX_CLASSES
from core.shapes import require_known_features, require_rank

GROUP = "Pretraining"


def _vector_input(what: str) -> Callable[[list[Shape]], int]:
    def check(shapes: list[Shape]) -> int:
        require_rank(shapes[0], (1,), what)
        return require_known_features(shapes[0], what)

    return check


def _rbm_shape(p: Params, shapes: list[Shape]) -> Shape:
    """Vectors; with ``per_frame``, (frames, features) read frame by frame with the same
    weights (a DBN on spectral frames), the frames keeping their axis."""
    if not p.get("per_frame"):
        _vector_input("An RBM")(shapes)
        return (p["units"],)
    require_rank(shapes[0], (2,), "An RBM reading frames")
    require_known_features(shapes[0], "An RBM reading frames")
    return (*shapes[0][:-1], p["units"])


def _rbm_count(p: Params, shapes: list[Shape]) -> int:
    v, h, labels = known(shapes[0][-1]), int(p["units"]), int(p.get("label_units") or 0)
    return (v + labels) * h + h + v + labels


def _ae_count(p: Params, shapes: list[Shape]) -> int:
    v, h = known(shapes[0][0]), int(p["units"])
    return v * h + h + v + (0 if p["tied"] else h * v)


def _vae_shape(p: Params, shapes: list[Shape]) -> Shape:
    _vector_input("A VAE block")(shapes)
    return (p["latent_dim"],)


def _vae_count(p: Params, shapes: list[Shape]) -> int:
    latent: int = p["latent_dim"]
    return 2 * (known(shapes[0][0]) * latent + latent)


BLOCKS: tuple[BlockType, ...] = (
    BlockType(
        "RBM",
        GROUP,
        "Restricted Boltzmann machine: in the network a sigmoid layer; pretrained greedily with "
        "contrastive divergence to model its input.",
        (
            units_param(256, "number of hidden units"),
            Param(
                "visible",
                "choice",
                "bernoulli",
                "visible units: 'bernoulli' for binary or [0, 1] data, 'gaussian' for real "
                "values with unit variance",
                choices=("bernoulli", "gaussian"),
            ),
            Param(
                "per_frame",
                "bool",
                False,
                "read (frames, features) input frame by frame with the same weights, keeping "
                "the frames (a DBN on spectral frames); else the input is one vector",
            ),
            Param(
                "label_units",
                "int",
                0,
                "join the data's labels to the visible layer as one softmax group of this many "
                "units, one per class (the top RBM of a DBN as in Hinton, Osindero and Teh "
                "2006): it then generates a chosen class and classifies by free energy. Only "
                "on the last RBM of a stack, for a dataset with labels; 0: no labels",
                minimum=0,
                maximum=MAX_CLASSES,
                label="Label units",
            ),
        ),
        infer=_rbm_shape,
        count=_rbm_count,
        has_weights=True,
        recipe=lambda p: Recipe(
            "layerwise.RBM",
            {
                "units": p["units"],
                "visible": p["visible"],
                "per_frame": p["per_frame"],
                "label_units": p["label_units"],
            },
        ),
        pretrain="rbm",
    ),
    BlockType(
        "Autoencoder",
        GROUP,
        "An autoencoder layer: in the network its encoder; pretrained greedily to reconstruct "
        "its input, optionally sparse (KL penalty) and denoising.",
        (
            units_param(256, "number of code units"),
            activation_param("sigmoid", help="the encoder's function"),
            Param(
                "decoder_activation",
                "choice",
                "sigmoid",
                "the decoder's function: sigmoid for [0, 1] data, linear for real values",
                choices=ACTIVATIONS,
            ),
            Param("tied", "bool", True, "decode with the transpose of the encoder's weights"),
            Param(
                "sparsity_target",
                "float",
                0.05,
                "target mean activation ρ of each code unit",
                minimum=0.001,
                maximum=0.999,
            ),
            Param(
                "sparsity_weight",
                "float",
                0.0,
                "weight β of the KL(ρ‖ρ̂) sparsity penalty; 0 turns it off",
                minimum=0.0,
                maximum=100.0,
            ),
            Param(
                "corruption",
                "choice",
                "none",
                "denoising: corrupt the input while pretraining",
                choices=("none", "masking", "gaussian"),
            ),
            Param(
                "corruption_level",
                "float",
                0.3,
                "fraction masked, or the noise's standard deviation",
                minimum=0.0,
                maximum=5.0,
            ),
        ),
        infer=lambda p, s: (_vector_input("An autoencoder layer")(s), (p["units"],))[1],
        count=_ae_count,
        has_weights=True,
        recipe=lambda p: Recipe(
            "layerwise.Autoencoder",
            {
                k: p[k]
                for k in (
                    "units",
                    "activation",
                    "decoder_activation",
                    "tied",
                    "sparsity_target",
                    "sparsity_weight",
                    "corruption",
                    "corruption_level",
                )
            },
        ),
        pretrain="autoencoder",
    ),
    BlockType(
        "VAE",
        GROUP,
        "Variational encoder: maps its input to a Gaussian code, samples it while training and "
        "adds the KL term to the loss.",
        (
            Param("latent_dim", "int", 16, "size of the latent code", minimum=1, maximum=4096),
            Param("beta", "float", 1.0, "weight of the KL term", minimum=0.0, maximum=100.0),
        ),
        infer=_vae_shape,
        count=_vae_count,
        has_weights=True,
        recipe=lambda p: Recipe(
            "layerwise.VAESampling", {"latent_dim": p["latent_dim"], "beta": p["beta"]}
        ),
    ),
)
