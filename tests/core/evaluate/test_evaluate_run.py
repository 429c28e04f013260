"""`layerwise evaluate` on tiny real runs: a sequence model, an autoencoder, a classifier."""

from __future__ import annotations

import json

import pytest

from core.cli import main
from core.evaluate import evaluate_run
from core.project import project_from_json
from core.runs import RunFolder
from core.training.session import run_training

JSB = {
    "source": "jsb-chorales",
    "limit": 4,
    "representation": {"window_steps": 8, "hop_steps": 4},
}


def _project(blocks, objective, data, pretrain=None):
    wires = [{"from": a["id"], "to": b["id"]} for a, b in zip(blocks, blocks[1:], strict=False)]
    settings = {"epochs": 1, "batch_size": 16, "learning_rate": 0.01}
    return project_from_json(
        {
            "format": "layerwise-project",
            "version": 2,
            "name": "evaluated",
            "network": {"blocks": blocks, "wires": wires},
            "data": data,
            "training": {
                "seed": 0,
                "pretraining": {
                    "enabled": bool(pretrain),
                    "blocks": {b: dict(settings) for b in pretrain or ()},
                },
                "finetune": {"objective": objective, **settings},
            },
        }
    )


def _block(id, type, **params):
    return {"id": id, "type": type, "params": params}


def _train(project, folder):
    events = list(run_training(project, folder))
    assert type(events[-1]).__name__ == "Finished", events[-1]
    return folder


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    sequence = _project(
        [
            _block("input", "Input", shape=[None, 88]),
            _block("lstm", "LSTM", units=8, return_sequences=True),
            _block("next", "TimeDistributedDense", units=88, activation="sigmoid"),
        ],
        "sequence",
        JSB,
    )
    autoencoder = _project(
        [
            _block("input", "Input", shape=[8, 88]),
            _block("flatten", "Flatten"),
            _block("code", "Autoencoder", units=6),
        ],
        "autoencoder",
        JSB,
        pretrain=["code"],
    )
    digits = {"source": "digits", "limit": 300, "split": {"validation": 0.1, "test": 0.2}}
    classifier = _project(
        [
            _block("input", "Input", shape=[8, 8]),
            _block("flatten", "Flatten"),
            _block("classes", "Dense", units=10, activation="softmax"),
        ],
        "classifier",
        digits,
    )
    dbn = _project(
        [
            _block("input", "Input", shape=[8, 8]),
            _block("flatten", "Flatten"),
            _block("rbm", "RBM", units=16),
            _block("classes", "Dense", units=10, activation="softmax"),
        ],
        "classifier",
        digits,
        pretrain=["rbm"],
    )
    return {
        "dbn": _train(dbn, root / "dbn"),
        "sequence": _train(sequence, root / "sequence"),
        "autoencoder": _train(autoencoder, root / "autoencoder"),
        "classifier": _train(classifier, root / "classifier"),
    }


def test_a_sequence_model_gets_nll_and_frame_accuracy_on_whole_pieces(runs):
    result = evaluate_run(runs["sequence"], pieces=2)
    assert result["objective"] == "sequence" and result["dataset"] == "jsb-chorales"
    assert result["unit"] == "piece" and result["predicted_frames"] > 100
    assert 0 < result["nll_per_step"] < 61  # under a coin per key, after one epoch
    assert 0 <= result["frame_accuracy"] <= 1
    assert 5 < result["baselines"]["per_key"]["nll_per_step"] < 20
    overlap = result["generation"]["next-step"]["mean_overlap"]
    assert 0 <= overlap <= 1
    assert RunFolder(runs["sequence"]).read_evaluation() == result


def test_an_autoencoder_gets_wrong_notes_beside_pca_silent_and_per_key(runs):
    result = evaluate_run(runs["autoencoder"], pieces=0)
    assert "generation" not in result
    assert set(result["wrong_notes_per_window"]) == {"train", "test"}
    baselines = result["baselines"]
    assert set(baselines) == {"pca", "silent", "per_key"}
    assert baselines["pca"]["components"] == result["code_size"] == 6
    assert baselines["silent"]["test"] == pytest.approx(result["notes_per_window"]["test"])
    assert result["window_cells"] == 8 * 88
    for figure in (result["wrong_notes_per_window"], *baselines.values()):
        assert 0 <= figure["test"] <= 8 * 88


def test_a_classifier_gets_accuracy_and_its_confusion_matrix(runs, capsys):
    assert main(["evaluate", str(runs["classifier"]), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == RunFolder(runs["classifier"]).read_evaluation()
    assert printed["objective"] == "classifier" and 0 <= printed["accuracy"] <= 1
    matrix = printed["confusion_matrix"]
    assert len(matrix) == 10 and sum(map(sum, matrix)) == printed["samples"] == 60
    assert 0 < printed["baselines"]["majority_class"]["accuracy"] < 0.3
    assert "label_fraction_comparison" not in printed  # nothing in it pretrains


def test_a_pretrained_classifier_is_compared_with_random_weights_on_few_labels(runs, capsys):
    said = []
    result = evaluate_run(runs["dbn"], label_fraction=0.2, progress=said.append)
    assert [m for m in said if "of the labels" in m] == [
        "training on 0.2 of the labels, pretrained",
        "training on 0.2 of the labels, random",
    ]
    comparison = result["label_fraction_comparison"]
    assert comparison["fraction"] == 0.2 and comparison["split"] == "test"
    assert 0 <= comparison["pretrained"] <= 1 and 0 <= comparison["random"] <= 1
    assert "label_fraction_comparison" not in evaluate_run(runs["dbn"], label_fraction=0)
    assert main(["evaluate", str(runs["dbn"]), "--label-fraction", "0.2"]) == 0
    assert "on 0.2 of the labels: pretrained" in capsys.readouterr().out
    assert main(["evaluate", str(runs["dbn"]), "--label-fraction", "2"]) == 1


def test_evaluate_prints_figures_and_refuses_what_is_not_a_run(runs, tmp_path, capsys):
    assert main(["evaluate", str(runs["autoencoder"]), "--pieces", "0"]) == 0
    out = capsys.readouterr().out
    assert "wrong notes per window" in out and "pca" in out and "silent" in out
    assert main(["evaluate", str(tmp_path)]) == 1
    assert "not a finished run" in capsys.readouterr().err
