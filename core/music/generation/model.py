"""A run (or bare model) loaded once, ready to generate again and again."""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import numpy as np

from core.music.generation import autoencoder, rbm, sequence, vae
from core.music.generation.codes import CodeAccess
from core.music.generation.dbn import dbn_memory
from core.music.generation.errors import GenerationError
from core.music.generation.geometry import read_geometry
from core.music.generation.layers import RECURRENT, chain, is_reshaping, kind, shape
from core.music.generation.request import GenerationRequest
from core.music.generation.rnn_rbm import rnn_rbm_gibbs, rnn_rbm_layer
from core.music.generation.sampling import binarize
from core.music.generation.source import load_model, locate
from core.music.pianoroll import PianoRoll

QUARTERS_PER_BAR = 4

METHOD_FUNCTIONS = {
    "decode": autoencoder.decode,
    "gibbs": rbm.gibbs,
    "dbn-memory": dbn_memory,
    "vae-prior": vae.prior,
    "vae-interpolate": vae.interpolate,
    "vae-attribute": vae.attribute,
    "fixed-point": autoencoder.fixed_point,
    "next-step": sequence.next_step,
    "rnn-rbm-gibbs": rnn_rbm_gibbs,
}


class GenerationModel(CodeAccess):
    """A run (or bare model) loaded once, ready to generate again and again.

    Attributes a GUI may read: ``objective``, ``methods`` (usable methods, natural first),
    ``why_not`` (why no method applies, when ``methods`` is empty), ``steps_per_quarter``,
    ``lowest_pitch``, ``pitch_count``, ``window_steps`` (None: any length), ``tempo``,
    ``program``, ``last_info`` (what the last generation did: iterations, windows...).
    """

    def __init__(self, run_or_model, model_file: str | None = None):
        """``model_file``: another model of the run to load in place of model.keras (e.g.
        pretrained.keras, the stack before wake-sleep), read with the run's documents."""
        self.path = Path(os.fspath(run_or_model))
        source = locate(run_or_model)
        self.summary, self.project = source.summary, source.project
        found = source.model_path if model_file is None else source.model_path.parent / model_file
        self.model = load_model(found)
        self.layers = chain(self.model)
        self.input_shape = shape(self.model.inputs[0].shape[1:])
        summary = self.summary or {}
        self.sample_shape = shape(summary.get("sample_shape") or self.input_shape)
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
        return [kind(layer) for layer in self.layers]

    def _infer_objective(self) -> str | None:
        names = [layer.name for layer in self.layers]
        kinds = self._kinds()
        if any(n.startswith("decode_") for n in names):
            return "autoencoder"
        if "VAESampling" in kinds:
            return "vae"
        sequential = any(k in RECURRENT or k == "RNNRBM" for k in kinds)
        if sequential and len(self.input_shape) == 2:
            return "sequence"
        inner = [kind(layer) for layer in self.layers if not is_reshaping(layer)]
        if inner and all(k == "Autoencoder" for k in inner):
            return "autoencoder"
        if inner and all(k == "RBM" for k in inner):
            return "rbm"
        last = self.layers[-1] if self.layers else None
        activation = getattr(getattr(last, "activation", None), "__name__", "")
        if activation == "softmax" and len(shape(self.model.outputs[0].shape)) == 2:
            return "classifier"
        return None

    def _read_music_geometry(self) -> None:
        geometry = read_geometry(self.data, self.sample_shape, self.project)
        self.is_music, self.not_music = geometry.is_music, geometry.not_music
        self.pitch_count, self.window_steps = geometry.pitch_count, geometry.window_steps
        self.steps_per_quarter = geometry.steps_per_quarter
        self.lowest_pitch = geometry.lowest_pitch
        self.tempo, self.program = geometry.tempo, geometry.program

    def _rbm_stack(self) -> list:
        """RBM layers reached from the input through reshaping only (the DBN), in order."""
        return rbm.rbm_stack(self.layers)

    def _usable_methods(self) -> tuple[list[str], str]:
        if not self.is_music:
            return [], self.not_music
        gibbs = ["gibbs"] if self._rbm_stack() else []
        objective = self.objective
        if objective == "wake-sleep" and gibbs:  # the stack's generative weights are untied
            return ["dbn-memory", "decode", "fixed-point"], ""
        if objective == "rbm" and gibbs:
            return ["gibbs", "dbn-memory"], ""
        if objective == "autoencoder":
            return ["decode", "fixed-point", *gibbs], ""
        if objective == "vae":
            if "VAESampling" not in self._kinds():
                return [], "the run says it is a VAE but the model has no VAE block"
            return ["vae-prior", "vae-interpolate", "vae-attribute", "fixed-point"], ""
        if objective == "sequence":
            return (["rnn-rbm-gibbs"] if rnn_rbm_layer(self.layers) else ["next-step"]), ""
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
        GenerationRequest(method=method)  # an unknown name is refused first
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

    def generate(self, request: GenerationRequest | None = None, **options) -> PianoRoll:
        """One piece for ``request`` (or for ``options``, the request's fields by name)."""
        request = GenerationRequest.of(request, **options)
        method = self.resolve(request.method)
        request.check_applies(method)
        tempo = self.tempo if request.tempo is None else request.tempo
        program = self.program if request.program is None else request.program
        rng = np.random.default_rng(request.seed)
        n_steps = request.bars * QUARTERS_PER_BAR * self.steps_per_quarter
        with self._lock:
            self.last_info = {"method": method}
            roll = METHOD_FUNCTIONS[method](self, request, rng, n_steps)
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

    def _n_windows(self, n_steps: int) -> int:
        return math.ceil(n_steps / self.fixed_window)

    def _finish(self, probabilities: np.ndarray, n_steps: int, threshold, rng) -> np.ndarray:
        roll = np.asarray(probabilities, np.float32).reshape(-1, self.pitch_count)[:n_steps]
        return binarize(roll, threshold, rng)
