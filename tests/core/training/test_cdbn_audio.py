"""The cdbn-audio template on a tiny rendered set: two convolutional RBMs pretrain greedily on
mel spectrograms of instrument sounds, the classifier fine-tunes, and the run's first filters
are time × frequency patches; the template's shapes and settings as declared."""

import json

import numpy as np
import pytest

from core import templates
from core.data import gm_instruments
from core.training.session import run_training


def test_the_template_is_a_convolutional_dbn_on_gm_instruments():
    project = templates.load("cdbn-audio")
    types = [b.type for b in project.network.blocks]
    assert types == ["Input", "Reshape", "ConvRBM", "ConvRBM", "Flatten", "Dropout", "Dense"]
    visible = [b.params["visible"] for b in project.network.blocks if b.type == "ConvRBM"]
    assert visible == ["gaussian", "bernoulli"]
    assert project.data["source"] == "gm-instruments"
    from core.catalog.data import sample_shape
    from core.validate import validate

    report = validate(project)
    assert report.ok, report.problems
    assert list(project.network.block("input").params["shape"]) == list(sample_shape(project.data))
    assert report.shapes["crbm1"] == (13, 28, 32) and report.shapes["crbm2"] == (5, 12, 32)
    assert report.shapes["family"] == (7,)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cdbn-audio")
    folder = root / "clips"
    gm_instruments.render_set(folder, gm_instruments.plan(pieces=3, programs=2, seconds=1.5))
    project = templates.load("cdbn-audio")
    project.data = {
        **project.data,
        "source": "audio-folder",
        "path": str(folder),
        "split": {"validation": 0.2, "test": 0.2, "seed": 0},
    }
    for block in ("crbm1", "crbm2"):
        project.network.block(block).params["filters"] = 8
        project.training["pretraining"]["blocks"][block]["epochs"] = 2
    project.training["finetune"]["epochs"] = 1
    events = list(run_training(project, root / "run"))
    assert type(events[-1]).__name__ == "Finished", getattr(events[-1], "message", events[-1])
    return events


def test_the_template_pretrains_both_blocks_and_fine_tunes(trained):
    started = [(e.block, e.method) for e in trained if type(e).__name__ == "PhaseStarted"]
    assert started == [("crbm1", "conv-rbm"), ("crbm2", "conv-rbm"), (None, "classifier")]
    errors = [
        e.metrics["reconstruction_error"]
        for e in trained
        if type(e).__name__ == "EpochMetrics" and e.block == "crbm1"
    ]
    assert len(errors) == 2 and errors[1] < errors[0]
    summary = trained[-1].summary
    assert 0 <= summary["evaluation"]["accuracy"] <= 1
    assert json.dumps(summary)  # plain JSON


def test_its_filters_are_drawn_as_time_by_frequency_patches(trained):
    snaps = {e.block: e for e in trained if type(e).__name__ == "Snapshot"}
    first = snaps["crbm1"]
    assert first.sample_kind == "spectrogram"
    assert first.filters.shape == (8, 6, 8)  # filters × frames × mel bands
    assert first.inputs.shape[1:] == (32, 64) and np.isfinite(first.reconstructions).all()
    assert snaps["crbm2"].filters.shape == (8, 4, 4, 8)
    assert snaps[None].filters.shape == (8, 6, 8)  # after fine-tuning: the first block's
