"""Hostile run folders: damaged or forged state.json, summary.json, project.json, checkpoint
weights and snapshots are refused with one line; a pickle is never loaded."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hostile_payloads import cuts, deep_json, pickled_npz, sparse_file
from run_folders import write_run

from core import limits
from core.errors import LayerwiseError
from core.run_info import read_run_info
from core.runs import RunFolder, read_snapshot

STATE = {
    "phase": 0,
    "epoch": 1,
    "step": 10,
    "weights": "weights-p00-e00001-s000010.npz",
    "model_count": 1,
    "trainer_count": 0,
}


@pytest.fixture
def run(tmp_path) -> RunFolder:
    folder = write_run(tmp_path, "run", state="finished", epochs=1)
    folder.write_checkpoint(dict(STATE), [np.ones((2, 2), np.float32)], [])
    return folder


def _state(**changes) -> bytes:
    doc = dict(STATE, **changes)
    return json.dumps({k: v for k, v in doc.items() if v is not ...}).encode()


STATE_PAYLOADS = [
    *((f"truncated-{i}", cut) for i, cut in enumerate(cuts(_state(), 6))),
    ("empty", b""),
    ("list", b"[]"),
    ("deep", deep_json(100_000).encode()),
    ("weights-parent", _state(weights="../../outside.npz")),
    ("weights-absolute", _state(weights="/etc/passwd")),
    ("weights-number", _state(weights=5)),
    ("weights-missing-field", _state(weights=...)),
    ("weights-escape", _state(weights="weights-\x1b[2J.npz")),
    ("phase-text", _state(phase="0")),
    ("epoch-negative", _state(epoch=-1)),
    ("step-float", _state(step=1.5)),
    ("model-count-huge", _state(model_count=10**12)),
    ("model-count-bool", _state(model_count=True)),
    ("trainer-count-null", _state(trainer_count=None)),
    ("elapsed-text", _state(elapsed="long")),
    ("phases-object", _state(phases={})),
]


@pytest.mark.parametrize(
    "payload", [p for _, p in STATE_PAYLOADS], ids=[i for i, _ in STATE_PAYLOADS]
)
def test_a_forged_checkpoint_state_is_refused_in_one_line(run, payload):
    run.state.write_bytes(payload)
    with pytest.raises(LayerwiseError) as caught:
        run.read_checkpoint()
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)
    read_run_info(run.path)  # the runs browser still lists it


WEIGHT_PAYLOADS = ["truncated", "empty", "not-zip", "pickle", "missing-array", "bare-array"]


@pytest.mark.parametrize("kind", WEIGHT_PAYLOADS)
def test_damaged_checkpoint_weights_are_refused_and_no_pickle_runs(run, tmp_path, kind):
    weights = run.checkpoints / STATE["weights"]
    marker = tmp_path / "fired"
    data = weights.read_bytes()
    if kind == "truncated":
        weights.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        weights.write_bytes(b"")
    elif kind == "not-zip":
        weights.write_bytes(b"PK\x03\x04 not really")
    elif kind == "pickle":
        pickled_npz(weights, marker, key="m0000")
    elif kind == "missing-array":
        np.savez(weights, other=np.zeros(2))
    else:
        np.save(weights, np.zeros(3))
        weights.with_suffix(".npz.npy").rename(weights)
    with pytest.raises(LayerwiseError) as caught:
        run.read_checkpoint()
    message = str(caught.value)
    assert "\n" not in message and "allow_pickle" not in message
    assert not marker.exists()


SUMMARY_PAYLOADS = [
    *((f"truncated-{i}", cut) for i, cut in enumerate(cuts(b'{"format": "x", "phases": []}', 4))),
    ("deep", deep_json(100_000).encode()),
    ("version-text", b'{"version": "1"}'),
    ("version-newer", b'{"version": 99}'),
    ("sample-shape-text", b'{"sample_shape": "8x8"}'),
    ("sample-shape-negative", b'{"sample_shape": [-1, 8]}'),
    ("sample-shape-huge", b'{"sample_shape": [1e30]}'),
    ("data-list", b'{"data": []}'),
    ("data-tempo-nan", b'{"data": {"tempo": NaN}}'),
    ("phases-text", b'{"phases": "all"}'),
    ("evaluation-list", b'{"evaluation": [1]}'),
    ("wall-seconds-nan", b'{"wall_seconds": NaN}'),
    ("objective-number", b'{"objective": 3}'),
]


@pytest.mark.parametrize(
    "payload", [p for _, p in SUMMARY_PAYLOADS], ids=[i for i, _ in SUMMARY_PAYLOADS]
)
def test_a_forged_summary_is_refused_in_one_line(run, payload):
    run.summary.write_bytes(payload)
    with pytest.raises(LayerwiseError) as caught:
        run.read_summary()
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400
    read_run_info(run.path)


PROJECT_PAYLOADS = [
    ("truncated", b'{"format": "layerwise-project", "na'),
    ("deep", deep_json(100_000).encode()),
    ("generation-tempo-nan", b'{"generation": {"tempo": NaN}}'),
    ("generation-tempo-inf", b'{"generation": {"tempo": Infinity}}'),
    ("generation-list", b'{"generation": [1]}'),
    ("data-seed-nan", b'{"data": {"seed": NaN}}'),
    ("name-number", b'{"name": 5}'),
    ("network-text", b'{"network": "x"}'),
]


@pytest.mark.parametrize(
    "payload", [p for _, p in PROJECT_PAYLOADS], ids=[i for i, _ in PROJECT_PAYLOADS]
)
def test_a_forged_run_project_is_refused_in_one_line(run, payload):
    run.project.write_bytes(payload)
    with pytest.raises(LayerwiseError) as caught:
        run.read_project_json()
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name", ["state", "summary", "project"])
def test_an_oversized_run_file_is_refused_before_it_is_read(run, name):
    path = getattr(run, name)
    sparse_file(path, limits.MAX_RUN_JSON_BYTES + 1)
    read = {
        "state": run.read_checkpoint,
        "summary": run.read_summary,
        "project": run.read_project_json,
    }[name]
    with pytest.raises(LayerwiseError, match="MiB"):
        read()


SNAPSHOT_PAYLOADS = ["truncated", "empty", "garbage", "pickle", "json"]


@pytest.mark.parametrize("kind", SNAPSHOT_PAYLOADS)
def test_a_damaged_snapshot_is_one_line_and_runs_nothing(run, tmp_path, kind):
    snapshot = run.snapshot_files()[0]
    marker = tmp_path / "fired"
    data = snapshot.read_bytes()
    payloads = {
        "truncated": data[: len(data) // 3],
        "empty": b"",
        "garbage": bytes(range(256)),
        "json": b"{}",
    }
    if kind == "pickle":
        pickled_npz(snapshot, marker)
    else:
        snapshot.write_bytes(payloads[kind])
    with pytest.raises(ValueError) as caught:
        read_snapshot(snapshot)
    assert "\n" not in str(caught.value) and "allow_pickle" not in str(caught.value)
    assert not marker.exists()


def test_positive_control_the_pickled_payloads_fire_when_loaded_unsafely(tmp_path):
    marker = tmp_path / "fired"
    path = pickled_npz(tmp_path / "bomb.npz", marker)
    with np.load(path, allow_pickle=True) as data:
        data["x"]
    assert marker.read_text() == "fired"


def test_garbage_metrics_lines_are_skipped(run):
    with open(run.metrics, "ab") as handle:
        handle.write(
            b'{"loss": NaN}\n\xff\xfe garbage\n[1, 2]\n' + deep_json(5000).encode() + b"\n"
        )
    records = run.read_metrics()
    assert records and all(isinstance(r, dict) for r in records)
