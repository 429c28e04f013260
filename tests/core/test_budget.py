"""The memory estimate made before training refuses plans that cannot fit, naming the
setting to change; plans that fit pass."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from core import budget, templates
from core.catalog.data import default_data
from core.data.load import load_dataset
from core.data.pieces import save_pieces
from core.limits import TooLarge
from core.validate import validate

GiB = 1024**3


def test_the_templates_fit_in_a_gigabyte():
    for name in ("deephear", "dbn-digits", "melody-vae", "lstm-pianoroll"):
        project = templates.load(name)
        need = budget.check_report(validate(project), 32, budget=GiB)
        assert 0 < need < GiB


def test_weights_too_big_name_the_units_of_the_largest_block():
    report = validate(templates.load("deephear"))
    with pytest.raises(TooLarge, match="fewer units") as caught:
        budget.check_report(report, 1, budget=1024)
    largest = max(report.params, key=report.params.__getitem__)
    assert f"block {largest}" in str(caught.value)


def test_a_batch_too_big_names_the_batch_size():
    report = validate(templates.load("deephear"))
    with pytest.raises(TooLarge, match="batch_size"):
        budget.check_report(report, 10**9, budget=8 * GiB)


def test_windows_too_big_name_the_transposition_or_the_hop():
    assert budget.window_bytes([100], 16, 4, 48) == 22 * 16 * 48 * 4
    with pytest.raises(TooLarge, match="transpose"):
        budget.check_windows([10_000] * 100, 64, 1, 128, 97, budget=GiB)
    with pytest.raises(TooLarge, match="hop_steps"):
        budget.check_windows([10**6], 4096, 1, 128, 1, budget=GiB)
    assert budget.check_windows([64], 16, 16, 48, 1, budget=GiB) == 4 * 16 * 48 * 4


def test_loading_a_dataset_refuses_windows_that_cannot_fit(tmp_path, monkeypatch):
    path = tmp_path / "pieces.npz"
    rep = dict(default_data()["representation"])
    rolls = [np.zeros((256, rep["pitch_count"]), np.float32) for _ in range(3)]
    save_pieces(path, rolls, ["a", "b", "c"], rep, [])
    data = copy.deepcopy(default_data())
    data.update(source="npz", path=str(path))
    data["representation"]["transpose"] = [-12, 12]
    data["split"] = {"validation": 0.0, "test": 0.0, "seed": 0}
    monkeypatch.setattr(budget, "available_bytes", lambda: 1024 * 1024)
    with pytest.raises(TooLarge, match="transpose"):
        load_dataset(data, use_cache=False)
    data["representation"]["transpose"] = [0, 0]
    assert len(load_dataset(data, use_cache=False).x_train) > 0


def test_available_memory_is_known():
    assert budget.available_bytes() > 64 * 1024 * 1024
