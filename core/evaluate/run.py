"""Evaluating a finished run: the figures that fit its objective, written to evaluation.json.

Sequence models get ``nll_per_step`` and ``frame_accuracy`` (on whole pieces for the
benchmark sets, as the papers measure; on windows otherwise) beside the per-key Bernoulli
baseline; autoencoders, VAEs and RBM stacks get ``wrong_notes_per_window`` with their
``baselines``; classifiers get ``accuracy`` and a ``confusion_matrix`` (and, when the network
pretrains, ``label_fraction_comparison``: pretrained against random weights on a tenth of the
labels). A run whose top RBM joins the labels also gets ``joint_label_accuracy``: the
DBN classifying by the free energy of each label. A run that can
generate music also gets ``generation``: per method, its pieces' statistics against held-out
pieces of the corpus.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.errors import LayerwiseError
from core.evaluate import classifier, reconstruction, sequence
from core.evaluate.generated import generation_report, greedy_report
from core.evaluate.joint_labels import joint_label_figures
from core.evaluate.label_fraction import DEFAULT_FRACTION, compare_label_fraction
from core.evaluate.splits import benchmark_pieces, held_out
from core.runs import RunFolder

EVALUATION_FORMAT = "layerwise-evaluation"
EVALUATION_VERSION = 1
SPLITS = ("test", "validation", "train")
MAX_WINDOWS = 20_000  # windows per split a reconstruction is measured on (evenly chosen)
RECONSTRUCTING = ("autoencoder", "vae", "rbm", "wake-sleep")

Progress = Callable[[str], None]


def evaluate_run(
    run_dir,
    split: str = "test",
    pieces: int = 16,
    progress: Progress | None = None,
    label_fraction: float = DEFAULT_FRACTION,
):
    """Compute the run's figures on ``split``, write evaluation.json, return the object.

    ``pieces``: pieces generated per method for ``generation`` (0 leaves it out).
    ``label_fraction``: a pretrained classifier is trained again on that share of its labels,
    with and without pretraining, for ``label_fraction_comparison`` (0 leaves it out).
    """
    say = progress or (lambda message: None)
    if split not in SPLITS:
        raise LayerwiseError(f"--split must be one of {', '.join(SPLITS)}; got {split!r}")
    run = RunFolder(Path(os.fspath(run_dir)))
    project = run.read_project_json()
    if not run.has_model() or project is None:
        raise LayerwiseError(f"{run}: not a finished run (it needs model.keras and project.json)")
    from core.data import load_dataset
    from core.music.generation import load

    say("loading the model")
    gm = load(run.path)
    say("loading the data")
    dataset = load_dataset(project.get("data") or {})
    result = {
        "format": EVALUATION_FORMAT,
        "version": EVALUATION_VERSION,
        "objective": gm.objective,
        "dataset": dataset.name,
        "split": split,
    }
    say(f"measuring the {gm.objective or 'unknown'} model on the {split} split")
    result.update(_figures(gm, dataset, split))
    result.update(joint_label_figures(gm, dataset, split))
    if gm.objective == "classifier" and label_fraction:
        comparison = compare_label_fraction(project, dataset, split, label_fraction, say)
        if comparison is not None:
            result["label_fraction_comparison"] = comparison
    if pieces and gm.methods:
        say(f"generating {pieces} piece(s) per method")
        generation = generation_report(gm, dataset, split, pieces)
        if "error" not in generation:
            generation.update(greedy_report(run, dataset, split, pieces))
        result["generation"] = generation
    return run.write_evaluation(result)


def _figures(gm, dataset, split: str) -> dict:
    if gm.objective == "sequence":
        return _sequence_figures(gm, dataset, split)
    if gm.objective in RECONSTRUCTING and not gm.is_music:
        return _image_reconstruction_figures(gm, dataset, split)
    if gm.objective in RECONSTRUCTING:
        return _reconstruction_figures(gm, dataset, split)
    if gm.objective == "classifier":
        x, y = held_out(dataset, split)
        if y is None or dataset.y_train is None:
            raise LayerwiseError("the classifier's data set has no labels to measure against")
        scores = _predict(gm.model, _model_input(gm, x))
        figures = classifier.evaluate_classifier(scores, y, dataset.y_train)
        if dataset.kind == "audio":
            from core.evaluate.audio import audio_figures

            figures = audio_figures(figures, scores, dataset, split)
        return figures
    raise LayerwiseError(
        f"no evaluation fits this run's objective ({gm.objective!r}): it measures sequence "
        "models, autoencoders, VAEs, RBM stacks and classifiers"
    )


def _sequence_figures(gm, dataset, split: str) -> dict:
    whole = benchmark_pieces(dataset, split)
    if whole is not None:
        train, pieces = whole
        unit = "piece"
    else:
        train, pieces = list(dataset.x_train), list(held_out(dataset, split)[0])
        unit = "window"
    result = sequence.evaluate_sequences(
        lambda x: _predict(gm.model, x), pieces, score=_joint_score(gm.model)
    )
    result["unit"] = unit
    layer = next((x for x in gm.layers if type(x).__name__ == "RNNRBM"), None)
    if layer is not None and pieces:
        # the RNN-RBM's own likelihood (AIS), as its paper reports it; the mean-field
        # output's figure stays beside it
        from core.evaluate.ais import rnn_rbm_nll

        result["mean_field_nll_per_step"] = result["nll_per_step"]
        result.update(rnn_rbm_nll(layer, pieces))
    result["baselines"] = {
        "per_key": {"nll_per_step": sequence.per_key_bernoulli_nll(train, pieces)}
    }
    return result


def _joint_score(model):
    """The exact scorer of a model with a joint output over a step's keys, else None."""
    from core.joint_keys import feature_model, joint_layer, score_windows

    if joint_layer(model) is None:
        return None
    features = feature_model(model)
    return lambda x: score_windows(model, features, x)


