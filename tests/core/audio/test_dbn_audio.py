"""The dbn-audio template on a tiny rendered set: it pretrains and fine-tunes a few steps,
and `layerwise evaluate` gives the accuracy table with its MFCC and SVM baselines."""

import json

import pytest

from core import templates
from core.cli import main
from core.data import gm_instruments
from core.training.session import run_training


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("dbn-audio")
    folder = root / "clips"
    gm_instruments.render_set(folder, gm_instruments.plan(pieces=3, programs=2, seconds=1.5))
    project = templates.load("dbn-audio")
    project.data = {
        **project.data,
        "source": "audio-folder",
        "path": str(folder),
        "split": {"validation": 0.2, "test": 0.2, "seed": 0},
    }
    for settings in project.training["pretraining"]["blocks"].values():
        settings["epochs"] = 1
    project.training["finetune"]["epochs"] = 2
    events = list(run_training(project, root / "run"))
    assert type(events[-1]).__name__ == "Finished", events[-1]
    return root / "run"


def test_the_template_is_a_dbn_on_frames_pooled_over_a_clip():
    project = templates.load("dbn-audio")
    types = [b.type for b in project.network.blocks]
    assert types == ["Input", "RBM", "RBM", "GlobalAveragePooling1D", "Dense"]
    visible = [b.params["visible"] for b in project.network.blocks if b.type == "RBM"]
    assert visible == ["gaussian", "bernoulli"]
    assert all(b.params["per_frame"] for b in project.network.blocks if b.type == "RBM")
    assert project.data["source"] == "gm-instruments"
    assert project.training["finetune"]["objective"] == "classifier"


def test_an_rbm_reads_frames_only_when_asked():
    from core import catalog
    from core.catalog.types import ShapeError

    rbm = catalog.get("RBM")
    per_frame = {**rbm.defaults(), "units": 16, "per_frame": True}
    assert rbm.infer(per_frame, [(32, 64)]) == (32, 16)
    assert rbm.count(per_frame, [(32, 64)]) == 64 * 16 + 16 + 64
    with pytest.raises(ShapeError, match="Flatten"):
        rbm.infer(rbm.defaults(), [(32, 64)])
    with pytest.raises(ShapeError, match="reading frames"):
        rbm.infer(per_frame, [(64,)])


def test_the_template_trains_and_evaluates_like_hamels_table(trained, capsys):
    summary = json.loads((trained / "summary.json").read_text())
    assert [p["kind"] for p in summary["phases"]][:2] == ["pretrain", "pretrain"]
    assert main(["evaluate", str(trained), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    families = sorted(gm_instruments.FAMILIES)
    assert result["classes"] == families
    assert 0 <= result["accuracy"] <= 1 and set(result["per_class"]) == set(families)
    for name in ("mfcc", "svm"):
        row = result["baselines"][name]
        assert 0 <= row["accuracy"] <= 1 and set(row["per_class"]) == set(families)
    assert 0 <= result["file_accuracy"] <= 1
    assert "generation" not in result  # sound is no piano roll
    assert main(["evaluate", str(trained)]) == 0
    printed = capsys.readouterr().out
    assert "per class" in printed and "woodwind" in printed and "svm" in printed


def test_an_rbm_saved_before_it_could_read_frames_still_imports():
    from core.export.layer_params import layer_to_block
    from core.keras_env import load_keras
    from core.layers.rbm import RBM

    keras = load_keras()
    layer = RBM(8, visible="gaussian", name="old")
    layer.build((None, 12))
    entry = keras.saving.serialize_keras_object(layer)
    assert entry["config"].pop("per_frame") is False
    assert layer_to_block(entry, 1) == ("RBM", {"units": 8, "visible": "gaussian"})
    framed = keras.saving.serialize_keras_object(RBM(8, per_frame=True, name="new"))
    assert layer_to_block(framed, 2) == ("RBM", {"units": 8, "per_frame": True})


def test_training_names_each_unusable_sound_file(tmp_path):
    from sounds import class_folder

    folder = class_folder(tmp_path / "set", per_class=3)
    (folder / "piano" / "broken.wav").write_bytes(b"RIFF....")
    project = templates.load("dbn-audio")
    project.data = {
        **project.data,
        "source": "audio-folder",
        "path": str(folder),
        "audio": {**project.data["audio"], "n_mels": 64},
        "split": {"validation": 0.0, "test": 0.0, "seed": 0},
    }
    project.network.blocks[-1].params["units"] = 2
    project.training["pretraining"]["enabled"] = False
    project.training["finetune"]["epochs"] = 1
    events = list(run_training(project, tmp_path / "run", stages=True))
    texts = [e.text for e in events if type(e).__name__ == "StageProgress"]
    assert "skipped piano/broken.wav: cannot be decoded (Format not recognised)" in texts
    assert type(events[-1]).__name__ == "Finished", events[-1]
