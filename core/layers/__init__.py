"""Layerwise's own Keras layers. Importing this package registers them with Keras, so
``keras.models.load_model`` opens a saved Layerwise model (safe mode stays on).

Each layer lives in its own module that needs nothing but ``keras``: the Python code exporter
copies a layer's source into the scripts it writes.
"""

from core.keras_env import prepare_environment

prepare_environment()

from core.layers.autoencoder import Autoencoder  # noqa: E402
from core.layers.autoregressive_keys import AutoregressiveKeys  # noqa: E402
from core.layers.conv_rbm import ConvRBM  # noqa: E402
from core.layers.maxout import Maxout  # noqa: E402
from core.layers.rbm import RBM  # noqa: E402
from core.layers.rnn_rbm import RNNRBM  # noqa: E402
from core.layers.vae import VAESampling  # noqa: E402

CUSTOM_LAYERS = {
    "RBM": RBM,
    "RNNRBM": RNNRBM,
    "ConvRBM": ConvRBM,
    "Autoencoder": Autoencoder,
    "VAESampling": VAESampling,
    "Maxout": Maxout,
    "AutoregressiveKeys": AutoregressiveKeys,
}

__all__ = [
    "CUSTOM_LAYERS",
    "RBM",
    "RNNRBM",
    "ConvRBM",
    "Autoencoder",
    "Maxout",
    "VAESampling",
    "AutoregressiveKeys",
]