def _reconstruction_figures(gm, dataset, split: str) -> dict:
    train = _evenly(dataset.x_train, MAX_WINDOWS)
    test = _evenly(held_out(dataset, split)[0], MAX_WINDOWS)

    def rebuild(windows: np.ndarray) -> np.ndarray:
        out = [gm.reconstruct(windows[i : i + 1024]) for i in range(0, len(windows), 1024)]
        return np.concatenate(out).reshape(windows.shape) if out else windows

    return reconstruction.evaluate_reconstruction(rebuild, gm.code_size(), train, test)


def _image_reconstruction_figures(gm, dataset, split: str) -> dict:
    """Samples that are no piano roll (images): the mean squared error of the model's
    reconstruction on training and held-out samples, beside PCA with the code's size."""
    train = _evenly(dataset.x_train, MAX_WINDOWS)
    test = _evenly(held_out(dataset, split)[0], MAX_WINDOWS)
    pca, components = reconstruction.pca_reconstruction(train, gm.code_size())

    def error(rebuilt: np.ndarray, x: np.ndarray) -> float:
        return float(np.mean((np.asarray(rebuilt).reshape(x.shape) - x) ** 2))

    splits = {"train": train, "test": test}
    return {
        "reconstruction_error": {
            k: error(_predict(gm.model, _model_input(gm, x)), x) for k, x in splits.items()
        },
        "code_size": int(gm.code_size()),
        "baselines": {
            "pca": {**{k: error(pca(x), x) for k, x in splits.items()}, "components": components}
        },
    }


def _model_input(gm, x: np.ndarray) -> np.ndarray:
    """Samples shaped as the model takes them (training may have flattened them)."""
    shape = gm.input_shape if None not in gm.input_shape else gm.sample_shape
    return np.asarray(x, np.float32).reshape((len(x), *shape))


def _evenly(x: np.ndarray, most: int) -> np.ndarray:
    if len(x) <= most:
        return np.asarray(x, np.float32)
    return np.asarray(x[np.linspace(0, len(x) - 1, most).astype(int)], np.float32)


def _predict(model, x: np.ndarray, batch: int = 256) -> np.ndarray:
    from core.music.generation.layers import to_numpy

    parts = [to_numpy(model(x[i : i + batch], training=False)) for i in range(0, len(x), batch)]
    return np.concatenate(parts) if parts else np.zeros((0,))
