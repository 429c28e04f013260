"""Training under tf.distribute: pretraining and fine-tuning on a CPU split into two logical
devices (MirroredStrategy), two `layerwise train` processes on loopback (MultiWorkerMirrored),
and a cluster whose other worker never answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from training_helpers import dbn_project

from core import project as project_io

ROOT = Path(__file__).resolve().parents[3]
HELPERS = Path(__file__).resolve().parent


def _env(**extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", **extra)
    env.pop("TF_CONFIG", None)
    env.update(extra)
    return env


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _tf_config(ports, index):
    return json.dumps(
        {
            "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
            "task": {"type": "worker", "index": index},
        }
    )


# Runs in a fresh process: the CPU can be split into logical devices only before TensorFlow
# starts. Prints one JSON line.
MIRRORED_SCRIPT = textwrap.dedent("""
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(2)])
    sys.path.insert(0, sys.argv[1])
    from training_helpers import ae_project, dbn_project
    from core.data import load_dataset
    from core.training import session as session_mod
    from core.training.control import Control
    from core.training.distributed import replica_weights_equal
    from core.training.session import run_training

    ds = load_dataset({"source": "digits", "limit": 400,
                       "split": {"validation": 0.1, "test": 0.2, "seed": 0}})
    out, models = {}, {}
    original = session_mod._Session._make_trainer

    def spy(self, index, phase, pretrained):
        trainer = original(self, index, phase, pretrained)
        models.setdefault(self.strategy, []).append((type(trainer).__name__, self.model))
        return trainer

    session_mod._Session._make_trainer = spy
    projects = {
        "dbn": dbn_project(),
        "pcd": dbn_project(rbm={"persistent": True, "sparsity_target": 0.1,
                                "sparsity_cost": 0.1, "weight_decay": 1e-4}),
        "dae": ae_project(corruption="masking", corruption_level=0.3),
    }
    for name, project in projects.items():
        for strategy in ("default", "mirrored"):
            models.clear()
            events = list(run_training(project, f"{sys.argv[2]}/{name}-{strategy}", dataset=ds,
                                       strategy=strategy, snapshot_every=0))
            last = events[-1]
            assert type(last).__name__ == "Finished", getattr(last, "message", last)
            s = last.summary
            kinds = [k for k, _ in models[strategy]]
            same = all(replica_weights_equal(m.weights) for _, m in models[strategy])
            out[f"{name}-{strategy}"] = {
                "strategy": s["strategy"], "replicas": s["replicas"], "trainers": kinds,
                "evaluation": s["evaluation"], "same": same,
                "pretrain": [p["final"]["reconstruction_error"] for p in s["phases"]
                             if p["kind"] == "pretrain"]}

    # stop within one batch while pretraining under the strategy
    control = Control()
    project = dbn_project(epochs=30)
    stopped, step_at_stop = None, None
    for ev in run_training(project, f"{sys.argv[2]}/stop", dataset=ds, control=control,
                           strategy="mirrored", snapshot_every=0):
        kind = type(ev).__name__
        if kind == "BatchMetrics" and step_at_stop is None:
            step_at_stop = (ev.epoch, ev.step)
            control.stop()
        if kind == "Stopped":
            stopped = ev
    state = json.load(open(stopped.checkpoint))
    out["stop"] = {"at": step_at_stop, "checkpoint": [state["phase"], state["epoch"],
                                                      state["step"]]}
    print(json.dumps(out))
