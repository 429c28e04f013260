"""A DBN whose top RBM joins the labels (Hinton, Osindero and Teh 2006) on scikit-learn's
digits: how well it classifies by free energy, and whether the digits it generates for a
held class are that digit.

    python tests/benchmarks/bench_dbn_labels.py [--epochs-scale F] [--samples 100]
        [--iterations 1000] [--temperature 1] [--seed 0] [--out RUN] [--classifier RUN]

Trains the dbn-labels template (greedy CD pretraining of two RBMs and the joint top RBM,
then wake-sleep fine-tuning), evaluates the run as ``layerwise evaluate RUN`` does, then
generates ``--samples`` digits per class with the label units held at the class (dbn-memory:
``--iterations`` Gibbs steps in the top RBM at ``--temperature``, then a mean-field
down-pass) from the fine-tuned model
and from the greedy stack kept beside it. The generated digits are judged by a logistic
regression fitted on the training digits (scikit-learn), and by a fine-tuned classifier
run when ``--classifier`` names one (e.g. a dbn-digits run). Prints one JSON line. A
benchmark, not a test: about a minute of CPU at full scale.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def recognition_rates(model_path: Path, judges: dict, options: dict):
    """Per judge: the share of generated digits it assigns to the class held, and per class."""
    import numpy as np

    from core.export.safe_load import load_model_safely
    from core.music.generation.dbn import DeepBeliefNet
    from core.music.generation.layers import chain

    net = DeepBeliefNet(chain(load_model_safely(model_path)))
    rng = np.random.default_rng(options["seed"])
    samples, steps, temperature = options["samples"], options["iterations"], options["temperature"]
    images = [net.sample_class(c, samples, steps, rng, temperature) for c in range(net.classes)]
    out = {}
    for name, judge in judges.items():
        per_class = [float(np.mean(judge(x) == c)) for c, x in enumerate(images)]
        out[name] = {"rate": float(np.mean(per_class)), "per_class": per_class}
    return out


def judges_for(dataset, classifier_run: str | None) -> dict:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = dataset.x_train.reshape(len(dataset.x_train), -1)
    logistic = LogisticRegression(max_iter=3000).fit(x, dataset.y_train)
    judges = {"logistic_regression": lambda images: logistic.predict(images)}
    if classifier_run:
        from core.export.safe_load import load_model_safely
        from core.runs import RunFolder

        model = load_model_safely(RunFolder(Path(classifier_run)).model)
        shape = tuple(model.input.shape[1:])
        judges["fine_tuned_classifier"] = lambda images: np.argmax(
            np.asarray(model(images.reshape((len(images), *shape)), training=False)), axis=-1
        )
    return judges


def measure(scale: float, options: dict, out=None, classifier_run=None):
    """options: samples (per class), iterations, temperature, seed."""
    from core import templates
    from core.data import load_dataset
    from core.evaluate import evaluate_run
    from core.runs import RunFolder
    from core.training.session import run_training

    project = templates.load("dbn-labels")
    seed = options["seed"]
    project.training["seed"] = seed
    started, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as scratch:
        run = Path(out or scratch)
        for event in run_training(project, run, epochs_scale=scale, snapshot_every=0):
            if type(event).__name__ == "Failed":
                raise RuntimeError(event.message)
        train_cpu = time.process_time() - cpu
        result = evaluate_run(run, pieces=0, label_fraction=0)
        dataset = load_dataset(project.data)
        judges = judges_for(dataset, classifier_run)
        folder = RunFolder(run)
        generated = {
            "fine_tuned": recognition_rates(folder.model, judges, options),
            "greedy": recognition_rates(folder.pretrained_model, judges, options),
        }
        greedy_accuracy = _greedy_accuracy(folder, dataset)
    phases = RunFolder(run).read_summary()["phases"] if out else []
    return {
        "benchmark": "dbn-labels",
        "epochs_scale": scale,
        "seed": seed,
        "test_samples": len(dataset.x_test),
        "joint_label_accuracy": result.get("joint_label_accuracy"),
        "joint_label_accuracy_before_fine_tuning": greedy_accuracy,
        "reconstruction_error": result.get("reconstruction_error"),
        "generated_recognised": generated,
        "samples_per_class": options["samples"],
        "gibbs_iterations": options["iterations"],
        "temperature": options["temperature"],
        "phases": [p["method"] for p in phases],
        "train_cpu_seconds": round(train_cpu, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _greedy_accuracy(folder, dataset) -> float:
    """The free-energy accuracy of the stack as greedy pretraining left it."""
    import numpy as np

    from core.evaluate.joint_labels import joint_label_scores, joint_rbm
    from core.export.safe_load import load_model_safely

    model = load_model_safely(folder.pretrained_model)
    x = dataset.x_test.reshape((len(dataset.x_test), *tuple(model.input.shape[1:])))
    scores = joint_label_scores(model, joint_rbm(model), x.astype(np.float32))
    return float(np.mean(np.argmax(scores, axis=-1) == dataset.y_test))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs-scale", type=float, default=1.0)
    parser.add_argument("--samples", type=int, default=100, help="generated digits per class")
    parser.add_argument("--iterations", type=int, default=1000, help="Gibbs steps per sample")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="keep the run in this folder")
    parser.add_argument("--classifier", default=None, help="a classifier run to judge with")
    args = parser.parse_args(argv)
    options = {
        "samples": args.samples,
        "iterations": args.iterations,
        "temperature": args.temperature,
        "seed": args.seed,
    }
    figures = measure(args.epochs_scale, options, args.out, args.classifier)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
