"""The run summary: the counters a session keeps while it trains (kept across a resume) and
the summary.json it writes at the end (core.runs adds the format and version)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.training.devices import Placement

PIANO_ROLL_KEYS = ("steps_per_quarter", "lowest_pitch", "pitch_count", "window_steps")


@dataclass
class Progress:
    """Time and samples so far, and the summaries of the phases finished."""

    t0: float = field(default_factory=time.perf_counter)
    train_time: float = 0.0  # seconds inside the trainers' steps
    samples: int = 0
    phases: list[dict[str, Any]] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def count(self, seconds: float, samples: int) -> None:
        self.train_time += seconds
        self.samples += samples

    def samples_per_second(self) -> float | None:
        return self.samples / self.train_time if self.train_time else None

    def eta(self, done_steps: int, planned_steps: int) -> float | None:
        """Seconds left for the steps not done yet, at the pace so far (None before any)."""
        if self.train_time <= 0 or self.samples <= 0:
            return None
        left = max(planned_steps - done_steps, 0)
        return float(left * self.elapsed() / max(done_steps, 1))

    def has_phase(self, name: str) -> bool:
        return any(p["name"] == name for p in self.phases)

    def restore(self, state: Mapping[str, Any]) -> None:
        """Continue from a checkpoint's state."""
        self.phases = list(state.get("phases", []))
        self.train_time = float(state.get("train_time", 0.0))
        self.samples = int(state.get("samples", 0))
        self.t0 -= float(state.get("elapsed", 0.0))

    def checkpoint_fields(self) -> dict[str, Any]:
        """What a checkpoint keeps of the counters (``restore`` reads it back)."""
        return {
            "phases": self.phases,
            "train_time": self.train_time,
            "samples": self.samples,
            "elapsed": self.elapsed(),
        }


def data_summary(dataset: Any, representation: Mapping[str, Any]) -> dict[str, Any]:
    """The data part of the summary: kind, source, name, and a piano roll's geometry."""
    ds = dataset
    data = {"kind": ds.kind, "source": ds.metadata.get("source", ds.name), "name": ds.name}
    if ds.kind == "pianoroll":
        for key in PIANO_ROLL_KEYS:
            value = ds.metadata.get(key, representation.get(key))
            if value is not None:
                data[key] = value
    return data


def held_out_evaluation(trainer: Any, inputs: Any, dataset: Any) -> dict[str, Any]:
    """The trained network's metrics on the test split, else the validation split, else {}."""
    evaluation: dict[str, Any] = {}
    if len(inputs.x_test):
        evaluation = trainer.evaluate(inputs.x_test, dataset.y_test)
        evaluation["split"] = "test"
    elif len(inputs.x_val):
        evaluation = trainer.evaluate(inputs.x_val, dataset.y_val)
        evaluation["split"] = "validation"
    return evaluation


def code_statistics(encoder: Any, x_train: np.ndarray, limit: int = 4096) -> dict[str, Any]:
    """Mean, spread and range of each code unit over training windows. Generation draws
    random codes from these: an unbounded code's scale is learnt, not known in advance."""
    picks = np.linspace(0, len(x_train) - 1, min(limit, len(x_train))).astype(int)
    codes = np.asarray(encoder.predict(x_train[picks], batch_size=256, verbose=0))
    return {
        "mean": codes.mean(axis=0).tolist(),
        "std": codes.std(axis=0).tolist(),
        "min": codes.min(axis=0).tolist(),
        "max": codes.max(axis=0).tolist(),
    }


@dataclass(frozen=True)
class RunFacts:
    """What a run was: fixed once the session is set up."""

    project: str
    objective: str
    output_block: str
    sample_shape: list[int]
    input_shape: list[int | None]
    data: dict[str, Any]
    pretraining: bool
    seed: int
    strategy: str
    placement: Placement
    epochs_scale: float


def run_summary(
    facts: RunFacts,
    progress: Progress,
    evaluation: Mapping[str, Any],
    counts: Mapping[str, int],
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """summary.json's content, in its fields' usual order; ``extra`` holds the objective's
    own fields (a classifier's label fraction, an autoencoder's code statistics)."""
    return {
        "project": facts.project,
        "objective": facts.objective,
        "output_block": facts.output_block,
        "sample_shape": facts.sample_shape,
        "input_shape": facts.input_shape,
        "data": facts.data,
        "pretraining": facts.pretraining,
        "seed": facts.seed,
        "strategy": facts.strategy,
        "replicas": facts.placement.replicas,
        "device": facts.placement.device_name,
        "epochs_scale": facts.epochs_scale,
        "phases": progress.phases,
        "evaluation": dict(evaluation),
        "samples_per_second": progress.samples_per_second(),
        "wall_seconds": progress.elapsed(),
        "model": "model.keras",
        "counts": dict(counts),
        **extra,
    }


def objective_fields(
    objective: str,
    finetune: Mapping[str, Any],
    dataset: Any,
    model: Any,
    code_block: str | None,
    x_train: np.ndarray,
    keras: Any,
) -> dict[str, Any]:
    """A classifier's label share and classes; an autoencoder's code block and the statistics
    of its code (``model``: the fine-tuned autoencoder)."""
    if objective == "classifier":
        fraction = float(finetune.get("label_fraction", 1.0))
        return {"label_fraction": fraction, "num_classes": dataset.num_classes}
    if objective not in ("autoencoder", "wake-sleep"):  # both unrolled, with a code block
        return {}
    encoder = keras.Model(model.input, model.get_layer(code_block).output)
    return {"code_block": code_block, "code_statistics": code_statistics(encoder, x_train)}


def finished_summary(session: Any, evaluation: dict[str, Any]) -> dict[str, Any]:
    """summary.json's content at the end of a session (its run, data, phases, evaluation)."""
    ds, inputs, model = session.dataset, session.inputs, session.model
    facts = RunFacts(
        project=session.project.name,
        objective=session.objective,
        output_block=session.built.output_block,
        sample_shape=list(ds.sample_shape),
        input_shape=list(model.input.shape[1:]),
        data=data_summary(ds, session.project.data.get("representation", {})),
        pretraining=session.pretraining,
        seed=session.seed,
        strategy=session.strategy,
        placement=session.placement,
        epochs_scale=session.epochs_scale,
    )
    counts = {"train": len(inputs.x_train), "validation": len(inputs.x_val)}
    counts["test"] = len(inputs.x_test)
    extra = objective_fields(
        session.objective,
        session.finetune,
        ds,
        session.final_model,
        session.code_block,
        inputs.x_train,
        session.keras,
    )
    if session.duration_model is not None:  # what the next runs' estimates learn from
        extra["duration_model"] = session.duration_model
    return run_summary(facts, session.progress, evaluation, counts, extra)
