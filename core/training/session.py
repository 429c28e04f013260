"""The training session: greedy layer-wise pretraining, then fine-tuning, as a plain generator
of the typed events in :mod:`core.training.events`, obeying a :class:`Control`.

    for event in run_training(project, "runs/dbn"):
        ...

Bad input never raises: the session yields :class:`Failed` with one line naming the phase and
block. Only programming errors raise.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from core.errors import DataError, LayerwiseError
from core.runs import RunFolder
from core.training.control import Control
from core.training.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochMetrics,
    Event,
    Failed,
    Finished,
    PhaseStarted,
    Snapshot,
    Stopped,
)

MAX_FILTERS = 64
MAX_EXAMPLES = 6
STRATEGIES = ("default", "mirrored", "multi-worker")


class _NonFinite(Exception):
    pass


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
) -> Iterator[Event]:
    """Train ``project`` into the run folder ``run_dir``, yielding events.

    pretraining: None = the project's setting; True / False overrides it.
    dataset: a preloaded core.data.Dataset, or None to load ``project.data``.
    device: "cpu", "gpu:N", or None (the first GPU when there is one, else the CPU).
    snapshot_every: epochs between snapshots (None = the project's setting; 0 = none).
    """
    session = _Session(
        project,
        Path(run_dir),
        control or Control(),
        float(epochs_scale),
        device,
        pretraining,
        bool(resume),
        dataset,
        strategy,
        cpu_replicas,
        snapshot_every,
    )
    yield from session.events()


def scaled_epochs(epochs: int, scale: float) -> int:
    if epochs <= 0:
        return 0
    return max(1, int(round(epochs * scale)))


def fit_to_input(x: np.ndarray, sample_shape, input_shape, input_name: str) -> np.ndarray:
    """Reshape the data to the Input block's shape when the sizes agree, else DataError."""
    sample_shape = tuple(sample_shape)
    input_shape = tuple(input_shape)
    if len(sample_shape) == len(input_shape) and all(
        want is None or want == have for want, have in zip(input_shape, sample_shape, strict=False)
    ):
        return x
    if None not in input_shape and math.prod(input_shape) == math.prod(sample_shape):
        return x.reshape((len(x), *input_shape))
    shown = "(" + ", ".join("any" if d is None else str(d) for d in input_shape) + ")"
    raise DataError(
        f"the data's samples have shape {sample_shape} but the Input block '{input_name}' "
        f"expects {shown}; change the Input block's shape or the data representation"
    )


class _Session:
    def __init__(
        self,
        project,
        run_dir,
        control,
        epochs_scale,
        device,
        pretraining,
        resume,
        dataset,
        strategy,
        cpu_replicas,
        snapshot_every,
    ):
        self.project = project
        self.run_dir = run_dir
        self.control = control
        self.epochs_scale = epochs_scale
        self.device_request = device
        self.pretraining_request = pretraining
        self.resume = resume
        self.dataset = dataset
        self.strategy = strategy
        self.cpu_replicas = cpu_replicas
        self.snapshot_every = snapshot_every
        self.phase_names: list[str] = []
        self.current = (None, None)  # (phase index, block) for error messages
        self.last_checkpoint: str | None = None
        self._lock = threading.Lock()

    # ---- the outer guard: bad input becomes Failed ----------------------------------------

    def events(self):
        listener = None
        try:
            try:
                self._check_requests()
                self._setup()
                if hasattr(self.control, "add_listener"):
                    listener = self._on_control
                    self.control.add_listener(listener)
                yield from self._train()
            except LayerwiseError as exc:
                yield self._failed(str(exc))
            except Exception as exc:  # noqa: BLE001 - a few runtime failures have user causes
                message = _runtime_message(exc)
                if message is None:
                    raise
                yield self._failed(message)
        finally:
            if listener is not None:
                self.control.remove_listener(listener)
            scratch = getattr(self, "scratch", None)
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    def _failed(self, message: str) -> Failed:
        phase, block = self.current
        if phase is not None and phase < len(self.phase_names):
            where = f"phase '{self.phase_names[phase]}'" + (f" (block {block})" if block else "")
            if where not in message:
                message = f"{where}: {message}"
        return Failed(message=message, phase=phase, block=block, checkpoint=self.last_checkpoint)

    def _check_requests(self):
        strategy = self.strategy or "default"
        if strategy not in STRATEGIES:
            raise LayerwiseError(
                f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}"
            )
        self.strategy = strategy
        replicas = self.cpu_replicas
        if replicas is not None and (
            isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 1
        ):
            raise LayerwiseError(
                f"cpu replicas must be a whole number of at least 1, got {replicas!r}"
            )
        if strategy == "multi-worker" and not os.environ.get("TF_CONFIG"):
            raise LayerwiseError(
                "the multi-worker strategy reads the cluster from the TF_CONFIG environment "
                "variable, which is not set; set it on every worker (see tf.distribute) or use "
                "--strategy mirrored"
            )
        if not self.epochs_scale > 0 or not math.isfinite(self.epochs_scale):
            raise LayerwiseError(f"epochs scale must be a positive number, got {self.epochs_scale}")

    # ---- set-up ----------------------------------------------------------------------------

    def _setup(self):
        from core.build import build
        from core.keras_env import load_keras

        project = self.project
        self.seed = int(project.training.get("seed", 0))
        self.finetune = project.finetune_settings()
        self.objective = self.finetune["objective"]

        state = None
        if self.resume:
            try:
                checkpoint = (
                    RunFolder(self.run_dir).read_checkpoint() if self.run_dir.exists() else None
                )
            except (OSError, ValueError, KeyError) as exc:
                raise LayerwiseError(
                    f"the checkpoint in {self.run_dir} cannot be read "
                    f"({exc}); train into a new folder"
                ) from None
            if checkpoint is None:
                raise LayerwiseError(f"{self.run_dir} holds no checkpoint to resume from")
            state, self._saved_model, self._saved_trainer = checkpoint
            saved = RunFolder(self.run_dir).read_project_json()
            if saved is not None and saved.get("network") != project.to_json().get("network"):
                raise LayerwiseError(
                    f"{self.run_dir} was trained with a different network; resume with the "
                    "project it was started with, or train into a new folder"
                )
            if self.pretraining_request is None:
                self.pretraining_request = state.get("pretraining")
            self.epochs_scale = float(state.get("epochs_scale", self.epochs_scale))
        self.state = state

        self.keras = load_keras()
        import tensorflow as tf

        self.tf = tf
        self._split_cpu()
        self.device, self.device_name = self._pick_device()
        self.strategy_obj = self._make_strategy()
        self.replicas = (
            self.strategy_obj.num_replicas_in_sync if self.strategy_obj is not None else 1
        )

        pretraining = self.pretraining_request
        if pretraining is None:
            pretraining = bool(project.training.get("pretraining", {}).get("enabled", True))
        self.pretraining = bool(pretraining)
        run_project = project.copy()
        run_project.training.setdefault("pretraining", {})["enabled"] = self.pretraining
        self.run_project = run_project

        if self.strategy_obj is not None:
            # the network's variables are mirrored from the start: pretraining and fine-tuning
            # both run under the strategy
            with self.strategy_obj.scope():
                self.built = build(run_project)
        else:
            with tf.device(self.device):
                self.built = build(run_project)
        self.model = self.built.model
        self.plan = self.built.plan if self.pretraining else []

        if self.dataset is None:
            from core.data import load_dataset

            self.dataset = load_dataset(project.data)
        self._prepare_data()
        self._plan_phases()
        self._prepare_folder()

    def _pick_device(self):
        tf = self.tf
        from core.keras_env import quiet_native_logs

        with quiet_native_logs():
            gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:
            with contextlib.suppress(RuntimeError, ValueError):  # already initialised
                tf.config.experimental.set_memory_growth(gpu, True)
        request = (self.device_request or "").lower()
        if request in ("", "auto"):
            if gpus:
                return "/GPU:0", "GPU 0 (" + gpus[0].name + ")"
            return "/CPU:0", "CPU"
        if request == "cpu":
            return "/CPU:0", "CPU"
        if request.startswith("gpu"):
            index = request.partition(":")[2] or "0"
            if not index.isdigit():
                raise LayerwiseError(f"unknown device {self.device_request!r}; use cpu or gpu:N")
            if int(index) >= len(gpus):
                found = f"{len(gpus)} GPU(s)" if gpus else "no GPU"
                raise LayerwiseError(
                    f"device gpu:{index} was asked for, but this machine has "
                    f"{found}; use --device cpu"
                )
            return f"/GPU:{index}", f"GPU {index}"
        raise LayerwiseError(f"unknown device {self.device_request!r}; use cpu or gpu:N")

    def _split_cpu(self):
        """--cpu-replicas N: the CPU as N logical devices, so a mirrored strategy runs (and is
        tested) without GPUs. Must happen before TensorFlow starts its runtime."""
        n = self.cpu_replicas
        if n is None or n == 1:
            return
        tf = self.tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
            )
        except RuntimeError:
            have = len(tf.config.list_logical_devices("CPU"))
            if have != n:
                raise LayerwiseError(
                    f"the CPU can be split into {n} replicas only before TensorFlow starts; it "
                    f"already runs with {have}; train in a fresh process (the CLI)"
                ) from None

    def _make_strategy(self):
        tf = self.tf
        if self.strategy == "default":
            return None
        if self.strategy == "multi-worker":
            from core.training import distributed

            timeout = distributed.cluster_timeout()
            self.chief = distributed.is_chief(distributed.read_tf_config())
            return distributed.make_multi_worker(timeout)
        if self.device.startswith("/GPU") and not (self.device_request or "").startswith("gpu"):
            devices = [d.name for d in tf.config.list_logical_devices("GPU")]
        elif self.device.startswith("/GPU"):
            devices = [self.device]
        else:
            devices = [d.name for d in tf.config.list_logical_devices("CPU")]
        cross = (
            None
            if self.device.startswith("/GPU")
            else tf.distribute.ReductionToOneDevice(reduce_to_device=devices[0])
        )
        return tf.distribute.MirroredStrategy(devices=devices, cross_device_ops=cross)

    def _prepare_data(self):
        ds = self.dataset
        model = self.model
        input_shape = tuple(model.input.shape[1:])
        input_name = model.input.name.split(":")[0] if hasattr(model.input, "name") else "input"
        for layer in model.layers:
            if type(layer).__name__ == "InputLayer":
                input_name = layer.name
        if not len(ds.x_train):
            raise DataError(f"the dataset '{ds.name}' has no training samples")
        self.x_train = fit_to_input(ds.x_train, ds.sample_shape, input_shape, input_name)
        self.x_val = fit_to_input(ds.x_val, ds.sample_shape, input_shape, input_name)
        self.x_test = fit_to_input(ds.x_test, ds.sample_shape, input_shape, input_name)
        for name, x in (("training", self.x_train), ("validation", self.x_val)):
            if not np.all(np.isfinite(x)):
                raise DataError(f"the {name} data holds NaN or infinite values")
        if self.objective == "classifier":
            if ds.y_train is None:
                raise DataError(
                    f"the dataset '{ds.name}' has no labels, so the classifier "
                    "objective cannot train on it; choose another objective"
                )
            units = model.output.shape[-1]
            top = int(max(np.max(ds.y_train), np.max(ds.y_val) if len(ds.y_val) else 0))
            if units is not None and top >= units:
                raise DataError(
                    f"the data has {top + 1} classes but the output block "
                    f"'{self.built.output_block}' has {units} units"
                )
        if self.objective == "sequence" and self.x_train.ndim != 3:
            raise DataError(
                "the sequence objective needs (time, features) samples, e.g. "
                f"piano rolls; the data's samples have shape {ds.sample_shape}"
            )
        if self.objective == "sequence" and self.x_train.shape[1] < 2:
            raise DataError("the sequence objective needs windows of at least 2 steps")
        self.examples = (self.x_val if len(self.x_val) else self.x_train)[:MAX_EXAMPLES]

    def _plan_phases(self):
        phases = []
        for step in self.plan:
            epochs = scaled_epochs(int(step.settings["epochs"]), self.epochs_scale)
            phases.append(
                {
                    "name": f"pretrain {step.block}",
                    "kind": "pretrain",
                    "block": step.block,
                    "method": step.kind,
                    "epochs": epochs,
                    "settings": step.settings,
                }
            )
        epochs = scaled_epochs(int(self.finetune["epochs"]), self.epochs_scale)
        method = {"autoencoder": "autoencoder-unrolled"}.get(self.objective, self.objective)
        phases.append(
            {
                "name": "fine-tune",
                "kind": "finetune",
                "block": None,
                "method": method,
                "epochs": epochs,
                "settings": self.finetune,
            }
        )
        self.phases = phases
        self.phase_names = [p["name"] for p in phases]

    def _prepare_folder(self):
        if not getattr(self, "chief", True):
            # a multi-worker run's other workers train alongside the chief but write into a
            # folder of their own that is removed at the end: only the chief's run folder holds
            # the results, so workers sharing one --out (one machine) do not clobber it
            import tempfile

            self.scratch = Path(tempfile.mkdtemp(prefix="layerwise-worker-"))
            self.run_dir = self.scratch / "run"
        run = self.run_dir
        self.run = RunFolder(run)
        try:
            self.run.prepare(self.project.to_json(), resume=self.resume)
        except OSError as exc:
            raise LayerwiseError(
                f"cannot write the run folder {run}: {exc.strerror or exc}"
            ) from None

    # ---- control ---------------------------------------------------------------------------

    def _on_control(self):
        with self._lock:
            interrupt = getattr(self, "interrupt", None)
            if interrupt is not None:
                interrupt.assign(True)

    def _arm(self):
        """Set the in-graph flag from the control's state (under the listener's lock)."""
        with self._lock:
            flag = bool(self.control.paused or self.control.stop_requested)
            self.interrupt.assign(flag)
        return flag

    # ---- the run ---------------------------------------------------------------------------

    def _train(self):
        tf = self.tf
        self.interrupt = tf.Variable(False, trainable=False)
        self.t0 = time.perf_counter()
        self.train_time = 0.0
        self.samples = 0
        self.phase_summaries: list[dict] = []
        start_phase, start_epoch, start_step, accum = 0, 0, 0, None
        pretrained_blocks: list[str] = []
        if self.state is not None:
            st = self.state
            try:
                self.model.set_weights(self._saved_model)
            except ValueError:
                raise LayerwiseError(
                    "the checkpoint does not match this network; train into a new folder"
                ) from None
            self.phase_summaries = list(st.get("phases", []))
            self.train_time = float(st.get("train_time", 0.0))
            self.samples = int(st.get("samples", 0))
            self.t0 -= float(st.get("elapsed", 0.0))
            start_phase, start_epoch, start_step = st["phase"], st["epoch"], st["step"]
            accum = st.get("accumulators")
            self.last_checkpoint = str(self.run.state)
        self.planned = sum(p["epochs"] * self._approx_steps(p) for p in self.phases)
        pretrained_blocks += [
            p["block"] for p in self.phases[:start_phase] if p["kind"] == "pretrain"
        ]

        self.trainer = None
        for index, phase in enumerate(self.phases):
            if index < start_phase:
                continue
            resuming = index == start_phase and self.state is not None
            epoch0 = start_epoch if resuming else 0
            step0 = start_step if resuming else 0
            self.current = (index, phase["block"])
            with tf.device(self.device):
                trainer = self._make_trainer(index, phase, pretrained_blocks)
            self.trainer = trainer
            if resuming:
                self._restore_trainer(trainer)
                if accum:
                    trainer.restore_accumulators(accum)
            result = yield from self._run_phase(index, phase, trainer, epoch0, step0)
            if result == "stopped":
                return
            if result == "failed":
                return
            if phase["kind"] == "pretrain":
                pretrained_blocks.append(phase["block"])
        yield from self._finish()

    def _approx_steps(self, phase):
        n = len(self.x_train)
        bs = int(phase["settings"]["batch_size"])
        if phase["kind"] == "finetune" and self.objective == "classifier":
            n = max(1, int(n * float(self.finetune.get("label_fraction", 1.0))))
        return max(1, n // bs) if n > bs else 1

    def _features(self, block: str, x: np.ndarray) -> np.ndarray:
        """The block's input for data ``x``: the network up to the block, as built now."""
        keras = self.keras
        layer = self.model.get_layer(block)
        sub = keras.Model(self.model.input, layer.input)
        outs = [np.asarray(sub(x[i : i + 1024], training=False)) for i in range(0, len(x), 1024)]
        flat = np.concatenate(outs) if outs else np.zeros((0, layer.input.shape[-1]), np.float32)
        return flat.reshape(len(flat), -1).astype(np.float32)

    def _pretrainer_class(self, method: str):
        """The trainer for a pretraining method, and the extra arguments it takes: the
        distributed variants also take the strategy."""
        if self.strategy_obj is not None:
            from core.training.distributed import (
                DistributedAutoencoderTrainer,
                DistributedRBMTrainer,
            )

            distributed = {
                "rbm": DistributedRBMTrainer,
                "autoencoder": DistributedAutoencoderTrainer,
            }
            return distributed[method], (self.strategy_obj,)
        from core.training.autoencoder import AutoencoderTrainer
        from core.training.rbm import RBMTrainer

        return {"rbm": RBMTrainer, "autoencoder": AutoencoderTrainer}[method], ()

    def _make_trainer(self, index, phase, pretrained_blocks):
        settings = phase["settings"]
        shuffle_seed = self.seed * 1009 + index
        if phase["kind"] == "pretrain":
            block = phase["block"]
            layer = self.model.get_layer(block)
            x_train = self._features(block, self.x_train)
            x_val = self._features(block, self.x_val)
            self.block_examples = self._features(block, self.examples)
            self.block_is_data = x_train.shape[1] == math.prod(
                self.x_train.shape[1:]
            ) and self._first_block(block)
            bernoulli = phase["method"] == "rbm" and layer.visible == "bernoulli"
            if bernoulli and (x_train.min() < 0 or x_train.max() > 1):
                raise DataError(
                    f"block {block} has Bernoulli visible units but its input lies outside "
                    "0..1; choose Gaussian visible units or scale the data"
                )
            trainer_class, extra = self._pretrainer_class(phase["method"])
            trainer = trainer_class(
                layer,
                x_train,
                x_val,
                settings,
                self.seed + index,
                self.interrupt,
                shuffle_seed,
                *extra,
            )
            # RBM epochs run compiled in a few chunks; autoencoders check in more often.
            if phase["method"] == "rbm":
                trainer.chunk = max(1, math.ceil(trainer.steps_per_epoch / 4))
            else:
                trainer.chunk = max(1, trainer.steps_per_epoch // 10)
            return trainer
        from core.training.autoencoder import binary_like
        from core.training.finetune import FinetuneTrainer, unroll

        model = self.model
        self.code_block = None
        if self.objective == "autoencoder":
            model, self.code_block = unroll(
                self.model, self.x_train.shape[1:], binary_like(self.x_train)
            )
        if self.strategy_obj is not None:
            # fine-tuning runs under the strategy: a copy of the (pretrained) network made in
            # its scope, so layers added here (the unrolled decoder) are mirrored too
            with self.strategy_obj.scope():
                copy = self.keras.models.clone_model(model)
            copy.set_weights(model.get_weights())
            model = copy
        self.final_model = model
        ds = self.dataset
        trainer = FinetuneTrainer(
            model,
            self.objective,
            self.x_train,
            ds.y_train,
            self.x_val,
            ds.y_val,
            settings,
            pretrained_blocks,
            self.seed,
            self.interrupt,
            shuffle_seed,
            strategy=self.strategy_obj,
        )
        trainer.chunk = max(1, trainer.steps_per_epoch // 10)
        return trainer

    def _first_block(self, block: str) -> bool:
        """True when only shape-only layers (Flatten, Reshape, ...) sit between the data and
        the block, so its filters can be drawn in the data's shape."""
        spec = self.project.network
        current = block
        while True:
            wires = spec.inputs_of(current)
            if not wires:
                return True
            source = spec.block(wires[0].source)
            if source.type == "Input":
                return True
            if source.type not in ("Flatten", "Reshape", "Dropout"):
                return False
            current = source.id

    def _restore_trainer(self, trainer):
        saved = self._saved_trainer
        variables = trainer.state_variables()
        if len(saved) != len(variables):
            raise LayerwiseError(
                "the checkpoint does not match this network; train into a new folder"
            )
        try:
            for var, value in zip(variables, saved, strict=True):
                var.assign(value)
        except ValueError:
            raise LayerwiseError(
                "the checkpoint does not match this network; train into a new folder"
            ) from None

    # ---- one phase -------------------------------------------------------------------------

    def _run_phase(self, index, phase, trainer, epoch0, step0):
        tf = self.tf
        epochs = phase["epochs"]
        steps = trainer.steps_per_epoch
        control = self.control
        chunk = trainer.chunk or 1
        if not hasattr(control, "add_listener"):
            chunk = 1  # no way to interrupt a compiled chunk: go batch by batch
        yield PhaseStarted(
            index=index,
            count=len(self.phases),
            name=phase["name"],
            kind=phase["kind"],
            block=phase["block"],
            method=trainer.method,
            epochs=epochs,
            steps_per_epoch=steps,
            start_epoch=epoch0,
        )
        every = self._snapshot_every()
        last_metrics: dict = {}
        report_every = max(1, steps // 10)
        for epoch in range(epoch0, epochs):
            step = step0 if epoch == epoch0 else 0
            if step == 0:
                trainer.reset_accumulators()
            with tf.device(self.device):
                trainer.begin_epoch(epoch)
            epoch_t0 = time.perf_counter()
            epoch_samples = 0
            since_report = 0
            while step < steps:
                if self._arm():
                    outcome = yield from self._pause_or_stop(index, epoch, step, trainer)
                    if outcome == "stopped":
                        return "stopped"
                    continue
                t = time.perf_counter()
                with tf.device(self.device):
                    done, metrics = trainer.run(epoch, step, min(chunk, steps - step))
                self.train_time += time.perf_counter() - t
                step += done
                epoch_samples += done * trainer.batch_size
                self.samples += done * trainer.batch_size
                if metrics and not all(math.isfinite(v) for v in metrics.values()):
                    yield self._nan_failure(index, phase, epoch, step)
                    return "failed"
                since_report += done
                if done and (since_report >= report_every or step >= steps or chunk > 1):
                    since_report = 0
                    yield BatchMetrics(
                        phase=index,
                        block=phase["block"],
                        epoch=epoch,
                        step=step - 1,
                        metrics=metrics,
                    )
            with tf.device(self.device):
                metrics = {**trainer.train_metrics(), **trainer.validation_metrics()}
            if not all(math.isfinite(v) for v in metrics.values()):
                yield self._nan_failure(index, phase, epoch, steps)
                return "failed"
            last_metrics = metrics
            elapsed = time.perf_counter() - self.t0
            epoch_time = max(time.perf_counter() - epoch_t0, 1e-9)
            speed = epoch_samples / epoch_time
            self.run.append_metrics(
                {
                    "phase": phase["name"],
                    "phase_index": index,
                    "kind": phase["kind"],
                    "block": phase["block"],
                    "epoch": epoch,
                    "step": (epoch + 1) * steps,
                    **metrics,
                    "samples_per_second": speed,
                    "wall_time": elapsed,
                },
            )
            yield EpochMetrics(
                phase=index,
                block=phase["block"],
                epoch=epoch,
                metrics=metrics,
                elapsed=elapsed,
                samples_per_second=speed,
                eta=self._eta(index, epoch),
            )
            if every and ((epoch + 1) % every == 0 or epoch + 1 == epochs):
                yield self._snapshot(index, phase, epoch, trainer)
            if epoch + 1 == epochs:
                self.phase_summaries.append(
                    {
                        "name": phase["name"],
                        "kind": phase["kind"],
                        "block": phase["block"],
                        "method": trainer.method,
                        "epochs": epochs,
                        "final": metrics,
                    }
                )
            path = self._checkpoint(index, epoch + 1, 0, trainer)
            yield CheckpointWritten(phase=index, epoch=epoch, path=path)
        if (epochs == 0 or epoch0 >= epochs) and not any(
            p["name"] == phase["name"] for p in self.phase_summaries
        ):
            self.phase_summaries.append(
                {
                    "name": phase["name"],
                    "kind": phase["kind"],
                    "block": phase["block"],
                    "method": trainer.method,
                    "epochs": epochs,
                    "final": last_metrics,
                }
            )
        return "done"

    def _pause_or_stop(self, index, epoch, step, trainer):
        control = self.control
        while control.paused and not control.stop_requested:
            control.wait_while_paused(0.2)
        if control.stop_requested:
            path = self._checkpoint(index, epoch, step, trainer)
            yield Stopped(run_dir=str(self.run_dir), phase=index, epoch=epoch, checkpoint=path)
            return "stopped"
        return "resumed"

    def _nan_failure(self, index, phase, epoch, step) -> Failed:
        where = f"phase '{phase['name']}'" + (
            f" (block {phase['block']})" if phase["block"] else ""
        )
        kept = (
            f"; the last good checkpoint is kept in {self.last_checkpoint}"
            if self.last_checkpoint
            else "; no checkpoint had been written yet"
        )
        return Failed(
            message=f"{where}: the loss became NaN or infinite in epoch {epoch + 1}, near "
            f"batch {step}; try a smaller learning rate{kept}",
            phase=index,
            block=phase["block"],
            checkpoint=self.last_checkpoint,
        )

    def _eta(self, index, epoch):
        if self.train_time <= 0 or self.samples <= 0:
            return None
        done = sum(p["epochs"] * self._approx_steps(p) for p in self.phases[:index])
        done += (epoch + 1) * self._approx_steps(self.phases[index])
        left = max(self.planned - done, 0)
        per_step = (time.perf_counter() - self.t0) / max(done, 1)
        return float(left * per_step)

    def _snapshot_every(self) -> int:
        if self.snapshot_every is not None:
            return max(0, int(self.snapshot_every))
        return max(0, int(self.project.training.get("snapshots", {}).get("every_epochs", 1)))

    # ---- snapshots and checkpoints ---------------------------------------------------------

    def _snapshot(self, index, phase, epoch, trainer) -> Snapshot:
        sample_shape = tuple(self.dataset.sample_shape)
        kind = "pianoroll" if self.dataset.kind == "pianoroll" else "image"
        filters = inputs = recon = hidden = weights = None
        with self.tf.device(self.device):
            if phase["kind"] == "pretrain":
                filters = trainer.filters()[:MAX_FILTERS]
                if self.block_is_data:
                    filters = filters.reshape((len(filters), *sample_shape))
                ex = self.block_examples
                recon = trainer.reconstruct(ex)
                hidden = trainer.hidden(ex)
                if self.block_is_data:
                    inputs = ex.reshape((len(ex), *sample_shape))
                    recon = recon.reshape((len(ex), *sample_shape))
                else:
                    inputs = ex
                weights = trainer.weight_sample()
            else:
                filters, weights = self._first_filters()
                inputs = np.asarray(self.examples).reshape((len(self.examples), *sample_shape))
                if self.objective in ("autoencoder", "vae"):
                    out = trainer.predict(np.asarray(self.examples, np.float32))
                    recon = out.reshape(inputs.shape)
                elif self.objective == "sequence":
                    out = trainer.predict(np.asarray(self.examples, np.float32)[:, :-1])
                    recon = np.concatenate(
                        [
                            inputs[:, :1],
                            out.reshape((len(inputs), inputs.shape[1] - 1, *inputs.shape[2:])),
                        ],
                        axis=1,
                    )
                else:
                    hidden = trainer.predict(np.asarray(self.examples, np.float32))
        if weights is not None and weights.size > 4096:
            weights = weights[np.linspace(0, weights.size - 1, 4096).astype(np.int64)]
        arrays = {
            "filters": filters,
            "inputs": inputs,
            "reconstructions": recon,
            "hidden": hidden,
            "weights": weights,
        }
        arrays = {k: None if v is None else np.asarray(v, np.float32) for k, v in arrays.items()}
        label = phase["block"] or "finetune"
        path = self.run.write_snapshot(index, label, epoch + 1, arrays)
        return Snapshot(
            phase=index,
            block=phase["block"],
            epoch=epoch,
            path=str(path),
            sample_kind=kind,
            **arrays,
        )

    def _first_filters(self):
        """Incoming weights of the first layer with a 2-D kernel, drawn as data-shaped tiles
        when that layer reads the flattened data."""
        for layer in self.model.layers:
            kernel = getattr(layer, "kernel", None)
            if kernel is None or len(kernel.shape) != 2:
                continue
            w = np.asarray(kernel.numpy())
            filters = w.T[:MAX_FILTERS]
            size = math.prod(self.dataset.sample_shape)
            if w.shape[0] == size and self._first_block(layer.name):
                filters = filters.reshape((len(filters), *self.dataset.sample_shape))
            return filters, w.ravel()
        return None, None

    def _checkpoint(self, index, epoch, step, trainer) -> str:
        state = {
            "phase": index,
            "epoch": epoch,
            "step": step,
            "phase_name": self.phases[index]["name"],
            "pretraining": self.pretraining,
            "epochs_scale": self.epochs_scale,
            "phases": self.phase_summaries,
            "train_time": self.train_time,
            "samples": self.samples,
            "elapsed": time.perf_counter() - self.t0,
            "accumulators": trainer.accumulators() if step else None,
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        model_weights = [np.asarray(w) for w in self.model.get_weights()]
        trainer_state = [np.asarray(v.numpy()) for v in trainer.state_variables()]
        path = self.run.write_checkpoint(state, model_weights, trainer_state)
        self.last_checkpoint = path
        return path

    # ---- the end ---------------------------------------------------------------------------

    def _code_statistics(self, limit: int = 4096) -> dict:
        """Mean, spread and range of each code unit over training windows. Generation draws
        random codes from these: an unbounded code's scale is learnt, not known in advance."""
        from core.keras_env import load_keras

        keras = load_keras()
        encoder = keras.Model(
            self.final_model.input, self.final_model.get_layer(self.code_block).output
        )
        picks = np.linspace(0, len(self.x_train) - 1, min(limit, len(self.x_train))).astype(int)
        with self.tf.device(self.device):
            codes = np.asarray(encoder.predict(self.x_train[picks], batch_size=256, verbose=0))
        return {
            "mean": codes.mean(axis=0).tolist(),
            "std": codes.std(axis=0).tolist(),
            "min": codes.min(axis=0).tolist(),
            "max": codes.max(axis=0).tolist(),
        }

    def _finish(self):
        self.current = (len(self.phases) - 1, None)
        trainer = self.trainer
        with self.tf.device(self.device):
            evaluation = {}
            if len(self.x_test):
                evaluation = trainer.evaluate(self.x_test, self.dataset.y_test)
                evaluation["split"] = "test"
            elif len(self.x_val):
                evaluation = trainer.evaluate(self.x_val, self.dataset.y_val)
                evaluation["split"] = "validation"
        self.run.save_model(self.final_model)
        ds = self.dataset
        data = {"kind": ds.kind, "source": ds.metadata.get("source", ds.name), "name": ds.name}
        if ds.kind == "pianoroll":
            rep = self.project.data.get("representation", {})
            for key in ("steps_per_quarter", "lowest_pitch", "pitch_count", "window_steps"):
                value = ds.metadata.get(key, rep.get(key))
                if value is not None:
                    data[key] = value
        summary = {
            "project": self.project.name,
            "objective": self.objective,
            "output_block": self.built.output_block,
            "sample_shape": list(ds.sample_shape),
            "input_shape": [d for d in self.model.input.shape[1:]],
            "data": data,
            "pretraining": self.pretraining,
            "seed": self.seed,
            "strategy": self.strategy,
            "replicas": self.replicas,
            "device": self.device_name,
            "epochs_scale": self.epochs_scale,
            "phases": self.phase_summaries,
            "evaluation": evaluation,
            "samples_per_second": self.samples / self.train_time if self.train_time else None,
            "wall_seconds": time.perf_counter() - self.t0,
            "model": "model.keras",
            "counts": {
                "train": len(self.x_train),
                "validation": len(self.x_val),
                "test": len(self.x_test),
            },
        }
        if self.objective == "classifier":
            summary["label_fraction"] = float(self.finetune.get("label_fraction", 1.0))
            summary["num_classes"] = ds.num_classes
        if self.objective == "autoencoder":
            summary["code_block"] = self.code_block
            summary["code_statistics"] = self._code_statistics()
        written = self.run.write_summary(summary)
        yield Finished(run_dir=str(self.run_dir), summary=json.loads(json.dumps(written)))


def _runtime_message(exc: Exception) -> str | None:
    """A user-facing line for runtime failures with user causes; None for programming errors."""
    name = type(exc).__name__
    text = str(exc).splitlines()[0] if str(exc) else name
    if name == "ResourceExhaustedError" or isinstance(exc, MemoryError):
        return (
            "out of memory: the network or the batch is too large for this device; use a "
            "smaller batch size or fewer units"
        )
    if isinstance(exc, OSError):
        return f"cannot read or write a file: {text}"
    if name in ("UnavailableError", "DeadlineExceededError") or (
        name == "CancelledError" and "collective" in text.lower()
    ):
        return (
            "a worker of the multi-worker cluster stopped answering; the run cannot go on "
            f"without it ({text})"
        )
    return None
