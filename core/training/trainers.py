"""Making the trainer of each phase: the network built for the run, the block's inputs for
greedy pretraining (the network up to the block), the unrolled or mirrored model for
fine-tuning, and the trainer classes that fit the method and the strategy."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import DataError, LayerwiseError
from core.training import snapshots
from core.training.inputs import SessionInputs
from core.training.phases import Phase
from core.training.trainer import PhaseData, PhaseTrainer


def build_network(project: Any, pretraining: bool, tf: Any, device: str, strategy: Any) -> Any:
    """core.build's network for the run, pretraining switched as asked; under a strategy its
    variables are mirrored from the start (pretraining and fine-tuning both run under it)."""
    from core.build import build

    run_project = project.copy()
    run_project.training.setdefault("pretraining", {})["enabled"] = pretraining
    scope = strategy.scope() if strategy is not None else tf.device(device)
    with scope:
        return build(run_project)


@dataclass(frozen=True)
class Pretraining:
    trainer: PhaseTrainer
    examples: np.ndarray  # the snapshot examples as the block's inputs
    in_data_shape: bool  # the block reads the data itself: draw in the data's shape


@dataclass(frozen=True)
class Finetuning:
    trainer: PhaseTrainer
    model: Any  # the model fine-tuned and saved: unrolled, or a mirrored copy
    code_block: str | None  # the autoencoder's code layer


@dataclass
class TrainerMaker:
    keras: Any
    model: Any
    spec: Any  # the project's NetworkSpec
    inputs: SessionInputs
    objective: str
    seed: int
    interrupt: Any
    strategy: Any = None

    def phase_data(
        self, index: int, phase: Phase, x_train: Any, x_val: Any, seed: int, **labels: Any
    ) -> PhaseData:
        shuffle_seed = self.seed * 1009 + index
        return PhaseData(
            x_train, x_val, phase.settings, seed, self.interrupt, shuffle_seed, **labels
        )

    def features(self, block: str, x: np.ndarray) -> np.ndarray:
        """The block's input for data ``x``: the network up to the block, as built now."""
        layer = self.model.get_layer(block)
        sub = self.keras.Model(self.model.input, layer.input)
        outs = [np.asarray(sub(x[i : i + 1024], training=False)) for i in range(0, len(x), 1024)]
        flat = np.concatenate(outs) if outs else np.zeros((0, layer.input.shape[-1]), np.float32)
        return flat.reshape(len(flat), math.prod(flat.shape[1:])).astype(np.float32)

    def pretrainer(self, index: int, phase: Phase) -> Pretraining:
        block = str(phase.block)
        layer = self.model.get_layer(block)
        x_train = self.features(block, self.inputs.x_train)
        x_val = self.features(block, self.inputs.x_val)
        examples = self.features(block, self.inputs.examples)
        if phase.method == "rbm" and len(layer.input.shape) == 3:
            # an RBM over (frames, features) learns from every frame alike
            features = int(layer.input.shape[-1])
            x_train, x_val, examples = (a.reshape(-1, features) for a in (x_train, x_val, examples))
            examples = examples[:: max(1, len(examples) // 6)][:6]
        in_data_shape = x_train.shape[1] == math.prod(
            self.inputs.x_train.shape[1:]
        ) and snapshots.reads_data(self.spec, block)
        bernoulli = phase.method in ("rbm", "conv-rbm") and layer.visible == "bernoulli"
        if bernoulli and (x_train.min() < 0 or x_train.max() > 1):
            raise DataError(
                f"block {block} has Bernoulli visible units but its input lies outside "
                "0..1; choose Gaussian visible units or scale the data"
            )
        if phase.method == "rbm" and int(getattr(layer, "label_units", 0) or 0):
            from core.training.joint_rbm import JointRBMTrainer

            if self.strategy is not None:
                raise LayerwiseError(
                    f"block {block} joins the data's labels, which trains on one device; "
                    "train without --strategy"
                )
            labels = {"y_train": self.inputs.y_train, "y_val": self.inputs.y_val}
            data = self.phase_data(index, phase, x_train, x_val, self.seed + index, **labels)
            return Pretraining(JointRBMTrainer(layer, data), examples, in_data_shape)
        trainer_class, extra = self.pretrainer_class(phase.method)
        data = self.phase_data(index, phase, x_train, x_val, self.seed + index)
        return Pretraining(trainer_class(layer, data, *extra), examples, in_data_shape)

    def pretrainer_class(self, method: str) -> tuple[Any, tuple[Any, ...]]:
        """The trainer for a pretraining method, and the extra arguments it takes: the
        distributed variants also take the strategy."""
        if self.strategy is not None:
            from core.training.distributed import (
                DistributedAutoencoderTrainer,
                DistributedRBMTrainer,
            )

            distributed = {
                "rbm": DistributedRBMTrainer,
                "autoencoder": DistributedAutoencoderTrainer,
            }
            if method not in distributed:
                raise LayerwiseError(
                    f"{method} pretraining runs on one device; train without --strategy "
                    "or with pretraining off"
                )
            return distributed[method], (self.strategy,)
        from core.training.autoencoder import AutoencoderTrainer
        from core.training.conv_rbm import ConvRBMTrainer
        from core.training.rbm import RBMTrainer
        from core.training.rnn_rbm import RNNRBMTrainer

        local = {
            "rbm": RBMTrainer,
            "autoencoder": AutoencoderTrainer,
            "rnn-rbm": RNNRBMTrainer,
            "conv-rbm": ConvRBMTrainer,
        }
        return local[method], ()

    def finetuner(
        self, index: int, phase: Phase, pretrained_blocks: list[str], dataset: Any
    ) -> Finetuning:
        from core.training.autoencoder import binary_like
        from core.training.finetune import FinetuneTrainer, unroll

        model = self.model
        x_train = self.inputs.x_train
        code_block = None
        if self.objective == "wake-sleep":
            return self.wake_sleep(index, phase)
        if self.objective == "autoencoder":
            model, code_block = unroll(model, x_train.shape[1:], binary_like(x_train))
        if self.strategy is not None:
            # fine-tuning runs under the strategy: a copy of the (pretrained) network made in
            # its scope, so layers added here (the unrolled decoder) are mirrored too
            with self.strategy.scope():
                copy = self.keras.models.clone_model(model)
            copy.set_weights(model.get_weights())
            model = copy
        labels = {"y_train": dataset.y_train, "y_val": dataset.y_val}
        labels["copies"] = int(dataset.metadata.get("copies", 1))
        data = self.phase_data(index, phase, x_train, self.inputs.x_val, self.seed, **labels)
        trainer = FinetuneTrainer(
            model, self.objective, data, pretrained_blocks, strategy=self.strategy
        )
        return Finetuning(trainer, model, code_block)

    def wake_sleep(self, index: int, phase: Phase) -> Finetuning:
        """The stack unrolled with untied generative weights, fine-tuned up-down."""
        from core.errors import LayerwiseError
        from core.training.finetune import unroll
        from core.training.wake_sleep import WakeSleepTrainer, rbm_stack

        if self.strategy is not None:
            raise LayerwiseError("wake-sleep fine-tuning runs on one device, not distributed")
        stack = rbm_stack(self.model)
        x_train = self.inputs.x_train
        model, code_block = unroll(self.model, x_train.shape[1:], binary=True)
        labels = {"y_train": self.inputs.y_train, "y_val": self.inputs.y_val}
        data = self.phase_data(index, phase, x_train, self.inputs.x_val, self.seed, **labels)
        return Finetuning(WakeSleepTrainer(model, stack, data), model, code_block)
