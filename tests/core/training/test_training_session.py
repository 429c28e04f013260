"""The session: events, run folder, model files, control, resume, failures, reproducibility."""

from __future__ import annotations

import json
import os
import threading
import time

import numpy as np
import pytest
from training_helpers import ae_project, block, chain, dbn_project, kinds, run_all

from core.runs import RunFolder, read_json
from core.training.control import Control
from core.training.events import (
    BatchMetrics,
    EpochMetrics,
    Failed,
    Finished,
    PhaseStarted,
    Snapshot,
    Stopped,
)
from core.training.session import run_training

SUMMARY_KEYS = {
    "phases",
    "evaluation",
    "samples_per_second",
    "device",
    "objective",
    "output_block",
    "sample_shape",
    "data",
    "pretraining",
    "seed",
    "strategy",
    "replicas",
}


def _finished(events):
    assert isinstance(events[-1], Finished), events[-1]
    return events[-1].summary


def test_dbn_run_folder_and_events(tmp_path, digits):
    run = tmp_path / "run"
    events = run_all(run_training(dbn_project(), run, dataset=digits))
    names = kinds(events)
    assert names[0] == "PhaseStarted" and names[-1] == "Finished"
    starts = [e for e in events if isinstance(e, PhaseStarted)]
    assert [(s.name, s.kind, s.block, s.method) for s in starts] == [
        ("pretrain rbm1", "pretrain", "rbm1", "rbm"),
        ("pretrain rbm2", "pretrain", "rbm2", "rbm"),
        ("fine-tune", "finetune", None, "classifier"),
    ]
    assert "BatchMetrics" in names and "CheckpointWritten" in names
    summary = _finished(events)
    assert set(summary) >= SUMMARY_KEYS
    assert summary["strategy"] == "default" and summary["replicas"] == 1
    assert summary["pretraining"] is True and summary["objective"] == "classifier"
    assert summary["output_block"] == "classes" and summary["sample_shape"] == [8, 8]
    assert summary["data"]["kind"] == "image" and summary["data"]["source"] == "digits"
    assert 0.0 <= summary["evaluation"]["accuracy"] <= 1.0
    phases = summary["phases"]
    assert [p["kind"] for p in phases] == ["pretrain", "pretrain", "finetune"]
    assert phases[0]["block"] == "rbm1" and phases[0]["epochs"] == 2
    assert "reconstruction_error" in phases[0]["final"]
    assert "pseudo_log_likelihood" in phases[0]["final"]
    for name in ("model.keras", "metrics.jsonl", "summary.json", "project.json"):
        assert (run / name).is_file(), name
    assert json.loads((run / "summary.json").read_text())["phases"] == phases
    assert json.loads((run / "project.json").read_text())["format"] == "layerwise-project"
    lines = RunFolder(run).read_metrics()
    assert len(lines) == 6
    assert {"phase", "block", "epoch", "step", "wall_time"} <= set(lines[0])
    snaps = sorted((run / "snapshots").glob("*.npz"))
    assert snaps
    with np.load(snaps[0], allow_pickle=False) as data:
        assert data["filters"].shape == (24, 8, 8)
        assert data["inputs"].shape[1:] == (8, 8)
        assert data["reconstructions"].shape == data["inputs"].shape
    snap_events = [e for e in events if isinstance(e, Snapshot)]
    deeper = [e for e in snap_events if e.block == "rbm2"][0]
    assert deeper.filters.shape == (12, 24) and deeper.hidden.shape[1] == 12
    assert len(snap_events[0].inputs) <= 6
    assert (run / "checkpoints" / "state.json").is_file()

    import keras

    import core.layers  # noqa: F401

    model = keras.models.load_model(run / "model.keras")
    assert [layer.name for layer in model.layers][-3:] == ["rbm1", "rbm2", "classes"]


def test_input_reshaped_when_sizes_match(tmp_path, digits):
    project = dbn_project(epochs=1, finetune_epochs=1, input_shape=(64,))
    project.network.blocks = [b for b in project.network.blocks if b.id != "flatten"]
    project.network.wires = [
        w for w in project.network.wires if "flatten" not in (w.source, w.target)
    ]
    from core.spec import Wire

    project.network.wires.append(Wire("input", "rbm1", 0))
    events = run_all(run_training(project, tmp_path / "run", dataset=digits))
    _finished(events)


