"""Next-step sampling: run a sequence model one time step at a time, feeding each sampled
frame back in, with a temperature.

A step runs as numpy when every layer is an LSTM or a Dense with a common activation (the
LSTM template): a step then costs microseconds, not a TensorFlow call. Otherwise the
layers' own cells run inside one ``tf.function``. A model ending in AutoregressiveKeys steps
up to that layer and draws each step's keys jointly from it, one key at a time.
"""

from __future__ import annotations

import numpy as np

from core.joint_keys import joint_layer
from core.music.generation.errors import GenerationError
from core.music.generation.joint_keys import JointKeysSampler
from core.music.generation.layers import RECURRENT, is_reshaping, kind, sigmoid, to_numpy
from core.music.generation.sampling import tempered_bernoulli, tempered_categorical

_FRAME_LAYERS = ("Dense", "Activation", "Maxout", "LayerNormalization", "Dropout", "GaussianNoise")


def step_plan(layers: list) -> list:
    """(kind, layer) for each layer stepped one frame at a time: "rnn" or "frame"."""
    plan = []
    for layer in layers:
        name = kind(layer)
        if name in RECURRENT:
            plan.append(("rnn", layer))
        elif name == "TimeDistributed":
            plan.append(("frame", layer.layer))
        elif name == "Bidirectional":
            raise GenerationError(
                f"next-step sampling runs forwards in time; {layer.name!r} (Bidirectional) "
                "also reads the future"
            )
        elif name in _FRAME_LAYERS:
            plan.append(("frame", layer))
        else:
            raise GenerationError(
                f"next-step sampling cannot step {layer.name!r} ({name}) one frame at a time"
            )
    if not any(step == "rnn" for step, _ in plan):
        raise GenerationError("next-step sampling needs a recurrent layer (LSTM, GRU)")
    return plan


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


_NUMPY_ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "softmax": _softmax,
}


def _numpy_activation(function):
    return _NUMPY_ACTIVATIONS.get(getattr(function, "__name__", ""))


def _numpy_lstm(layer):
    cell = layer.cell
    act, rec = _numpy_activation(cell.activation), _numpy_activation(cell.recurrent_activation)
    if act is None or rec is None:
        return None
    bias = to_numpy(cell.bias) if cell.use_bias else 0.0
    weights = (to_numpy(cell.kernel), to_numpy(cell.recurrent_kernel), bias)
    return ("lstm", weights, act, rec, int(cell.units))


def _numpy_dense(layer):
    act = _numpy_activation(layer.activation)
    if act is None:
        return None
    bias = to_numpy(layer.bias) if layer.use_bias else 0.0
    return ("dense", (to_numpy(layer.kernel), bias), act, None, 0)


def numpy_steps(plan):
    """The plan as numpy operations, or None when some layer needs Keras."""
    steps = []
    for step_kind, layer in plan:
        name = kind(layer)
        if is_reshaping(layer):  # Dropout and noise pass a frame on unchanged
            continue
        if step_kind == "rnn" and name == "LSTM":
            step = _numpy_lstm(layer)
        elif step_kind == "frame" and name == "Dense":
            step = _numpy_dense(layer)
        else:
            step = None
        if step is None:
            return None
        steps.append(step)
    return steps


def _lstm_cell(x, state, weights, act, rec, units):
    h, c = state
    z = x @ weights[0] + h @ weights[1] + weights[2]
    i, f = rec(z[:, :units]), rec(z[:, units : 2 * units])
    c = f * c + i * act(z[:, 2 * units : 3 * units])
    return rec(z[:, 3 * units :]) * act(c), c


