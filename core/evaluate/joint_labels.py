"""How well a DBN's top RBM that joins the data's labels classifies: each held-out sample is
carried up to the top RBM's visible layer and given the label of lowest free energy
F(v, y) (Hinton, Osindero and Teh 2006), reported as ``joint_label_accuracy`` beside the
run's other figures."""

from __future__ import annotations

import numpy as np

from core.evaluate.splits import held_out


def joint_rbm(model):
    """The last RBM layer of ``model`` that joins label units, or None."""
    joined = [
        layer
        for layer in model.layers
        if type(layer).__name__ == "RBM" and getattr(layer, "label_units", 0)
    ]
    return joined[-1] if joined else None


def joint_label_scores(model, top, x: np.ndarray, batch: int = 512) -> np.ndarray:
    """Minus the free energy of each label for ``x`` (samples, classes): the network up to
    ``top`` (inference mode), then the top RBM's label free energies."""
    from core.keras_env import load_keras
    from core.music.generation.layers import to_numpy

    keras = load_keras()
    below = keras.Model(model.input, top.input)
    parts = []
    for i in range(0, len(x), batch):
        pen = below(x[i : i + batch], training=False)
        parts.append(-to_numpy(top.label_free_energies(pen)))
    return np.concatenate(parts) if parts else np.zeros((0, top.label_units), np.float32)


def joint_label_figures(gm, dataset, split: str) -> dict:
    """``joint_label_accuracy`` (and the block it reads) on ``split``; {} when the model's
    RBMs join no labels or the data has none."""
    top = joint_rbm(gm.model)
    x, y = held_out(dataset, split)
    if top is None or y is None or not len(x):
        return {}
    shape = gm.input_shape if None not in gm.input_shape else gm.sample_shape
    x = np.asarray(x, np.float32).reshape((len(x), *shape))
    predicted = np.argmax(joint_label_scores(gm.model, top, x), axis=-1)
    return {
        "joint_label_accuracy": float(np.mean(predicted == np.asarray(y).ravel())),
        "joint_label_block": top.name,
    }
