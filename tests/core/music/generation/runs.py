"""Tiny run folders for the generation tests, built with core.build as training would."""

from __future__ import annotations

import json

import numpy as np

from core.build import build
from core.project import project_from_json

WINDOW, PITCHES, LOWEST, SPQ = 8, 12, 60, 2
MUSIC_DATA = {
    "source": "bach-chorales",
    "representation": {
        "steps_per_quarter": SPQ,
        "lowest_pitch": LOWEST,
        "pitch_count": PITCHES,
        "window_steps": WINDOW,
        "hop_steps": WINDOW,
        "transpose": [0, 0],
        "velocity": False,
    },
}
DIGITS_DATA = {"source": "digits"}


def project(blocks, data=MUSIC_DATA, objective="autoencoder"):
    """A project whose blocks ``(id, type, params)`` form one chain."""
    doc = {
        "format": "layerwise-project",
        "version": 2,
        "name": "tiny",
        "network": {
            "blocks": [{"id": i, "type": t, "params": p, "position": [0, 0]} for i, t, p in blocks],
            "wires": [
                {"from": a[0], "to": b[0], "port": 0}
                for a, b in zip(blocks, blocks[1:], strict=False)
            ],
        },
        "data": data,
        "training": {
            "seed": 0,
            "pretraining": {"enabled": False, "blocks": {}},
            "finetune": {"objective": objective},
        },
        "generation": {"tempo": 100, "program": 5},
    }
    return project_from_json(doc)


def summary(objective, output_block, sample_shape, data, code_block=None):
    if data is DIGITS_DATA:
        info = {
            "kind": "image",
            "source": "digits",
            "steps_per_quarter": None,
            "lowest_pitch": None,
            "pitch_count": None,
        }
    else:
        info = {
            "kind": "pianoroll",
            "source": data["source"],
            "steps_per_quarter": SPQ,
            "lowest_pitch": LOWEST,
            "pitch_count": PITCHES,
        }
    doc = {
        "objective": objective,
        "output_block": output_block,
        "sample_shape": list(sample_shape),
        "data": info,
    }
    if code_block:
        doc["code_block"] = code_block
    return doc


def save_run(folder, model, proj, summary_doc):
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.keras")
    (folder / "project.json").write_text(json.dumps(proj.to_json()))
    (folder / "summary.json").write_text(json.dumps(summary_doc))
    return folder


def autoencoder_run(folder, bare_encoder=None):
    """DeepHear in miniature: 8×12 → 16 → 4, unrolled with decode_<id> layers."""
    from core.keras_env import load_keras

    keras = load_keras()
    proj = project(
        [
            ("input", "Input", {"shape": [WINDOW, PITCHES]}),
            ("flatten", "Flatten", {}),
            ("encoder1", "Autoencoder", {"units": 16}),
            ("code", "Autoencoder", {"units": 4}),
        ]
    )
    encoder = build(proj).model
    for block in ("encoder1", "code"):  # larger weights, so that codes matter
        layer = encoder.get_layer(block)
        kernel, *rest = layer.get_weights()
        layer.set_weights([kernel * 4.0, *rest])
    if bare_encoder is not None:
        encoder.save(bare_encoder)
    x = encoder.output
    for block in ("code", "encoder1"):
        layer = encoder.get_layer(block)
        features = int(layer.kernel.shape[0])
        dense = keras.layers.Dense(features, activation="sigmoid", name=f"decode_{block}")
        x = dense(x)
        dense.set_weights([np.asarray(layer.kernel).T, np.asarray(layer.decoder_bias)])
    x = keras.layers.Reshape((WINDOW, PITCHES), name="reconstruction")(x)
    model = keras.Model(encoder.input, x)
    return save_run(
        folder,
        model,
        proj,
        summary("autoencoder", "code", (WINDOW, PITCHES), MUSIC_DATA, code_block="code"),
    )


def dbn_run(folder, data=MUSIC_DATA, shape=(WINDOW, PITCHES)):
    """Two RBMs with a small classifier on top (weights scaled up so they matter)."""
    proj = project(
        [
            ("input", "Input", {"shape": list(shape)}),
            ("flatten", "Flatten", {}),
            ("rbm1", "RBM", {"units": 16}),
            ("rbm2", "RBM", {"units": 8}),
            ("classes", "Dense", {"units": 3, "activation": "softmax"}),
        ],
        data=data,
        objective="classifier",
    )
    model = build(proj).model
    rng = np.random.default_rng(1)
    for name in ("rbm1", "rbm2"):
        layer = model.get_layer(name)
        kernel, hidden, visible = layer.get_weights()
        layer.set_weights(
            [
                rng.normal(0, 1.0, kernel.shape).astype("float32"),
                hidden,
                rng.normal(-1.0, 0.5, visible.shape).astype("float32"),
            ]
        )
    return save_run(folder, model, proj, summary("classifier", "classes", shape, data))


def vae_run(folder, epochs=60):
    """Melody VAE in miniature, trained briefly on windows of varied density."""
    from core.keras_env import load_keras

    keras = load_keras()
    proj = project(
        [
            ("input", "Input", {"shape": [WINDOW, PITCHES]}),
            ("flatten", "Flatten", {}),
            ("hidden", "Dense", {"units": 32, "activation": "relu"}),
            ("latent", "VAE", {"latent_dim": 3, "beta": 0.005}),
            ("decoder", "Dense", {"units": 32, "activation": "relu"}),
            ("notes", "Dense", {"units": WINDOW * PITCHES, "activation": "sigmoid"}),
            ("roll", "Reshape", {"target_shape": [WINDOW, PITCHES]}),
        ],
        objective="vae",
    )
    model = build(proj).model
    x = training_windows(256)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    model.fit(x, x, epochs=epochs, batch_size=64, verbose=0)
    return save_run(folder, model, proj, summary("vae", "roll", (WINDOW, PITCHES), MUSIC_DATA))


def training_windows(n, seed=0):
    """Windows whose density varies from sparse to dense (so a density vector exists)."""
    rng = np.random.default_rng(seed)
    density = rng.uniform(0.02, 0.95, (n, 1, 1))
    windows = (rng.random((n, WINDOW, PITCHES)) < density).astype("float32")
    windows[:, 1::2] = 0.0  # short notes: every sounding cell starts a note
    return windows


def lstm_run(folder):
    proj = project(
        [
            ("input", "Input", {"shape": [None, PITCHES]}),
            ("lstm", "LSTM", {"units": 8, "return_sequences": True}),
            ("next_step", "TimeDistributedDense", {"units": PITCHES, "activation": "sigmoid"}),
        ],
        objective="sequence",
    )
    model = build(proj).model
    layer = model.get_layer("next_step")
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel * 3.0, bias])  # spread the probabilities away from 0.5
    return save_run(
        folder, model, proj, summary("sequence", "next_step", (None, PITCHES), MUSIC_DATA)
    )