def test_data_not_fitting_the_input_fails_before_training(tmp_path, digits):
    project = dbn_project(input_shape=(10,))
    project.network.blocks = [b for b in project.network.blocks if b.id != "flatten"]
    from core.spec import Wire

    project.network.wires = [
        w for w in project.network.wires if "flatten" not in (w.source, w.target)
    ] + [Wire("input", "rbm1")]
    events = run_all(run_training(project, tmp_path / "run", dataset=digits))
    assert kinds(events) == ["Failed"]
    assert "(8, 8)" in events[0].message and "(10)" in events[0].message
    assert "'input'" in events[0].message


def test_no_pretraining_has_only_finetune(tmp_path, digits):
    events = run_all(
        run_training(dbn_project(), tmp_path / "run", dataset=digits, pretraining=False)
    )
    summary = _finished(events)
    assert summary["pretraining"] is False
    assert [p["kind"] for p in summary["phases"]] == ["finetune"]


def test_same_seed_same_metrics(tmp_path, digits):
    def metrics(name):
        run_all(run_training(dbn_project(), tmp_path / name, dataset=digits, snapshot_every=0))
        return [
            {k: v for k, v in line.items() if k not in ("wall_time", "samples_per_second")}
            for line in RunFolder(tmp_path / name).read_metrics()
        ]

    assert metrics("a") == metrics("b")


def test_unrolled_autoencoder_starts_from_pretrained_weights(digits):
    from core.build import build
    from core.training.finetune import unroll

    for tied in (True, False):
        model = build(ae_project(tied=tied)).model
        unrolled, code = unroll(model, (8, 8), binary=True)
        assert code == "code"
        names = [layer.name for layer in unrolled.layers]
        assert names[-3:] == ["decode_code", "decode_enc1", "reconstruction"]
        for block_id in ("enc1", "code"):
            enc = model.get_layer(block_id)
            dec = unrolled.get_layer(f"decode_{block_id}")
            expected = enc.kernel.numpy().T if tied else enc.decoder_kernel.numpy()
            np.testing.assert_allclose(dec.kernel.numpy(), expected)
            np.testing.assert_allclose(dec.bias.numpy(), enc.decoder_bias.numpy())
            assert dec.activation.__name__ == "sigmoid"


def test_unrolled_rbm_stack_uses_transposed_weights():
    from core.build import build
    from core.training.finetune import unroll

    model = build(dbn_project()).model
    stack = __import__("keras").Model(model.input, model.get_layer("rbm2").output)
    unrolled, code = unroll(stack, (8, 8), binary=True)
    assert code == "rbm2"
    np.testing.assert_allclose(
        unrolled.get_layer("decode_rbm1").kernel.numpy(), model.get_layer("rbm1").kernel.numpy().T
    )
    np.testing.assert_allclose(
        unrolled.get_layer("decode_rbm2").bias.numpy(), model.get_layer("rbm2").visible_bias.numpy()
    )


def test_deep_autoencoder_run_on_piano_rolls(tmp_path, rolls):
    project = chain(
        [
            block("input", "Input", shape=[8, 12]),
            block("flatten", "Flatten"),
            block("enc1", "Autoencoder", units=32, corruption="masking"),
            block("code", "Autoencoder", units=8),
        ],
        {
            "seed": 0,
            "pretraining": {
                "enabled": True,
                "blocks": {
                    "enc1": {"epochs": 2, "batch_size": 16, "learning_rate": 0.01},
                    "code": {"epochs": 2, "batch_size": 16, "learning_rate": 0.01},
                },
            },
            "finetune": {
                "objective": "autoencoder",
                "epochs": 2,
                "batch_size": 16,
                "learning_rate": 0.005,
            },
        },
        data={"source": "bach-chorales", "representation": {"window_steps": 8, "pitch_count": 12}},
    )
    run = tmp_path / "run"
    events = run_all(run_training(project, run, dataset=rolls))
    summary = _finished(events)
    assert summary["objective"] == "autoencoder" and summary["code_block"] == "code"
    stats = summary["code_statistics"]  # generation draws random codes like these
    code_units = project.network.block("code").params["units"]
    assert all(len(stats[k]) == code_units for k in ("mean", "std", "min", "max"))
    assert all(
        lo <= m <= hi for lo, m, hi in zip(stats["min"], stats["mean"], stats["max"], strict=True)
    )
    assert summary["data"]["kind"] == "pianoroll"
    assert summary["data"]["pitch_count"] == 12
    ev = summary["evaluation"]
    assert ev["reconstruction_error"] >= 0 and "wrong_notes_per_window" in ev
    snap = [e for e in events if isinstance(e, Snapshot)][0]
    assert snap.sample_kind == "pianoroll" and snap.filters.shape[1:] == (8, 12)

    import keras

    import core.layers  # noqa: F401

    model = keras.models.load_model(run / "model.keras", safe_mode=True)
    names = [layer.name for layer in model.layers]
    assert names == [
        "input",
        "flatten",
        "enc1",
        "code",
        "decode_code",
        "decode_enc1",
        "reconstruction",
    ]
    assert model.output.shape[1:] == (8, 12)


