"""The training session: greedy layer-wise pretraining, then fine-tuning, as a plain generator
of the typed events in :mod:`core.training.events`, obeying a :class:`Control`.

    for event in run_training(project, "runs/dbn"):
        ...

Bad input never raises: the session yields :class:`Failed` with one line naming the phase and
block. Only programming errors raise. The pieces it walks through live beside it: devices and
strategies (``devices``), the phase plan (``phases``), the data (``inputs``), snapshots
(``snapshots``), the summary (``summary``) and the run folder (``core.runs``).
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from core import budget
from core.errors import LayerwiseError
from core.limits import printable
from core.runs import RunFolder
from core.training import devices, failures, forecast, resume, snapshots, trainers
from core.training.background import BackgroundWriter
from core.training.cadence import CHECKPOINT, HISTOGRAMS, SNAPSHOT, Cadence, ChunkPace
from core.training.control import Control, InterruptFlag
from core.training.early_stopping import EarlyStopping
from core.training.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochMetrics,
    Event,
    Failed,
    Finished,
    PhaseStarted,
    Snapshot,
    StageProgress,
    Stopped,
)
from core.training.graph_release import released_graphs
from core.training.inputs import load_with_progress, prepare_inputs
from core.training.phases import Phase, PhaseOutcome, approx_steps, plan_phases
from core.training.summary import Progress, finished_summary, held_out_evaluation
from core.training.tensorboard import TensorBoardLog
from core.validate import validate


def run_training(
    project,
    run_dir,
    *,
    control=None,
    epochs_scale=1.0,
    device=None,
    pretraining=None,
    resume=False,
    dataset=None,
    strategy=None,
    cpu_replicas=None,
    snapshot_every=None,
    stages=False,
    probe=False,
) -> Iterator[Event]:
    """Train ``project`` into the run folder ``run_dir``, yielding events.

    pretraining: None = the project's setting; True / False overrides it.
    dataset: a preloaded core.data.Dataset, or None to load ``project.data``.
    device: "cpu", "gpu:N", or None (the first GPU when there is one, else the CPU).
    snapshot_every: epochs between snapshots (None = the project's setting; 0 = none).
    stages: also yield :class:`StageProgress` for the steps around the phases (loading
    TensorFlow, building, loading the data with a count, saving); the window and the CLI ask.
    probe: yield a :class:`RunEstimate` before the first phase: a long run times a few
    batches of each phase first, any other is estimated from its cost at this machine's
    speed (see ``core.training.forecast``; the window and the CLI ask).
    """
    session = _Session(project, Path(run_dir), control or Control(), float(epochs_scale))
    session.device_request, session.pretraining_request = device, pretraining
    session.resume, session.dataset, session.snapshot_every = bool(resume), dataset, snapshot_every
    session.strategy, session.cpu_replicas = strategy, cpu_replicas
    session.stages, session.probe = bool(stages), bool(probe)
    with released_graphs():  # the run's traced graphs go when it ends (see graph_release)
        yield from session.events()


class _Session:
    def __init__(self, project, run_dir: Path, control, epochs_scale: float):
        self.project = project
        self.run_dir = run_dir
        self.control = control
        self.epochs_scale = epochs_scale
        self.phases: tuple[Phase, ...] = ()
        self.current = (None, None)  # (phase index, block) for error messages
        self.epoch_metrics: dict = {}  # the last epoch's metrics (the phase's summary)
        self.last_checkpoint: str | None = None
        self.scratch: Path | None = None
        self.listening: InterruptFlag | None = None  # the flag the control notifies
        self.background: BackgroundWriter | None = None  # writes checkpoints, snapshots, logs
        self.cadence: Cadence | None = None  # paces snapshots, checkpoints, histograms by time
        # what the caller asked for (run_training sets them)
        self.device_request: str | None = None
        self.pretraining_request: bool | None = None
        self.resume = False
        self.dataset: Any = None  # a core.data.Dataset, or None to load the project's
        self.strategy: str | None = None
        self.cpu_replicas: int | None = None
        self.snapshot_every: int | None = None
        self.stages = False
        self.probe = False
        self.duration_model: dict | None = None  # the run's cost, kept in its summary

    # ---- the outer guard: bad input becomes Failed ----------------------------------------

    @property
    def writer(self) -> BackgroundWriter:
        """The background writer, which exists from the run's start to its end."""
        assert self.background is not None, "the background writer starts with the run"
        return self.background

    @property
    def pace(self) -> Cadence:
        """The time budget of optional per-epoch work, which exists with the writer."""
        assert self.cadence is not None, "the cadence starts with the run"
        return self.cadence

    def events(self):
        try:
            try:
                self.strategy = devices.check_requests(
                    self.strategy, self.cpu_replicas, self.epochs_scale
                )
                yield from self._setup()
                yield from self._train()
            except LayerwiseError as exc:
                self._settle_writes()
                yield self._failed(str(exc))
            except Exception as exc:  # noqa: BLE001 - a few runtime failures have user causes
                message = failures.runtime_message(exc)
                if message is None:
                    raise
                self._settle_writes()
                yield self._failed(message)
        finally:
            if self.background is not None:
                self.background.close()
            if getattr(self, "run", None) is not None:
                with contextlib.suppress(OSError):
                    self.run.clear_active()  # the folder no longer says a session trains
            if getattr(self, "tensorboard", None) is not None:
                self.tensorboard.close()
            if self.listening is not None:
                self.control.remove_listener(self.listening.raise_now)
            if self.scratch is not None:
                shutil.rmtree(self.scratch, ignore_errors=True)

    def _settle_writes(self) -> None:
        """Let the writes in flight finish before a failure names the last checkpoint."""
        if self.background is not None:
            with contextlib.suppress(Exception):
                self.background.drain()

    def _failed(self, message: str) -> Failed:
        phase, block = self.current
        return failures.located(message, self.phases, phase, block, self.last_checkpoint)

    # ---- set-up ----------------------------------------------------------------------------

    def _setup(self):
        from core.keras_env import load_keras

        project = self.project
        self.seed = int(project.training.get("seed", 0))
        self.finetune = project.finetune_settings()
        self.objective = self.finetune["objective"]
        self.checkpoint = self._read_checkpoint() if self.resume else None
        yield from self._stage("loading-tensorflow", "loading TensorFlow")
        self.keras = load_keras()
        import tensorflow as tf

        self.tf = tf
        self.placement = devices.place(tf, self.device_request, self.strategy, self.cpu_replicas)
        self.device = self.placement.device
        self.strategy_obj = self.placement.strategy
        pretraining = self.pretraining_request
        if pretraining is None:
            pretraining = bool(project.training.get("pretraining", {}).get("enabled", True))
        self.pretraining = bool(pretraining)
        budget.check_report(validate(project), int(self.finetune.get("batch_size", 32)))
        yield from self._stage("building", "building the model")
        self.built = trainers.build_network(
            project, self.pretraining, tf, self.device, self.strategy_obj
        )
        self.model = self.built.model
        if self.dataset is None:
            yield from self._load_data(project.data)
        self.inputs = prepare_inputs(
            self.dataset, self.model, self.objective, self.built.output_block
        )
        steps = self.built.plan if self.pretraining else []
        self.phases = plan_phases(steps, self.finetune, self.objective, self.epochs_scale)
        self._prepare_folder()

    def _stage(self, stage: str, text: str, done: int | None = None, total: int | None = None):
        if self.stages:
            yield StageProgress(stage, text, done, total)

    def _load_data(self, data: dict):
        """Load the project's data, yielding its progress as it comes: converting a corpus can
        take minutes."""
        yield from self._stage("loading-data", "loading the data")
        updates = load_with_progress(data)
        while True:
            try:
                done, total, text = next(updates)
            except StopIteration as end:
                self.dataset = end.value
                break
            yield from self._stage("loading-data", text, done, total)
        if self.dataset.kind == "audio":  # each unusable sound file, named with its reason
            for name, reason in self.dataset.metadata.get("skipped", ()):
                yield from self._stage("loading-data", printable(f"skipped {name}: {reason}"))

    def _read_checkpoint(self) -> resume.Checkpoint:
        """The checkpoint to go on from; the run's settings come from it."""
        checkpoint = resume.read_checkpoint(self.run_dir, self.project)
        if self.pretraining_request is None:
            self.pretraining_request = checkpoint.state.get("pretraining")
        self.epochs_scale = float(checkpoint.state.get("epochs_scale", self.epochs_scale))
        return checkpoint

    def _prepare_folder(self):
        self.run_dir, self.scratch = devices.results_folder(self.run_dir, self.placement)
        self.run = RunFolder(self.run_dir)
        try:
            self.run.prepare(self.project.to_json(), resume=self.resume)
            if self.checkpoint is not None:  # the epochs after it are trained again
                self.run.drop_metrics_from(*self.checkpoint.start[:2])
            self.run.mark_active()
            self.background = BackgroundWriter()
            self.cadence = Cadence(self.background)
            self.tensorboard = TensorBoardLog(self.tf, self.run.tensorboard, self.cadence)
        except OSError as exc:
            raise LayerwiseError(
                f"cannot write the run folder {self.run_dir}: {exc.strerror or exc}"
            ) from None

    # ---- the run ---------------------------------------------------------------------------

    def _train(self):
        self.interrupt = InterruptFlag(self.control, self.tf.Variable(False, trainable=False))
        if hasattr(self.control, "add_listener"):
            self.control.add_listener(self.interrupt.raise_now)
            self.listening = self.interrupt
        self.progress = Progress()
        start = (0, 0, 0)
        if self.checkpoint is not None:
            resume.restore_model(self.model, self.checkpoint)
            self.progress.restore(self.checkpoint.state)
            self.last_checkpoint = str(self.run.state)
            start = self.checkpoint.start
        n = len(self.inputs.x_train)
        self.planned = sum(p.epochs * self._approx_steps(p, n) for p in self.phases)
        if self.checkpoint is None:  # a new run: its duration said, its cost kept
            yield from forecast.before_first_phase(self)
        pretrained = [p.block for p in self.phases[: start[0]] if p.pretrains]
        self.trainer = None
        for index, phase in enumerate(self.phases):
            if index < start[0]:
                continue
            resuming = index == start[0] and self.checkpoint is not None
            epoch0, step0 = start[1:] if resuming else (0, 0)
            self.current = (index, phase.block)
            with self.tf.device(self.device):
                trainer = self._make_trainer(index, phase, pretrained)
            self.trainer = trainer
            if resuming:
                resume.restore_trainer(trainer, self.checkpoint)
            outcome = yield from self._run_phase(index, phase, trainer, epoch0, step0)
            if outcome is not PhaseOutcome.DONE:
                return
            if phase.pretrains:
                pretrained.append(phase.block)
        yield from self._finish()

    def _approx_steps(self, phase: Phase, n: int) -> int:
        classifier = self.objective == "classifier"
        share = float(self.finetune.get("label_fraction", 1.0)) if classifier else 1.0
        return approx_steps(phase, n, share)

    def _make_trainer(self, index: int, phase: Phase, pretrained_blocks: list[str]):
        maker = trainers.TrainerMaker(
            self.keras,
            self.model,
            self.project.network,
            self.inputs,
            self.objective,
            self.seed,
            self.interrupt.variable,
            self.strategy_obj,
        )
        if phase.pretrains:
            made = maker.pretrainer(index, phase)
            self.block_view = (made.examples, made.in_data_shape)
            return made.trainer
        tuned = maker.finetuner(index, phase, pretrained_blocks, self.dataset)
        self.final_model, self.code_block = tuned.model, tuned.code_block
        return tuned.trainer

    # ---- one phase -------------------------------------------------------------------------

    def _run_phase(self, index: int, phase: Phase, trainer, epoch0: int, step0: int):
        """Yield the phase's events; return its PhaseOutcome."""
        # without a listener nothing can cut a compiled chunk short: go batch by batch
        chunk = ChunkPace(trainer.chunk if hasattr(self.control, "add_listener") else 1)
        yield PhaseStarted(
            index=index,
            count=len(self.phases),
            name=phase.name,
            kind=phase.kind,
            block=phase.block,
            method=trainer.method,
            epochs=phase.epochs,
            steps_per_epoch=trainer.steps_per_epoch,
            start_epoch=epoch0,
        )
        stopping = EarlyStopping.for_phase(phase, trainer)
        self.pace.begin_phase()
        for epoch in range(epoch0, phase.epochs):
            step = step0 if epoch == epoch0 else 0
            outcome, speed = yield from self._run_epoch(index, phase, trainer, epoch, step, chunk)
            if outcome is not PhaseOutcome.DONE:
                return outcome
            stop = stopping is not None and stopping.after_epoch(epoch, self.epoch_metrics)
            last = stop or epoch + 1 == phase.epochs
            yield from self._end_epoch(index, phase, trainer, epoch, speed, last)
            if stop:
                break
        best = stopping.finish() if stopping is not None else {}
        if best:  # the phase ends with its best epoch's weights: its summary says so
            self.progress.phases = [p for p in self.progress.phases if p["name"] != phase.name]
            self.progress.phases.append(phase.summary(trainer.method, best))
        if not self.progress.has_phase(phase.name):  # no epoch left to run
            self.progress.phases.append(phase.summary(trainer.method, {}))
        return PhaseOutcome.DONE

    def _run_epoch(self, index: int, phase: Phase, trainer, epoch: int, step: int, chunk):
        """Train the epoch and take its metrics; return (outcome, samples a second)."""
        if step == 0:
            trainer.reset_accumulators()
        with self.tf.device(self.device):
            trainer.begin_epoch(epoch)
        started = time.perf_counter()
        outcome, samples = yield from self._run_batches(index, phase, trainer, epoch, step, chunk)
        if outcome is not PhaseOutcome.DONE:
            return outcome, 0.0
        with self.tf.device(self.device):
            metrics = {**trainer.train_metrics(), **trainer.validation_metrics()}
        if not all(math.isfinite(v) for v in metrics.values()):
            steps = trainer.steps_per_epoch
            self.writer.drain()
            yield failures.not_finite(index, phase, epoch, steps, self.last_checkpoint)
            return PhaseOutcome.FAILED, 0.0
        self.epoch_metrics = metrics
        return PhaseOutcome.DONE, samples / max(time.perf_counter() - started, 1e-9)

    def _run_batches(self, index: int, phase: Phase, trainer, epoch: int, step: int, chunk):
        """Run the epoch's batches from ``step``, a chunk at a time, obeying the control;
        return (outcome, samples trained)."""
        steps = trainer.steps_per_epoch
        report_every = max(1, steps // 10)
        samples = since_report = 0
        while step < steps:
            if self.interrupt.arm():
                stopped = yield from self._pause_or_stop(index, epoch, step, trainer)
                if stopped:
                    return PhaseOutcome.STOPPED, samples
                continue
            chunk.start()
            with self.tf.device(self.device):
                done, metrics = trainer.run(epoch, step, chunk.size(steps - step))
            self.progress.count(chunk.took(done), done * trainer.batch_size)
            step += done
            samples += done * trainer.batch_size
            if metrics and not all(math.isfinite(v) for v in metrics.values()):
                self.writer.drain()
                yield failures.not_finite(index, phase, epoch, step, self.last_checkpoint)
                return PhaseOutcome.FAILED, samples
            since_report += done
            if done and (since_report >= report_every or step >= steps or chunk.compiled):
                since_report = 0
                yield BatchMetrics(
                    phase=index, block=phase.block, epoch=epoch, step=step - 1, metrics=metrics
                )
        return PhaseOutcome.DONE, samples

    def _end_epoch(self, index: int, phase: Phase, trainer, epoch: int, speed: float, last: bool):
        """Record the epoch: metrics line and event; the weights' histograms, a snapshot and a
        checkpoint when due (see ``cadence``: always on the phase's ``last`` epoch)."""
        metrics = self.epoch_metrics
        elapsed = self.progress.elapsed()
        record = {"phase": phase.name, "phase_index": index, "kind": phase.kind}
        record.update(block=phase.block, epoch=epoch, step=(epoch + 1) * trainer.steps_per_epoch)
        self.run.append_metrics(
            {**record, **metrics, "samples_per_second": speed, "wall_time": elapsed}
        )
        if self.pace.due(HISTOGRAMS, last):
            with self.pace.timed(HISTOGRAMS):
                self.tensorboard.epoch(phase.name, epoch, metrics, self.model)
        else:
            self.tensorboard.epoch(phase.name, epoch, metrics, None)
        yield EpochMetrics(
            phase=index,
            block=phase.block,
            epoch=epoch,
            metrics=metrics,
            elapsed=elapsed,
            samples_per_second=speed,
            eta=self._eta(index, epoch),
        )
        every = snapshots.every_epochs(self.project, self.snapshot_every)
        if every and ((epoch + 1) % every == 0 or last) and self.pace.due(SNAPSHOT, last):
            with self.pace.timed(SNAPSHOT):
                snapshot = self._snapshot(index, phase, epoch, trainer)
            yield snapshot
        if epoch + 1 == phase.epochs:
            self.progress.phases.append(phase.summary(trainer.method, metrics))
        if self.pace.due(CHECKPOINT, last):
            with self.pace.timed(CHECKPOINT):
                path = self._checkpoint(index, epoch + 1, 0, trainer)
            yield CheckpointWritten(phase=index, epoch=epoch, path=path)

    def _pause_or_stop(self, index: int, epoch: int, step: int, trainer):
        """Wait while paused; on a stop, checkpoint and yield Stopped. Return True if stopped."""
        control = self.control
        while control.paused and not control.stop_requested:
            control.wait_while_paused(0.2)
        if not control.stop_requested:
            return False
        path = self._checkpoint(index, epoch, step, trainer, wait=True)
        yield Stopped(run_dir=str(self.run_dir), phase=index, epoch=epoch, checkpoint=path)
        return True

    def _eta(self, index: int, epoch: int) -> float | None:
        n = len(self.inputs.x_train)
        done = sum(p.epochs * self._approx_steps(p, n) for p in self.phases[:index])
        done += (epoch + 1) * self._approx_steps(self.phases[index], n)
        return self.progress.eta(done, self.planned)

    # ---- snapshots and checkpoints ---------------------------------------------------------

    def _snapshot(self, index: int, phase: Phase, epoch: int, trainer) -> Snapshot:
        with self.tf.device(self.device):
            arrays = snapshots.views_of(self, phase, trainer)
        path = self.run.snapshot_path(index, phase.label, epoch + 1)
        self.pace.submit(self.run.write_snapshot, index, phase.label, epoch + 1, arrays)
        first_block = next((p.block for p in self.phases if p.pretrains), None)
        first = not phase.pretrains or phase.block == first_block
        self.tensorboard.snapshot(phase.block, epoch, arrays, first)
        kind = snapshots.sample_kind(self.dataset.kind)
        return Snapshot(
            phase=index, block=phase.block, epoch=epoch, path=str(path), sample_kind=kind, **arrays
        )

    def _checkpoint(self, index: int, epoch: int, step: int, trainer, wait=False) -> str:
        """Copy the state now and write it on the writer thread (``wait``: before returning);
        ``last_checkpoint`` names it once it is on disk. Returns the path of state.json."""
        where = {"phase": index, "epoch": epoch, "step": step}
        state = resume.checkpoint_state(where, self.phases[index].name, self, trainer)
        model_weights = [np.array(w) for w in self.model.get_weights()]
        trainer_state = [np.array(v.numpy()) for v in trainer.state_variables()]
        self.pace.submit(self._commit_checkpoint, state, model_weights, trainer_state)
        if wait:
            self.writer.drain()
        return str(self.run.state)

    def _commit_checkpoint(self, state, model_weights, trainer_state) -> None:
        self.last_checkpoint = self.run.write_checkpoint(state, model_weights, trainer_state)

    # ---- the end ---------------------------------------------------------------------------

    def _finish(self):
        self.current = (len(self.phases) - 1, None)
        self.background.drain()
        yield from self._stage("saving", "evaluating and saving the model")
        with self.tf.device(self.device):
            evaluation = held_out_evaluation(self.trainer, self.inputs, self.dataset)
        self.run.save_model(self.final_model)
        for name, companion in getattr(self.trainer, "companion_models", dict)().items():
            self.run.save_model(companion, name)  # e.g. the stack before wake-sleep
        with self.tf.device(self.device):
            summary = finished_summary(self, evaluation)
        written = self.run.write_summary(summary)
        yield Finished(run_dir=str(self.run_dir), summary=json.loads(json.dumps(written)))