""")


def test_pretraining_and_finetuning_run_under_a_mirrored_strategy(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", MIRRORED_SCRIPT, str(HELPERS), str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    for name in ("dbn", "pcd", "dae"):
        one, two = out[f"{name}-default"], out[f"{name}-mirrored"]
        assert (one["strategy"], one["replicas"]) == ("default", 1)
        assert (two["strategy"], two["replicas"]) == ("mirrored", 2)
        # every phase, pretraining included, ran under the strategy, and the mirrored copies
        # of every variable are still identical on both replicas at the end
        assert all(k.startswith("Distributed") for k in two["trainers"][:-1]), two["trainers"]
        assert not any(k.startswith("Distributed") for k in one["trainers"]), one["trainers"]
        assert two["same"]
        for a, b in zip(one["pretrain"], two["pretrain"], strict=True):
            assert abs(a - b) <= 0.15 * a + 1e-3, (name, one["pretrain"], two["pretrain"])
    # autoencoders draw no randomness per replica: the split batch gives the same numbers
    dae1, dae2 = out["dae-default"]["evaluation"], out["dae-mirrored"]["evaluation"]
    assert abs(dae1["reconstruction_error"] - dae2["reconstruction_error"]) < 1e-5
    # RBMs draw their samples per replica: the same within noise
    for name in ("dbn", "pcd"):
        a = out[f"{name}-default"]["evaluation"]["loss"]
        b = out[f"{name}-mirrored"]["evaluation"]["loss"]
        assert abs(a - b) < 0.1, (name, a, b)
    # the stop asked for after the first batch report ends the phase at the next batch
    (epoch, step), (phase, ck_epoch, ck_step) = out["stop"]["at"], out["stop"]["checkpoint"]
    assert (phase, ck_epoch) == (0, epoch) and step + 1 <= ck_step <= step + 2


def _train_worker(path, out, ports, index, **env):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core",
            "train",
            str(path),
            "--out",
            str(out),
            "--strategy",
            "multi-worker",
            "--snapshot-every",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(TF_CONFIG=_tf_config(ports, index), **env),
    )


def test_two_workers_train_together_on_loopback(tmp_path):
    project = dbn_project(epochs=1, finetune_epochs=1)
    project.data["limit"] = 200
    path = project_io.save(project, tmp_path / "p.json")
    ports = _free_ports(2)
    out = tmp_path / "run"
    t0 = time.perf_counter()
    # both workers are given the same --out (one machine): only the chief writes there
    workers = [_train_worker(path, out, ports, i) for i in (0, 1)]
    results = [w.communicate(timeout=240) for w in workers]
    elapsed = time.perf_counter() - t0
    for w, (stdout, stderr) in zip(workers, results, strict=True):
        assert w.returncode == 0, stderr[-3000:]
        assert "finished" in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["strategy"], summary["replicas"]) == ("multi-worker", 2)
    assert [p["name"] for p in summary["phases"]] == ["pretrain rbm1", "pretrain rbm2", "fine-tune"]
    assert (out / "model.keras").exists()
    # the mirrored variables stayed identical across the two processes: the same held-out line
    held_out = [
        line for stdout, _ in results for line in stdout.splitlines() if line.startswith("finished")
    ]
    assert held_out[0].split("held-out")[1] == held_out[1].split("held-out")[1]
    # the other worker's scratch folder is gone
    assert str(out) not in held_out[1]
    assert not Path(held_out[1].split()[1]).exists()
    assert elapsed < 120


def test_a_worker_that_never_answers_times_out_cleanly(tmp_path):
    project = dbn_project(epochs=1, finetune_epochs=1)
    project.data["limit"] = 200
    path = project_io.save(project, tmp_path / "p.json")
    ports = _free_ports(2)  # nobody listens on the second one
    out = tmp_path / "run"
    t0 = time.perf_counter()
    worker = _train_worker(path, out, ports, 0, LAYERWISE_CLUSTER_TIMEOUT="3")
    stdout, stderr = worker.communicate(timeout=120)
    elapsed = time.perf_counter() - t0
    assert worker.returncode == 1
    lines = [line for line in stderr.splitlines() if line.startswith("layerwise train:")]
    assert len(lines) == 1 and "did not answer within 3 s" in lines[0], stderr[-2000:]
    assert f"127.0.0.1:{ports[1]}" in lines[0] and "Traceback" not in stderr
    assert not out.exists()  # nothing half-written
    assert elapsed < 60


def test_bad_cluster_settings_fail_clearly(tmp_path):
    project = dbn_project(epochs=1, finetune_epochs=1)
    path = project_io.save(project, tmp_path / "p.json")
    cases = [
        ({"TF_CONFIG": "{not json"}, "TF_CONFIG is not valid JSON"),
        ({"TF_CONFIG": _tf_config([1, 2], 5)}, "is not one of the cluster's"),
        (
            {"TF_CONFIG": _tf_config(_free_ports(2), 0), "LAYERWISE_CLUSTER_TIMEOUT": "soon"},
            "LAYERWISE_CLUSTER_TIMEOUT must be a number",
        ),
    ]
    for env, message in cases:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "core",
                "train",
                str(path),
                "--out",
                str(tmp_path / "r"),
                "--strategy",
                "multi-worker",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(**env),
        )
        assert done.returncode == 1 and message in done.stderr, done.stderr[-2000:]
        assert not (tmp_path / "r").exists()
