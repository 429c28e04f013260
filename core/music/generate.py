"""Generation methods: turn a trained run (or a bare ``.keras`` model) into a PianoRoll.

One :class:`GenerationModel` loads a run once and keeps what each method needs (the decoder
as a chain of layers, the RBM weights, a compiled next-step function), so the GUI can keep
one and generate again and again quickly; :func:`generate` is the one-call form (it keeps the
last few loaded models). Every random choice comes from ``numpy.random.default_rng(seed)``
and the network itself is run deterministically: the same seed gives the same piece.

Pieces longer than a model's window are made window by window (``bars`` of four quarter
notes at the model's ``steps_per_quarter``), the windows laid end to end and cut to length.

Methods (see ``METHODS``): "decode" (DeepHear: decode codes through the autoencoder's
decoder), "gibbs" (block Gibbs sampling in the top RBM, then down through the lower RBMs'
``visible_mean``), "vae-prior", "vae-interpolate" (spherical, in latent space),
"vae-attribute" (latent attribute vectors, as in MusicVAE), "fixed-point" (iterate the
autoencoder on its own output, Kazakçi et al. 2016), "next-step" (sample a sequence model
one step at a time with a temperature). "auto" picks the natural one for the run.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from core.errors import LayerwiseError, ModelFileError
from core.music.gen_sampling import (
    ATTRIBUTES,
    attribute_values,
    bernoulli,
    binarize,
    slerp,
    tempered_bernoulli,
    tempered_categorical,
)
from core.music.pianoroll import PianoRoll

METHODS = {
    "auto": "the natural method for the run's objective",
    "decode": "decode random or chosen codes through the autoencoder's decoder (DeepHear)",
    "gibbs": "Gibbs sampling in the top RBM from noise or a piece, then down through the DBN",
    "vae-prior": "decode codes sampled from the VAE's prior N(0, I)",
    "vae-interpolate": "decode points on the spherical path between two pieces' VAE codes",
    "vae-attribute": "shift VAE codes along an attribute vector (e.g. note density)",
    "fixed-point": "feed the autoencoder its own output until it stops changing",
    "next-step": "sample a sequence model one time step at a time, with a temperature",
}

QUARTERS_PER_BAR = 4
GIBBS_STEPS = 200
FIXED_POINT_STEPS = 50
MAX_BARS = 1024
_CACHE_SIZE = 3

_RESHAPING = ("Flatten", "Reshape", "InputLayer", "Dropout", "GaussianNoise")
_RECURRENT = ("LSTM", "GRU", "SimpleRNN")


class GenerationError(LayerwiseError):
    """A model or a request that no generation method can serve; the message says why."""


# ---- reading a run ---------------------------------------------------------------------------


def _read_json(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LayerwiseError(f"{path}: cannot read ({exc})") from None
    return doc if isinstance(doc, dict) else None


def _locate(run_or_model) -> tuple[Path, dict | None, dict | None]:
    """(model path, summary or None, project JSON or None) for a run folder or .keras file."""
    path = Path(os.fspath(run_or_model))
    if path.is_dir():
        model_path = path / "model.keras"
        if not model_path.is_file():
            raise LayerwiseError(f"{path}: not a run folder (no model.keras in it)")
        folder = path
    elif path.is_file():
        if path.suffix != ".keras":
            raise LayerwiseError(f"{path}: expected a run folder or a .keras model file")
        model_path = path
        # A run's own model.keras still finds its summary beside it.
        folder = path.parent if path.name == "model.keras" else None
    else:
        raise LayerwiseError(f"{path}: no such run folder or model file")
    summary = _read_json(folder / "summary.json") if folder else None
    project = _read_json(folder / "project.json") if folder else None
    return model_path, summary, project


def _load_model(model_path: Path):
    from core.keras_env import load_keras, quiet_native_logs

    keras = load_keras()
    failure = None
    with quiet_native_logs():  # TensorFlow probes CUDA, noisily, on its first op
        try:
            model = keras.models.load_model(model_path, safe_mode=True, compile=False)
        except Exception as exc:  # Keras raises many types for bad or foreign files
            failure = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if failure is not None:
        raise ModelFileError(f"{model_path}: cannot load the model ({failure})")
    return model


def _whole(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _kind(layer) -> str:
    return type(layer).__name__


def _chain(model) -> list:
    """The model's layers in order, checked to form one chain from its one input."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise GenerationError("generation needs a network with one input and one output")
    layers = [layer for layer in model.layers if _kind(layer) != "InputLayer"]
    previous = model.inputs[0]
    for layer in layers:
        try:
            inbound = layer.input
        except (AttributeError, ValueError):
            inbound = None
        if inbound is not previous:
            raise GenerationError(
                f"generation needs a network that is one chain of layers; {layer.name!r} "
                "joins branches"
            )
        previous = layer.output
    return layers