def test_vae_and_sequence_objectives(tmp_path, rolls):
    vae = chain(
        [
            block("input", "Input", shape=[8, 12]),
            block("flatten", "Flatten"),
            block("hidden", "Dense", units=32, activation="relu"),
            block("latent", "VAE", latent_dim=4),
            block("decoder", "Dense", units=32, activation="relu"),
            block("notes", "Dense", units=96, activation="sigmoid"),
            block("roll", "Reshape", target_shape=[8, 12]),
        ],
        {
            "seed": 0,
            "pretraining": {"enabled": False, "blocks": {}},
            "finetune": {"objective": "vae", "epochs": 2, "batch_size": 16},
        },
    )
    summary = _finished(run_all(run_training(vae, tmp_path / "vae", dataset=rolls)))
    assert summary["objective"] == "vae"
    assert np.isfinite(summary["phases"][-1]["final"]["loss"])
    seq = chain(
        [
            block("input", "Input", shape=[None, 12]),
            block("lstm", "LSTM", units=16, return_sequences=True),
            block("next", "TimeDistributedDense", units=12, activation="sigmoid"),
        ],
        {
            "seed": 0,
            "pretraining": {"enabled": False, "blocks": {}},
            "finetune": {"objective": "sequence", "epochs": 1, "batch_size": 16},
        },
    )
    summary = _finished(run_all(run_training(seq, tmp_path / "seq", dataset=rolls)))
    assert summary["objective"] == "sequence" and "wrong_notes_per_window" in summary["evaluation"]


def test_stop_is_honoured_after_the_current_batch(tmp_path, digits):
    control = Control()
    run = tmp_path / "run"
    gen = run_training(
        dbn_project(epochs=1, finetune_epochs=3), run, control=control, dataset=digits
    )
    for ev in gen:
        if isinstance(ev, BatchMetrics) and ev.block is None and ev.epoch == 1:
            assert read_json(run / "active.json")["pid"] == os.getpid()  # the folder says so
            control.stop()
            break
    stopped = next(gen)
    assert isinstance(stopped, Stopped) and stopped.phase == 2 and stopped.epoch == 1
    state = read_json(run / "checkpoints" / "state.json")
    assert (state["phase"], state["epoch"], state["step"]) == (2, 1, ev.step + 1)
    assert list(gen) == []
    assert not (run / "active.json").exists()  # the session is over


def test_pause_blocks_until_resume(tmp_path, digits):
    control = Control()
    seen, done = [], threading.Event()

    def consume():
        for ev in run_training(
            dbn_project(epochs=3, finetune_epochs=3),
            tmp_path / "run",
            control=control,
            dataset=digits,
        ):
            seen.append(ev)
        done.set()

    worker = threading.Thread(target=consume)
    worker.start()
    deadline = time.time() + 60
    while not any(isinstance(e, BatchMetrics) for e in seen) and time.time() < deadline:
        time.sleep(0.005)
    control.pause()
    settle = time.time() + 30
    while time.time() < settle:  # the batch in flight ends and its events arrive
        count = len(seen)
        time.sleep(0.4)
        if len(seen) == count:
            break
    count = len(seen)
    time.sleep(0.6)
    assert len(seen) == count  # nothing moves while paused
    assert not done.is_set()
    control.resume()
    worker.join(60)
    assert isinstance(seen[-1], Finished)


