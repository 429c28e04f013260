"""Codes of an autoencoder or VAE: find the code layer, encode windows, decode codes.

:class:`CodeAccess` is the part of the loaded model the decode, fixed-point and VAE methods
share; it reads the attributes :class:`core.music.generation.model.GenerationModel` sets
(``layers``, ``objective``, ``summary``, the shapes and the piano-roll geometry).
"""

from __future__ import annotations

import numpy as np

from core.music.generation.errors import GenerationError
from core.music.generation.layers import is_reshaping, kind, run, to_numpy


class CodeAccess:
    layers: list
    objective: str | None
    summary: dict | None
    input_shape: tuple
    sample_shape: tuple
    window_steps: int | None
    pitch_count: int
    _functions: dict

    def _to_input(self, windows: np.ndarray) -> np.ndarray:
        # The model's input may be the data's samples flattened (training reshapes them).
        shape = self.input_shape if None not in self.input_shape else self.sample_shape
        return np.asarray(windows, np.float32).reshape((len(windows), *shape))

    @property
    def fixed_window(self) -> int:
        """Time steps in one of the model's windows (a sequence model has none)."""
        if self.window_steps is None:
            raise GenerationError("this model reads sequences of any length, not windows")
        return self.window_steps

    def _to_windows(self, output) -> np.ndarray:
        out = np.asarray(output, dtype=np.float32)
        window = self.fixed_window
        if out.size != len(out) * window * self.pitch_count:
            raise GenerationError(
                f"the model's output {out.shape[1:]} cannot be read as a piano roll of "
                f"{window} steps x {self.pitch_count} pitches"
            )
        return out.reshape(len(out), window, self.pitch_count)

    def _code_index(self) -> int:
        """Index in ``self.layers`` of the code layer (autoencoders)."""
        names = [layer.name for layer in self.layers]
        block = (self.summary or {}).get("code_block")
        if block in names:
            return names.index(block)
        decoders = [i for i, n in enumerate(names) if n.startswith("decode_")]
        if decoders:
            return decoders[0] - 1
        encoders = [
            i for i, layer in enumerate(self.layers) if kind(layer) in ("Autoencoder", "RBM")
        ]
        if encoders:
            return encoders[-1]
        raise GenerationError("cannot find the autoencoder's code layer in this model")

    def code_size(self) -> int:
        if self.objective == "vae":
            return int(self._vae_parts()[1].latent_dim)
        return int(self.layers[self._code_index()].output.shape[-1])

    def encode(self, windows: np.ndarray) -> np.ndarray:
        """Codes of (n, window, pitches) windows: the code layer's output, or a VAE's mean."""
        return self._compiled("encode", self._encoder)(self._to_input(windows))

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """Note probabilities, (n, window, pitches), for codes (n, code size)."""
        codes = np.asarray(codes, dtype=np.float32)
        return self._to_windows(self._compiled("decode", self._decoder)(codes))

    def reconstruct(self, windows: np.ndarray) -> np.ndarray:
        """The autoencoder's (or VAE's) output for windows, as windows."""
        return self.decode(self.encode(windows))

    def _compiled(self, key: str, make):
        """``make()``'s function as one TensorFlow graph (built on first use, then kept):
        a call costs one dispatch instead of one per layer, which fixed-point iteration feels."""
        if key not in self._functions:
            import tensorflow as tf

            graph = tf.function(make(), reduce_retracing=True)
            self._functions[key] = lambda x: to_numpy(graph(tf.constant(x, tf.float32)))
        return self._functions[key]

    def _encoder(self):
        if self.objective == "vae":
            before, vae, _ = self._vae_parts()
            return lambda x: vae.distribution(run(before, x))[0]
        layers = self.layers[: self._code_index() + 1]
        return lambda x: run(layers, x)

    def _decoder(self):
        if self.objective == "vae":
            after = self._vae_parts()[2]
            return lambda z: run(after, z)
        index = self._code_index()
        after = self.layers[index + 1 :]
        if any(layer.name.startswith("decode_") for layer in after):
            return lambda z: run(after, z)
        undo = _undo_functions(self.layers[: index + 1])

        def decoder(z):
            for function in undo:
                z = function(z)
            return z

        return decoder

    def _vae_parts(self):
        kinds = [kind(layer) for layer in self.layers]
        i = kinds.index("VAESampling")
        return self.layers[:i], self.layers[i], self.layers[i + 1 :]


def _undo_functions(encoder_layers: list) -> list:
    """A bare stack of autoencoders / RBMs decodes through each layer's own decoder."""
    undo = []
    for layer in reversed(encoder_layers):
        name = kind(layer)
        if name == "Autoencoder":
            undo.append(layer.decode)
        elif name == "RBM":
            undo.append(layer.visible_mean)
        elif not is_reshaping(layer):
            raise GenerationError(
                f"cannot decode through {layer.name!r} ({name}): the model has no decoder "
                "layers (decode_<block>) and only autoencoder or RBM layers can be undone"
            )
    return undo