def _shape(shape) -> tuple:
    return tuple(None if d is None else int(d) for d in shape)


# ---- the loaded model ---------------------------------------------------------------------------


class GenerationModel:
    """A run (or bare model) loaded once, ready to generate again and again.

    Attributes a GUI may read: ``objective``, ``methods`` (usable methods, natural first),
    ``why_not`` (why no method applies, when ``methods`` is empty), ``steps_per_quarter``,
    ``lowest_pitch``, ``pitch_count``, ``window_steps`` (None: any length), ``tempo``,
    ``program``, ``last_info`` (what the last generation did: iterations, windows...).
    """

    def __init__(self, run_or_model):
        self.path = Path(os.fspath(run_or_model))
        model_path, self.summary, self.project = _locate(run_or_model)
        self.model = _load_model(model_path)
        self.layers = _chain(self.model)
        self.input_shape = _shape(self.model.inputs[0].shape[1:])
        summary = self.summary or {}
        self.sample_shape = _shape(summary.get("sample_shape") or self.input_shape)
        self.data = dict(summary.get("data") or (self.project or {}).get("data") or {})
        self.objective = summary.get("objective") or self._infer_objective()
        self.last_info: dict = {}
        self._lock = threading.Lock()
        self._step_fns: dict = {}
        self._functions: dict = {}
        self._read_music_geometry()
        self.methods, self.why_not = self._usable_methods()

    # -- what the model is ----------------------------------------------------------------------

    def _kinds(self) -> list[str]:
        return [_kind(layer) for layer in self.layers]

    def _infer_objective(self) -> str | None:
        names = [layer.name for layer in self.layers]
        kinds = self._kinds()
        if any(n.startswith("decode_") for n in names):
            return "autoencoder"
        if "VAESampling" in kinds:
            return "vae"
        if any(k in _RECURRENT for k in kinds) and len(self.input_shape) == 2:
            return "sequence"
        inner = [k for k in kinds if k not in _RESHAPING]
        if inner and all(k == "Autoencoder" for k in inner):
            return "autoencoder"
        if inner and all(k == "RBM" for k in inner):
            return "rbm"
        last = self.layers[-1] if self.layers else None
        activation = getattr(getattr(last, "activation", None), "__name__", "")
        if activation == "softmax" and len(_shape(self.model.outputs[0].shape)) == 2:
            return "classifier"
        return None

    def _read_music_geometry(self) -> None:
        data, shape = self.data, self.sample_shape
        self.is_music = True
        self.not_music = ""
        kind, source = data.get("kind"), data.get("source")
        if kind == "image" or source == "digits":
            self.is_music = False
            what = "x".join(str(d) for d in shape)
            self.not_music = (
                f"this model was trained on {source or 'image'} images ({what}), not piano "
                "rolls, so its output cannot be read as music"
            )
        pitches = data.get("pitch_count")
        if pitches is None and len(shape) == 2 and shape[1] is not None:
            pitches = shape[1]
        if self.is_music and (not pitches or len(shape) not in (1, 2)):
            self.is_music = False
            self.not_music = f"the model's input {shape} is not a piano roll (time steps x pitches)"
        self.pitch_count = int(pitches or 0)
        self.window_steps = None
        if self.is_music:
            if len(shape) == 2:
                if shape[1] != self.pitch_count:
                    self.is_music = False
                    self.not_music = (
                        f"the model's input has {shape[1]} columns but the data "
                        f"{self.pitch_count} pitches"
                    )
                self.window_steps = shape[0]
            elif shape[0] is None or shape[0] % self.pitch_count:
                self.is_music = False
                self.not_music = (
                    f"the model's flat input of {shape[0]} values is not a whole number of "
                    f"time steps of {self.pitch_count} pitches"
                )
            else:
                self.window_steps = shape[0] // self.pitch_count
        self.steps_per_quarter = int(data.get("steps_per_quarter") or 4)
        default_low = 21 if self.pitch_count == 88 else max(0, 60 - self.pitch_count // 2)
        low = data.get("lowest_pitch")
        self.lowest_pitch = int(default_low if low is None else low)
        if self.is_music and self.lowest_pitch + self.pitch_count > 128:
            self.lowest_pitch = max(0, 128 - self.pitch_count)
        generation = (self.project or {}).get("generation") or {}
        self.tempo = float(generation.get("tempo") or 120.0)
        self.program = int(generation.get("program") or 0)

    def _rbm_stack(self) -> list:
        """RBM layers reached from the input through flattening only (the DBN), in order."""
        rbms = []
        for layer in self.layers:
            kind = _kind(layer)
            if kind == "RBM":
                rbms.append(layer)
            elif kind in _RESHAPING and not rbms:
                continue
            else:
                break
        return rbms

    def _usable_methods(self) -> tuple[list[str], str]:
        if not self.is_music:
            return [], self.not_music
        kinds = self._kinds()
        gibbs = ["gibbs"] if self._rbm_stack() else []
        objective = self.objective
        if objective == "autoencoder":
            return ["decode", "fixed-point", *gibbs], ""
        if objective == "vae":
            if "VAESampling" not in kinds:
                return [], "the run says it is a VAE but the model has no VAE block"
            return ["vae-prior", "vae-interpolate", "vae-attribute", "fixed-point"], ""
        if objective == "sequence":
            return ["next-step"], ""
        if gibbs:
            return gibbs, ""
        if objective == "classifier":
            return [], (
                "this model is a classifier: its output is class scores, not a piano roll, so "
                "no generation method applies"
            )
        if objective is None:
            return [], (
                "cannot tell how to generate from this model (no summary.json beside it, and "
                "it is neither an autoencoder, a VAE, an RBM stack nor a sequence model)"
            )
        return [], f"no generation method for objective {objective!r}"

    # -- generation -----------------------------------------------------------------------------

    def resolve(self, method: str = "auto") -> str:
        """The concrete method ``method`` means here (GenerationError when it cannot run)."""
        if method not in METHODS:
            raise GenerationError(
                f"unknown generation method {method!r} (one of: {', '.join(METHODS)})"
            )
        if not self.methods:
            raise GenerationError(self.why_not)
        if method == "auto":
            return self.methods[0]
        if method not in self.methods:
            raise GenerationError(
                f"method {method!r} does not apply to this {self.objective or 'model'}; "
                f"usable here: {', '.join(self.methods)}"
            )
        return method

    def generate(
        self,
        *,
        method="auto",
        seed=0,
        bars=4,
        temperature=1.0,
        threshold=0.5,
        code=None,
        start=None,
        pieces=None,
        steps=8,
        attribute="density",
        amount=1.0,
        tempo=None,
        program=None,
        iterations=None,
    ) -> PianoRoll:
        """One piece; see :func:`generate` for the arguments."""
        method = self.resolve(method)
        if not _whole(bars) or not 1 <= bars <= MAX_BARS:
            raise GenerationError(f"bars must be a whole number from 1 to {MAX_BARS}")
        if not _whole(seed) or seed < 0:
            raise GenerationError("seed must be a whole number, 0 or more")
        bars, seed = int(bars), int(seed)
        if temperature is None or temperature < 0:
            raise GenerationError("temperature must not be negative")
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise GenerationError("threshold must lie in 0..1 (or be None to sample)")
        tempo = self.tempo if tempo is None else float(tempo)
        program = self.program if program is None else int(program)
        if tempo <= 0:
            raise GenerationError("tempo must be positive")
        if not 0 <= program <= 127:
            raise GenerationError("program must be a General MIDI program 0..127")
        rng = np.random.default_rng(seed)
        n_steps = bars * QUARTERS_PER_BAR * self.steps_per_quarter
        args = dict(
            rng=rng,
            n_steps=n_steps,
            temperature=float(temperature),
            threshold=threshold,
            code=code,
            start=start,
            pieces=pieces,
            steps=steps,
            attribute=attribute,
            amount=float(amount),
            iterations=iterations,
        )
        with self._lock:
            self.last_info = {"method": method}
            roll = _METHOD_FUNCTIONS[method](self, **args)
        return PianoRoll(roll, self.steps_per_quarter, self.lowest_pitch, tempo, program)

    # -- helpers shared by methods ------------------------------------------------------------

    def windows_of(self, piece: PianoRoll, count: int | None = None) -> np.ndarray:
        """A piece cut into (n, window, pitches) windows on the model's pitch range."""
        if not isinstance(piece, PianoRoll):
            raise GenerationError("a start piece or example piece must be a PianoRoll")
        source = piece.roll
        if piece.steps_per_quarter != self.steps_per_quarter:  # onto the model's time grid
            steps = max(1, round(piece.steps * self.steps_per_quarter / piece.steps_per_quarter))
            index = np.arange(steps) * piece.steps_per_quarter // self.steps_per_quarter
            source = source[np.minimum(index, piece.steps - 1)]
        length = len(source)
        roll = np.zeros((length, self.pitch_count), dtype=np.float32)
        shift = piece.lowest_pitch - self.lowest_pitch
        lo, hi = max(0, shift), min(self.pitch_count, shift + piece.pitch_count)
        if hi > lo:
            roll[:, lo:hi] = source[:, lo - shift : hi - shift]
        w = self.window_steps or max(1, length)  # a sequence model: one long window
        n = max(1, math.ceil(length / w))
        padded = np.zeros((n * w, self.pitch_count), dtype=np.float32)
        padded[:length] = roll
        windows = padded.reshape(n, w, self.pitch_count)
        if count is not None:
            windows = windows[np.arange(count) % n]
        return windows

    def _to_input(self, windows: np.ndarray) -> np.ndarray:
        # The model's input may be the data's samples flattened (training reshapes them).
        shape = self.input_shape if None not in self.input_shape else self.sample_shape
        return np.asarray(windows, np.float32).reshape((len(windows), *shape))

    def _to_windows(self, output) -> np.ndarray:
        out = np.asarray(output, dtype=np.float32)
        size = self.window_steps * self.pitch_count
        if out.size != len(out) * size:
            raise GenerationError(
                f"the model's output {out.shape[1:]} cannot be read as a piano roll of "
                f"{self.window_steps} steps x {self.pitch_count} pitches"
            )
        return out.reshape(len(out), self.window_steps, self.pitch_count)

    def _n_windows(self, n_steps: int) -> int:
        return math.ceil(n_steps / self.window_steps)

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
            i for i, layer in enumerate(self.layers) if _kind(layer) in ("Autoencoder", "RBM")
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

    def _compiled(self, key: str, make):
        """``make()``'s function as one TensorFlow graph (built on first use, then kept):
        a call costs one dispatch instead of one per layer, which fixed-point iteration feels."""
        if key not in self._functions:
            import tensorflow as tf

            graph = tf.function(make(), reduce_retracing=True)
            self._functions[key] = lambda x: _numpy(graph(tf.constant(x, tf.float32)))
        return self._functions[key]

    def _encoder(self):
        if self.objective == "vae":
            before, vae, _ = self._vae_parts()
            return lambda x: vae.distribution(_run(before, x))[0]
        layers = self.layers[: self._code_index() + 1]
        return lambda x: _run(layers, x)

    def _decoder(self):
        if self.objective == "vae":
            after = self._vae_parts()[2]
            return lambda z: _run(after, z)
        index = self._code_index()
        after = self.layers[index + 1 :]
        if any(layer.name.startswith("decode_") for layer in after):
            return lambda z: _run(after, z)
        # A bare stack of autoencoders / RBMs: decode through each layer's own decoder.
        undo = []
        for layer in reversed(self.layers[: index + 1]):
            kind = _kind(layer)
            if kind == "Autoencoder":
                undo.append(layer.decode)
            elif kind == "RBM":
                undo.append(layer.visible_mean)
            elif kind not in _RESHAPING:
                raise GenerationError(
                    f"cannot decode through {layer.name!r} ({kind}): the model has no decoder "
                    "layers (decode_<block>) and only autoencoder or RBM layers can be undone"
                )

        def decoder(z):
            for function in undo:
                z = function(z)
            return z

        return decoder

    def reconstruct(self, windows: np.ndarray) -> np.ndarray:
        """The autoencoder's (or VAE's) output for windows, as windows."""
        return self.decode(self.encode(windows))

    def _vae_parts(self):
        kinds = self._kinds()
        i = kinds.index("VAESampling")
        return self.layers[:i], self.layers[i], self.layers[i + 1 :]

    def _finish(self, probabilities: np.ndarray, n_steps: int, threshold, rng) -> np.ndarray:
        roll = np.asarray(probabilities, np.float32).reshape(-1, self.pitch_count)[:n_steps]
        return binarize(roll, threshold, rng)


# ---- running layers -----------------------------------------------------------------------------


def _run(layers, x):
    for layer in layers:
        x = layer(x, training=False)
    return x


def _numpy(x) -> np.ndarray:
    from keras import ops

    return np.asarray(ops.convert_to_numpy(x), dtype=np.float32)


# ---- the methods --------------------------------------------------------------------------------


def _random_codes(gm: GenerationModel, n: int, rng) -> np.ndarray:
    """Codes drawn like the training data's codes (a Gaussian per unit with their mean and
    spread, kept in their range) when the run recorded them; otherwise spread over the code
    layer's range (sigmoid: U(0, 1), tanh: U(-1, 1)...)."""
    size = gm.code_size()
    stats = (gm.summary or {}).get("code_statistics")
    if stats and len(stats.get("mean", ())) == size:
        mean, std = np.asarray(stats["mean"]), np.asarray(stats["std"])
        codes = mean + std * rng.standard_normal((n, size))
        return np.clip(codes, stats["min"], stats["max"]).astype(np.float32)
    layer = gm.layers[gm._code_index()]
    activation = (
        "sigmoid"
        if _kind(layer) == "RBM"
        else getattr(getattr(layer, "activation", None), "__name__", "linear")
    )
    if activation in ("sigmoid", "hard_sigmoid"):
        return rng.random((n, size), dtype=np.float32)
    if activation in ("tanh", "softsign"):
        return rng.uniform(-1.0, 1.0, (n, size)).astype(np.float32)
    if activation in ("relu", "softplus", "elu", "selu", "gelu", "silu", "relu6"):
        return np.abs(rng.standard_normal((n, size))).astype(np.float32)
    return rng.standard_normal((n, size)).astype(np.float32)


def _chosen_codes(code, size: int, n: int) -> np.ndarray:
    codes = np.asarray(code, dtype=np.float32)
    if codes.ndim == 1:
        codes = codes[None, :]
    if codes.ndim != 2 or codes.shape[1] != size or not len(codes):
        raise GenerationError(
            f"a code for this model is {size} numbers (or rows of {size}), got shape "
            f"{np.shape(code)}"
        )
    return codes[np.arange(n) % len(codes)]


def _decode(gm, *, rng, n_steps, threshold, code, **_):
    n = gm._n_windows(n_steps)
    size = gm.code_size()
    codes = _random_codes(gm, n, rng) if code is None else _chosen_codes(code, size, n)
    gm.last_info.update(windows=n, codes=codes)
    return gm._finish(gm.decode(codes), n_steps, threshold, rng)


def _fixed_point(gm, *, rng, n_steps, threshold, start, iterations, **_):
    n = gm._n_windows(n_steps)
    if start is not None:
        x = gm.windows_of(start, n)
    else:
        x = rng.random((n, gm.window_steps, gm.pitch_count), dtype=np.float32)
    limit = FIXED_POINT_STEPS if iterations is None else int(iterations)
    done, converged = 0, False
    while done < limit and not converged:
        # Thresholded: a deterministic map, run until it stops changing. Sampled
        # (threshold None): a Markov chain through the autoencoder, run for ``limit`` steps
        # unless it too lands on a point it keeps.
        y = binarize(gm.reconstruct(x), threshold, rng)
        converged = bool(np.array_equal(y, x))
        x, done = y, done + 1
    gm.last_info.update(windows=n, iterations=done, converged=converged)
    return x.reshape(-1, gm.pitch_count)[:n_steps]


def _gibbs(gm, *, rng, n_steps, temperature, threshold, start, iterations, **_):
    rbms = gm._rbm_stack()
    n = gm._n_windows(n_steps)
    top = rbms[-1]
    if start is not None:
        v = gm.windows_of(start, n).reshape(n, -1)
        for layer in rbms[:-1]:  # up through the lower RBMs, mean field
            v = _numpy(layer.hidden_probabilities(v))
    else:
        features = int(top.kernel.shape[0])
        if top.visible == "bernoulli":
            v = (rng.random((n, features)) < 0.5).astype(np.float32)
        else:
            v = rng.standard_normal((n, features)).astype(np.float32)
    w = _numpy(top.kernel)
    b_hidden, b_visible = _numpy(top.hidden_bias), _numpy(top.visible_bias)
    t = max(temperature, 1e-3)
    limit = GIBBS_STEPS if iterations is None else int(iterations)
    mean = v
    for _step in range(limit):
        h = bernoulli(_sigmoid((v @ w + b_hidden) / t), rng)
        activation = h @ w.T + b_visible
        if top.visible == "bernoulli":
            mean = _sigmoid(activation / t)
            v = bernoulli(mean, rng)
        else:
            mean = activation
            v = activation + np.sqrt(t) * rng.standard_normal(activation.shape).astype(np.float32)
    x = mean  # the last step's expectation reads better than its sample
    for layer in reversed(rbms[:-1]):
        x = _numpy(layer.visible_mean(x))
    gm.last_info.update(windows=n, iterations=limit, rbms=[layer.name for layer in rbms])
    return gm._finish(gm._to_windows(x), n_steps, threshold, rng)


def _vae_prior(gm, *, rng, n_steps, temperature, threshold, code, **_):
    n = gm._n_windows(n_steps)
    size = gm.code_size()
    if code is None:
        z = (rng.standard_normal((n, size)) * temperature).astype(np.float32)
    else:
        z = _chosen_codes(code, size, n)
    gm.last_info.update(windows=n, codes=z)
    return gm._finish(gm.decode(z), n_steps, threshold, rng)


def _two_pieces(pieces):
    if pieces is None or len(pieces) != 2:
        raise GenerationError("interpolation needs two pieces (pieces=(first, second))")
    return pieces


def _vae_interpolate(gm, *, rng, threshold, pieces, steps, **_):
    first, second = _two_pieces(pieces)
    if not _whole(steps) or steps < 2:
        raise GenerationError("interpolation needs at least 2 steps")
    a = gm.encode(gm.windows_of(first, 1))[0]
    b = gm.encode(gm.windows_of(second, 1))[0]
    steps = int(steps)
    z = np.stack([slerp(a, b, t) for t in np.linspace(0.0, 1.0, steps)]).astype(np.float32)
    gm.last_info.update(windows=steps, codes=z, endpoints=(a, b))
    probabilities = gm.decode(z)
    return gm._finish(probabilities, steps * gm.window_steps, threshold, rng)


def _attribute_sets(gm, pieces, attribute):
    """(windows with the attribute, windows without) from pieces or the run's own data."""
    if attribute not in ATTRIBUTES:
        raise GenerationError(f"unknown attribute {attribute!r} (one of: {', '.join(ATTRIBUTES)})")
    if pieces is None:
        windows = _training_windows(gm)
    elif (
        isinstance(pieces, (tuple, list))
        and len(pieces) == 2
        and all(isinstance(p, (tuple, list)) for p in pieces)
    ):
        with_, without = (
            np.concatenate([gm.windows_of(p) for p in group]) if group else None for group in pieces
        )
        if with_ is None or without is None:
            raise GenerationError("both sets of pieces (with and without) must be non-empty")
        return with_, without
    else:
        windows = np.concatenate([gm.windows_of(p) for p in pieces])
    values = attribute_values(attribute, windows, gm.steps_per_quarter)
    middle = float(np.median(values))
    above, below = windows[values > middle], windows[values <= middle]
    if not len(above) or not len(below):
        raise GenerationError(
            f"the pieces do not differ in {attribute}: cannot find an attribute vector"
        )
    return above, below


def _training_windows(gm) -> np.ndarray:
    data = (gm.project or {}).get("data")
    if not data:
        raise GenerationError(
            "an attribute vector needs example pieces (pieces=...) or a run with project.json"
        )
    from core.data import load_dataset

    x = load_dataset(data).x_train
    return np.asarray(x, np.float32).reshape(len(x), gm.window_steps, gm.pitch_count)


def _vae_attribute(
    gm, *, rng, n_steps, temperature, threshold, start, pieces, attribute, amount, **_
):
    with_, without = _attribute_sets(gm, pieces, attribute)
    vector = gm.encode(with_).mean(axis=0) - gm.encode(without).mean(axis=0)
    n = gm._n_windows(n_steps)
    if start is not None:
        z = gm.encode(gm.windows_of(start, n))
    else:
        z = (rng.standard_normal((n, gm.code_size())) * temperature).astype(np.float32)
    z = (z + amount * vector).astype(np.float32)
    gm.last_info.update(windows=n, codes=z, vector=vector)
    return gm._finish(gm.decode(z), n_steps, threshold, rng)


# -- next-step ------------------------------------------------------------------------------------


def _step_plan(gm) -> list:
    """(kind, layer) for each layer stepped one frame at a time: "rnn" or "frame"."""
    plan = []
    for layer in gm.layers:
        kind = _kind(layer)
        if kind in _RECURRENT:
            plan.append(("rnn", layer))
        elif kind == "TimeDistributed":
            plan.append(("frame", layer.layer))
        elif kind == "Bidirectional":
            raise GenerationError(
                f"next-step sampling runs forwards in time; {layer.name!r} (Bidirectional) "
                "also reads the future"
            )
        elif kind in _FRAME_LAYERS:
            plan.append(("frame", layer))
        else:
            raise GenerationError(
                f"next-step sampling cannot step {layer.name!r} ({kind}) one frame at a time"
            )
    if not any(step == "rnn" for step, _ in plan):
        raise GenerationError("next-step sampling needs a recurrent layer (LSTM, GRU)")
    return plan


_FRAME_LAYERS = ("Dense", "Activation", "Maxout", "LayerNormalization", "Dropout", "GaussianNoise")


def _activation_name(function) -> str:
    return getattr(function, "__name__", "")


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


_NUMPY_ACTIVATIONS = {
    "sigmoid": lambda x: _sigmoid(x),
    "tanh": np.tanh,
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "softmax": _softmax,
}


def _numpy_steps(plan):
    """The plan as numpy operations when every layer is an LSTM or a Dense with a common
    activation (the LSTM template): a step then costs microseconds, not a TensorFlow call.
    None when some layer needs Keras."""
    steps = []
    for kind, layer in plan:
        name = _kind(layer)
        if name in ("Dropout", "GaussianNoise"):
            continue
        if kind == "rnn" and name == "LSTM":
            cell = layer.cell
            act = _NUMPY_ACTIVATIONS.get(_activation_name(cell.activation))
            rec = _NUMPY_ACTIVATIONS.get(_activation_name(cell.recurrent_activation))
            if act is None or rec is None:
                return None
            bias = _numpy(cell.bias) if cell.use_bias else 0.0
            weights = (_numpy(cell.kernel), _numpy(cell.recurrent_kernel), bias)
            steps.append(("lstm", weights, act, rec, int(cell.units)))
        elif kind == "frame" and name == "Dense":
            act = _NUMPY_ACTIVATIONS.get(_activation_name(layer.activation))
            if act is None:
                return None
            bias = _numpy(layer.bias) if layer.use_bias else 0.0
            steps.append(("dense", (_numpy(layer.kernel), bias), act, None, 0))
        else:
            return None
    return steps


def _step_function(gm, prefer_numpy: bool = True):
    """(step, initial_states, output kind): ``step(frame, states) -> (output, states)`` on
    numpy arrays, frames of shape (1, features)."""
    key = "numpy" if prefer_numpy else "keras"
    if key in gm._step_fns:
        return gm._step_fns[key]
    plan = _step_plan(gm)
    output_kind = _output_kind(gm.layers[-1])
    steps = _numpy_steps(plan) if prefer_numpy else None
    if steps is not None:

        def initial_states():
            return [
                (np.zeros((1, units), np.float32), np.zeros((1, units), np.float32))
                for kind, _, _, _, units in steps
                if kind == "lstm"
            ]

        def step(frame, states):
            x, new_states, k = np.asarray(frame, np.float32), [], 0
            for kind, weights, act, rec, units in steps:
                if kind == "lstm":
                    h, c = states[k]
                    z = x @ weights[0] + h @ weights[1] + weights[2]
                    i, f = rec(z[:, :units]), rec(z[:, units : 2 * units])
                    c = f * c + i * act(z[:, 2 * units : 3 * units])
                    x = rec(z[:, 3 * units :]) * act(c)
                    new_states.append((x, c))
                    k += 1
                else:
                    x = act(x @ weights[0] + weights[1])
            return x, new_states

        gm._step_fns[key] = (step, initial_states, output_kind)
        return gm._step_fns[key]

    import tensorflow as tf

    def initial_states():
        return [
            [tf.convert_to_tensor(s) for s in layer.cell.get_initial_state(1)]
            for kind, layer in plan
            if kind == "rnn"
        ]

    @tf.function(reduce_retracing=True)
    def compiled(frame, states):
        x, new_states, k = frame, [], 0
        for kind, layer in plan:
            if kind == "rnn":
                x, state = layer.cell(x, states[k], training=False)
                new_states.append(list(state) if isinstance(state, (list, tuple)) else [state])
                k += 1
            else:
                x = layer(x, training=False)
        return x, new_states

    def step(frame, states):
        x, states = compiled(tf.constant(np.asarray(frame, np.float32)), states)
        return x.numpy(), states

    gm._step_fns[key] = (step, initial_states, output_kind)
    return gm._step_fns[key]


def _output_kind(layer) -> str:
    inner = getattr(layer, "layer", layer)
    name = getattr(getattr(inner, "activation", None), "__name__", "sigmoid")
    return "softmax" if name == "softmax" else "sigmoid"


def _next_step(gm, *, rng, n_steps, temperature, threshold, start, **_):
    step, initial_states, output_kind = _step_function(gm)
    pitches = gm.pitch_count
    states = initial_states()
    frame = np.zeros((1, pitches), np.float32)
    primer = 0
    if start is not None:
        roll = gm.windows_of(start).reshape(-1, pitches)
        for row in roll[:-1]:
            _, states = step(row[None], states)
        frame = roll[-1:].copy()
        primer = len(roll)
    out = np.zeros((n_steps, pitches), np.float32)
    cut = 0.5 if threshold is None else threshold
    for i in range(n_steps):
        probabilities, states = step(frame, states)
        p = np.asarray(probabilities)[0]
        if p.shape[-1] != pitches:
            raise GenerationError(
                f"the model predicts {p.shape[-1]} values a step, the data has {pitches} pitches"
            )
        if output_kind == "softmax":
            frame = tempered_categorical(p, temperature, rng)[None]
        else:
            frame = tempered_bernoulli(p, temperature, rng, cut)[None]
        out[i] = frame[0]
    gm.last_info.update(primer_steps=primer, output=output_kind)
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return (0.5 * (1.0 + np.tanh(0.5 * x))).astype(np.float32)


_METHOD_FUNCTIONS = {
    "decode": _decode,
    "gibbs": _gibbs,
    "vae-prior": _vae_prior,
    "vae-interpolate": _vae_interpolate,
    "vae-attribute": _vae_attribute,
    "fixed-point": _fixed_point,
    "next-step": _next_step,
}


# ---- the one-call API ---------------------------------------------------------------------------

_cache: OrderedDict = OrderedDict()
_cache_lock = threading.Lock()


def load(run_or_model) -> GenerationModel:
    """A GenerationModel, reused while the model file is unchanged (the last few are kept)."""
    if isinstance(run_or_model, GenerationModel):
        return run_or_model
    model_path, _, _ = _locate(run_or_model)
    stat = model_path.stat()
    key = (str(Path(os.fspath(run_or_model)).resolve()), stat.st_mtime_ns, stat.st_size)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    gm = GenerationModel(run_or_model)
    with _cache_lock:
        _cache[key] = gm
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return gm


def methods_for(run_dir) -> list[str]:
    """The methods a run (or model file) can use, its natural one first; [] when none."""
    return list(load(run_dir).methods)


def generate(
    run_or_model,
    *,
    method="auto",
    seed=0,
    bars=4,
    temperature=1.0,
    threshold=0.5,
    code=None,
    start=None,
    pieces=None,
    steps=8,
    attribute="density",
    amount=1.0,
    tempo=None,
    program=None,
    iterations=None,
) -> PianoRoll:
    """Generate one piece from a run folder, a ``.keras`` file or a loaded GenerationModel.

    method       a name from ``METHODS`` ("auto": the run's natural method)
    seed         every random choice comes from it: same seed, same piece
    bars         length in 4-quarter bars (not for "vae-interpolate": ``steps`` windows)
    temperature  next-step: sampling temperature (0: most likely notes); vae-prior /
                 vae-attribute: scale of the prior; gibbs: temperature of the RBM
    threshold    note probability above which a cell is on; None samples each cell instead
    code         decode / vae-prior: a code (or rows of codes) instead of random ones
    start        gibbs / fixed-point: the piece to start from (else noise); next-step: primer
                 (the result continues it); vae-attribute: the piece to change
    pieces       vae-interpolate: two PianoRolls; vae-attribute: pieces whose windows are
                 split at the attribute's median, or (with, without) lists of pieces
    steps        vae-interpolate: points on the path, ends included
    attribute    vae-attribute: one of ``ATTRIBUTES`` ("density", "polyphony", "pitch")
    amount       vae-attribute: how far along the attribute vector (negative: away)
    tempo, program   of the result (default: the project's generation settings)
    iterations   gibbs / fixed-point: number of steps (default 200 / at most 50)
    """
    return load(run_or_model).generate(
        method=method,
        seed=seed,
        bars=bars,
        temperature=temperature,
        threshold=threshold,
        code=code,
        start=start,
        pieces=pieces,
        steps=steps,
        attribute=attribute,
        amount=amount,
        tempo=tempo,
        program=program,
        iterations=iterations,
    )