def test_resume_continues_without_repeating_or_losing_epochs(tmp_path, digits):
    project = dbn_project(epochs=3, finetune_epochs=3)
    straight = _finished(
        run_all(run_training(project, tmp_path / "a", dataset=digits, snapshot_every=0))
    )
    control = Control()
    run = tmp_path / "b"
    gen = run_training(project, run, control=control, dataset=digits, snapshot_every=0)
    events = []
    for ev in gen:
        events.append(ev)
        if isinstance(ev, EpochMetrics) and ev.block == "rbm2" and ev.epoch == 0:
            control.stop()  # the next batch boundary: phase 1, epoch 1, step 0
    assert kinds(events)[-1] == "Stopped"
    assert (events[-1].phase, events[-1].epoch) == (1, 1)
    resumed = run_all(run_training(project, run, dataset=digits, resume=True, snapshot_every=0))
    first = resumed[0]
    assert isinstance(first, PhaseStarted) and first.block == "rbm2" and first.start_epoch == 1
    summary = _finished(resumed)
    lines = RunFolder(run).read_metrics()
    seen = [(line["phase_index"], line["epoch"]) for line in lines]
    assert seen == [(p, e) for p in range(3) for e in range(3)]
    assert summary["evaluation"]["accuracy"] == pytest.approx(
        straight["evaluation"]["accuracy"], abs=1e-6
    )


def test_resume_mid_epoch(tmp_path, digits):
    project = dbn_project(epochs=1, finetune_epochs=3)
    control = Control()
    run = tmp_path / "run"
    gen = run_training(project, run, control=control, dataset=digits, snapshot_every=0)
    for ev in gen:
        if isinstance(ev, BatchMetrics) and ev.block is None and ev.epoch == 1:
            control.stop()
            break
    assert isinstance(next(gen), Stopped)
    resumed = run_all(run_training(project, run, dataset=digits, resume=True))
    assert resumed[0].start_epoch == 1
    _finished(resumed)
    lines = [(line["phase_index"], line["epoch"]) for line in RunFolder(run).read_metrics()]
    assert lines == [(0, 0), (1, 0), (2, 0), (2, 1), (2, 2)]


def test_resume_without_checkpoint_fails_clearly(tmp_path, digits):
    events = run_all(run_training(dbn_project(), tmp_path / "none", dataset=digits, resume=True))
    assert kinds(events) == ["Failed"] and "no checkpoint" in events[0].message


def test_nan_loss_fails_naming_phase_and_block_and_keeps_checkpoint(tmp_path, digits):
    project = dbn_project(epochs=1, finetune_epochs=1)
    project.network.block("rbm2").params["visible"] = "gaussian"
    project.training["pretraining"]["blocks"]["rbm2"].update(
        {"learning_rate": 10.0, "epochs": 5, "momentum": 0.9}
    )
    run = tmp_path / "run"
    events = run_all(run_training(project, run, dataset=digits))
    failed = events[-1]
    assert isinstance(failed, Failed), kinds(events)
    assert failed.block == "rbm2" and failed.phase == 1
    assert "pretrain rbm2" in failed.message and "NaN" in failed.message
    assert failed.checkpoint and (run / "checkpoints" / "state.json").exists()
    state = read_json(run / "checkpoints" / "state.json")
    saved = RunFolder(run).read_checkpoint()
    assert all(np.all(np.isfinite(w)) for w in saved[1])
    assert state["phase"] <= 1
    assert not (run / "model.keras").exists()


def test_distribution_requests_are_checked(tmp_path, digits, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    events = run_all(
        run_training(dbn_project(), tmp_path / "r", dataset=digits, strategy="multi-worker")
    )
    assert kinds(events) == ["Failed"] and "TF_CONFIG" in events[0].message
    events = run_all(run_training(dbn_project(), tmp_path / "r", dataset=digits, strategy="ring"))
    assert kinds(events) == ["Failed"] and "unknown strategy" in events[0].message


def test_out_of_memory_becomes_a_clear_failure(tmp_path, digits, monkeypatch):
    import tensorflow as tf

    from core.training.finetune import FinetuneTrainer

    def explode(self, epoch, start, count):
        raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")

    monkeypatch.setattr(FinetuneTrainer, "run", explode)
    events = run_all(run_training(dbn_project(epochs=1), tmp_path / "r", dataset=digits))
    failed = events[-1]
    assert isinstance(failed, Failed) and "out of memory" in failed.message
    assert "fine-tune" in failed.message and failed.phase == 2