def numpy_step_function(steps):
    """(step, initial_states) over numpy: ``step(frame, states) -> (output, states)``."""

    def initial_states():
        return [
            (np.zeros((1, units), np.float32), np.zeros((1, units), np.float32))
            for step_kind, _, _, _, units in steps
            if step_kind == "lstm"
        ]

    def step(frame, states):
        x, new_states, k = np.asarray(frame, np.float32), [], 0
        for step_kind, weights, act, rec, units in steps:
            if step_kind == "lstm":
                x, c = _lstm_cell(x, states[k], weights, act, rec, units)
                new_states.append((x, c))
                k += 1
            else:
                x = act(x @ weights[0] + weights[1])
        return x, new_states

    return step, initial_states


def keras_step_function(plan):
    """(step, initial_states) running the layers' own cells in one ``tf.function``."""
    import tensorflow as tf

    def initial_states():
        return [
            [tf.convert_to_tensor(s) for s in layer.cell.get_initial_state(1)]
            for step_kind, layer in plan
            if step_kind == "rnn"
        ]

    @tf.function(reduce_retracing=True)
    def compiled(frame, states):
        x, new_states, k = frame, [], 0
        for step_kind, layer in plan:
            if step_kind == "rnn":
                x, state = layer.cell(x, states[k], training=False)
                new_states.append(list(state) if isinstance(state, (list, tuple)) else [state])
                k += 1
            else:
                x = layer(x, training=False)
        return x, new_states

    def step(frame, states):
        x, states = compiled(tf.constant(np.asarray(frame, np.float32)), states)
        return x.numpy(), states

    return step, initial_states


def step_function(gm, prefer_numpy: bool = True):
    """(step, initial_states, output kind) for the model, built once and kept: ``step(frame,
    states) -> (output, states)`` on numpy arrays, frames of shape (1, features)."""
    key = "numpy" if prefer_numpy else "keras"
    if key not in gm._step_fns:
        joint = joint_layer(gm.layers)
        stepped = gm.layers[:-1] if joint is not None else gm.layers
        plan = step_plan(stepped)
        steps = numpy_steps(plan) if prefer_numpy else None
        if steps is not None:
            step, initial_states = numpy_step_function(steps)
        else:
            step, initial_states = keras_step_function(plan)
        gm._step_fns[key] = (step, initial_states, _output_kind(gm.layers[-1]))
    return gm._step_fns[key]


def _output_kind(layer) -> str:
    if joint_layer([layer]) is not None:
        return "joint"
    inner = getattr(layer, "layer", layer)
    name = getattr(getattr(inner, "activation", None), "__name__", "sigmoid")
    return "softmax" if name == "softmax" else "sigmoid"


def _prime(gm, step, states, start):
    """Run the primer piece through the model: (states, last frame, primer length)."""
    roll = gm.windows_of(start).reshape(-1, gm.pitch_count)
    for row in roll[:-1]:
        _, states = step(row[None], states)
    return states, roll[-1:].copy(), len(roll)


def next_step(gm, request, rng, n_steps: int) -> np.ndarray:
    step, initial_states, output_kind = step_function(gm)
    pitches = gm.pitch_count
    states = initial_states()
    frame, primer = np.zeros((1, pitches), np.float32), 0
    if request.start is not None:
        states, frame, primer = _prime(gm, step, states, request.start)
    out = np.zeros((n_steps, pitches), np.float32)
    cut = 0.5 if request.threshold is None else request.threshold
    joint = JointKeysSampler(gm.layers[-1]) if output_kind == "joint" else None
    for i in range(n_steps):
        probabilities, states = step(frame, states)
        p = np.asarray(probabilities)[0]
        values = joint.keys if joint is not None else p.shape[-1]
        if values != pitches:
            raise GenerationError(
                f"the model predicts {values} values a step, the data has {pitches} pitches"
            )
        if joint is not None:
            frame = joint.sample(np.asarray(probabilities), request.temperature, rng, cut)
        elif output_kind == "softmax":
            frame = tempered_categorical(p, request.temperature, rng)[None]
        else:
            frame = tempered_bernoulli(p, request.temperature, rng, cut)[None]
        out[i] = frame[0]
    gm.last_info.update(primer_steps=primer, output=output_kind)
    return out
