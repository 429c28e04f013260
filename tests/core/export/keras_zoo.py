"""Real Keras models to import, and the measure of one import: the benchmark
(tests/benchmarks/bench_import.py) and the import tests share them."""

from __future__ import annotations

import time
from pathlib import Path


def piano_roll_transformer(steps: int = 32, pitches: int = 48, width: int = 64, heads: int = 4):
    """One Transformer encoder block over piano-roll steps: self-attention and a Dense
    feed-forward, each with a residual Add and LayerNormalization; a sigmoid per pitch."""
    from core.keras_env import load_keras

    keras = load_keras()
    layers = keras.layers
    roll = keras.Input((steps, pitches), name="roll")
    x = layers.Dense(width, name="embed")(roll)
    attended = layers.MultiHeadAttention(heads, width // heads, name="attention")(x, x)
    x = layers.LayerNormalization(name="norm1")(layers.Add(name="residual1")([x, attended]))
    hidden = layers.Dense(2 * width, activation="relu", name="feed_forward")(x)
    hidden = layers.Dropout(0.1, name="ff_dropout")(layers.Dense(width, name="ff_out")(hidden))
    x = layers.LayerNormalization(name="norm2")(layers.Add(name="residual2")([x, hidden]))
    notes = layers.Dense(pitches, activation="sigmoid", name="notes")(x)
    return keras.Model(roll, notes, name="piano_roll_transformer")


def applications(size: int) -> dict:
    from core.keras_env import load_keras

    apps = load_keras().applications
    shape = (size, size, 3)
    return {
        "MobileNetV2": lambda: apps.MobileNetV2(input_shape=shape, weights=None),
        "ResNet50": lambda: apps.ResNet50(input_shape=shape, weights=None),
        "DenseNet121": lambda: apps.DenseNet121(input_shape=shape, weights=None),
        "EfficientNetB0": lambda: apps.EfficientNetB0(input_shape=shape, weights=None),
        "PianoRollTransformer": piano_roll_transformer,
    }


def measure_import(model, folder: Path) -> dict:
    """Import ``model`` through a .keras file; export the project as .keras; compare."""
    import numpy as np

    from core.export import export_model, import_keras_model, load_model_safely

    source = folder / "source.keras"
    model.save(source)
    start = time.perf_counter()
    project, unmapped = import_keras_model(source)
    import_s = time.perf_counter() - start
    exported = folder / "imported.keras"
    export_model(project, "keras", exported)
    again = load_model_safely(exported)
    rng = np.random.default_rng(0)
    x = rng.random((2, *model.input_shape[1:]), dtype=np.float32)
    want = np.asarray(model(x, training=False))
    got = np.asarray(again(x, training=False))
    return {
        "layers": len(model.layers),
        "layers_mapped": len(model.layers) - len(unmapped),
        "unmapped": unmapped,
        "blocks": len(project.network.blocks),
        "import_s": round(import_s, 3),
        "max_abs_diff": float(np.max(np.abs(want - got))),
        "project": project,
    }
