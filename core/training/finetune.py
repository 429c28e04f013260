"""Fine-tuning the whole network as its head says: classifier, autoencoder (unrolled from the
stack, after DeepHear), VAE, or sequence (next step)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from core.errors import LayerwiseError
from core.joint_keys import feature_model, joint_layer
from core.training.autoencoder import binary_like, make_optimizer
from core.training.output_bias import start_at_key_frequencies
from core.training.phases import finetune_method
from core.training.trainer import PhaseData, PhaseTrainer

VECTOR_LAYERS = ("Dense", "RBM", "Autoencoder")

PASS_LAYERS = (
    "InputLayer",
    "Flatten",
    "Dropout",
    "GaussianNoise",
    "GaussianDropout",
    "ActivityRegularization",
)


def label_subset(y: np.ndarray, fraction: float, seed: int, copies: int = 1) -> np.ndarray:
    """Indices of a stratified ``fraction`` of the labels (at least one per class).

    ``copies``: the samples come ``copies`` times (sample i's rows are i, i + n, i + 2n, …,
    as shifted copies lay them out); the fraction is of the samples, each kept with its copies.
    """
    if fraction >= 1.0:
        return np.arange(len(y))
    n = len(y) // copies
    rng = np.random.default_rng(seed)
    keep = []
    for label in np.unique(y[:n]):
        where = np.flatnonzero(y[:n] == label)
        count = max(1, int(round(fraction * len(where))))
        keep.append(rng.choice(where, count, replace=False))
    chosen = np.concatenate(keep)
    return np.sort(np.concatenate([chosen + k * n for k in range(copies)]))


def output_activation(model) -> str:
    """The name of the activation of the last layer that has one (through Reshape etc.)."""
    for layer in reversed(model.layers):
        act = getattr(layer, "activation", None)
        if act is not None:
            return getattr(act, "__name__", str(act))
        inner = getattr(layer, "layer", None)  # TimeDistributed
        if inner is not None and getattr(inner, "activation", None) is not None:
            return getattr(inner.activation, "__name__", "")
    return "linear"


def encoder_stack(model):
    """The chain of vector layers the autoencoder objective unrolls, in data order."""
    stack = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in VECTOR_LAYERS:
            stack.append(layer)
        elif kind not in PASS_LAYERS and kind != "Reshape":
            raise LayerwiseError(
                f"the autoencoder objective unrolls a stack of Dense, RBM and Autoencoder "
                f"blocks; block '{layer.name}' is a {kind}"
            )
    if not stack:
        raise LayerwiseError(
            "the autoencoder objective needs at least one Dense, RBM or Autoencoder block to unroll"
        )
    return stack


def unroll(model, sample_shape, binary: bool):
    """The deep autoencoder unrolled from the stack: the encoder exactly as built (block ids as
    layer names), then decoder layers ``decode_<block>`` in reverse order, initialised from the
    pretrained weights (the transpose of the encoder's when tied), then a Reshape named
    ``reconstruction`` when the input was not flat. Returns (model, code_block)."""
    from core.keras_env import load_keras

    keras = load_keras()
    stack = encoder_stack(model)
    x = model.output
    plans = []
    for position, layer in enumerate(reversed(stack)):
        outermost = position == len(stack) - 1
        features = int(layer.kernel.shape[0])
        kind = type(layer).__name__
        if kind == "RBM":
            act = "sigmoid" if layer.visible == "bernoulli" else "linear"
            init = (layer.kernel.numpy().T, layer.visible_bias.numpy())
        elif kind == "Autoencoder":
            act = getattr(layer.decoder_activation, "__name__", "sigmoid")
            init = (
                np.asarray(keras.ops.convert_to_numpy(layer.decoder_weights())),
                layer.decoder_bias.numpy(),
            )
        else:
            act = getattr(layer.activation, "__name__", "linear")
            if outermost:
                act = "sigmoid" if binary else "linear"
            init = None
        dense = keras.layers.Dense(features, activation=act, name=f"decode_{layer.name}")
        x = dense(x)
        plans.append((dense, init))
    if len(model.input.shape) != 2:
        x = keras.layers.Reshape(tuple(sample_shape), name="reconstruction")(x)
    unrolled = keras.Model(model.input, x, name=f"{model.name}_unrolled")
    for dense, init in plans:
        if init is not None:
            dense.set_weights([np.asarray(init[0], np.float32), np.asarray(init[1], np.float32)])
    return unrolled, stack[-1].name


def training_pairs(data: PhaseData, objective: str, output_shape: tuple) -> PhaseData:
    """The (input, target) arrays the objective trains on: a classifier's labelled share with
    int32 labels, a sequence's steps against the steps after them, else the input itself
    shaped as the output."""
    x_train = np.asarray(data.x_train, np.float32)
    x_val = np.asarray(data.x_val, np.float32)
    y_train, y_val = data.y_train, data.y_val
    if objective == "classifier":
        if y_train is None:
            raise LayerwiseError(
                "the classifier objective needs labelled data, and this dataset has no labels"
            )
        fraction = float(data.settings.get("label_fraction", 1.0))
        keep = label_subset(y_train, fraction, data.seed, data.copies)
        x_train, y_train = x_train[keep], np.asarray(y_train)[keep].astype(np.int32)
        y_val = None if y_val is None else np.asarray(y_val).astype(np.int32)
    elif objective == "sequence":
        x_train, y_train = x_train[:, :-1], x_train[:, 1:]
        x_val, y_val = x_val[:, :-1], x_val[:, 1:]
    else:
        y_train = x_train.reshape((len(x_train), *output_shape))
        y_val = x_val.reshape((len(x_val), *output_shape))
    return replace(data, x_train=x_train, x_val=x_val, y_train=y_train, y_val=y_val)


def optimizer_groups(model, pretrained_blocks: Sequence[str], settings) -> list:
    """(optimizer, variables) pairs: the pretrained blocks' variables get their own optimizer
    when their learning rate is scaled (none when the scale is 0: they stay frozen)."""
    lr = float(settings["learning_rate"])
    scale = float(settings.get("pretrained_learning_rate_scale", 1.0))
    pretrained_ids = {
        id(v) for b in pretrained_blocks for v in model.get_layer(b).trainable_variables
    }
    trainable = list(model.trainable_variables)
    pre = [v for v in trainable if id(v) in pretrained_ids]
    rest = [v for v in trainable if id(v) not in pretrained_ids]
    optimizer = settings.get("optimizer", "adam")
    clip = float(settings.get("clip_norm", 0.0))
    groups = []
    if pre and scale != 1.0:
        if scale > 0:
            groups.append((make_optimizer(optimizer, lr * scale, clip), pre))
        groups.append((make_optimizer(optimizer, lr, clip), rest))
    else:
        groups.append((make_optimizer(optimizer, lr, clip), trainable))
    groups = [(opt, vs) for opt, vs in groups if vs]
    for opt, vs in groups:
        opt.build(vs)
    return groups


class FinetuneTrainer(PhaseTrainer):
    def __init__(
        self,
        model,
        objective: str,
        data: PhaseData,
        pretrained_blocks: Sequence[str],
        strategy=None,
    ):
        """pretrained_blocks: ids of the blocks pretraining trained (their layers keep the
        block ids as names in ``model``). strategy: a tf.distribute strategy, or None."""
        self.model = model
        self.objective = objective
        self.method = finetune_method(objective)
        self.strategy = strategy
        data = training_pairs(data, objective, tuple(d for d in model.output.shape[1:]))
        super().__init__(data)
        tf = self.tf
        self.y_train: Any = data.y_train
        self.y_val: Any = data.y_val
        self.replicas = strategy.num_replicas_in_sync if strategy is not None else 1
        if self.batch_size < self.replicas:
            raise LayerwiseError(
                f"the batch ({self.batch_size} samples) is smaller than the "
                f"{self.replicas} replicas it is split across"
            )
        # a joint output over the keys (AutoregressiveKeys) trains on its exact likelihood
        self.joint: Any = joint_layer(model) if objective == "sequence" else None
        self.features: Any = feature_model(model) if self.joint is not None else None
        self.activation = "sigmoid" if self.joint is not None else output_activation(model)
        self.binary = binary_like(self.x_train) and self.activation == "sigmoid"
        if self.joint is not None and not self.binary:
            raise LayerwiseError(
                f"the {self.joint.name} block (AutoregressiveKeys) models each key as on or "
                "off: it needs piano rolls of 0 and 1, without velocities"
            )
        width = np.asarray(data.y_train).shape[-1] if self.joint is not None else None
        if self.joint is not None and self.joint.keys != width:
            raise LayerwiseError(
                f"the {self.joint.name} block (AutoregressiveKeys) has {self.joint.keys} keys "
                f"but the data's steps have {width}; set its keys to match"
            )
        if objective == "sequence" and self.binary:
            start_at_key_frequencies(model, np.asarray(self.y_train))
        self.data_x = tf.constant(self.x_train)
        self.data_y = tf.constant(self.y_train)
        with strategy.scope() if strategy is not None else contextlib.nullcontext():
            self.groups = optimizer_groups(model, pretrained_blocks, data.settings)
        if strategy is None:
            self._chunk = self.compile_chunk(self._train_step)
        else:
            self._step = tf.function(self._train_step)

    # ---- losses ----------------------------------------------------------------------------

    def _loss(self, y, out):
        """(loss, metric) for a batch; metric is accuracy or the mean squared error."""
        tf = self.tf
        if self.objective == "classifier":
            if self.activation == "softmax":
                p = tf.clip_by_value(out, 1e-7, 1.0)
                ce = -tf.math.log(tf.gather(p, y, axis=-1, batch_dims=1))
            else:
                ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=out)
            acc = tf.reduce_mean(
                tf.cast(tf.equal(tf.cast(tf.argmax(out, -1), tf.int32), y), tf.float32)
            )
            return tf.reduce_mean(ce), acc
        mse = tf.reduce_mean(tf.square(y - out))
        if self.binary:
            p = tf.clip_by_value(out, 1e-7, 1 - 1e-7)
            elementwise = -(y * tf.math.log(p) + (1 - y) * tf.math.log(1 - p))
        else:
            elementwise = tf.square(y - out)
        if self.objective == "vae":
            # reconstruction summed over features, averaged over the batch (+ the KL term)
            flat = tf.reshape(elementwise, [tf.shape(elementwise)[0], -1])
            return tf.reduce_mean(tf.reduce_sum(flat, axis=-1)), mse
        return tf.reduce_mean(elementwise), mse

    def _joint_loss(self, x, y, training: bool):
        """The joint output's exact negative log-likelihood, per key of each frame."""
        tf = self.tf
        frames = self.joint.log_likelihood(self.features(x, training=training), y)
        return -tf.reduce_mean(frames) / self.joint.keys

    def _replica_step(self, x, y, replicas):
        tf = self.tf
        with tf.GradientTape() as tape:
            if self.joint is not None:
                loss = self._joint_loss(x, y, training=True)
                metric = loss
            else:
                out = self.model(x, training=True)
                loss, metric = self._loss(y, out)
            extra = self.model.losses
            if extra:
                loss = loss + tf.add_n([tf.cast(e, tf.float32) for e in extra])
            # the optimizer sums gradients over replicas: scale to the global batch mean
            scaled = loss / replicas if replicas > 1 else loss
        all_vars = [v for _, vs in self.groups for v in vs]
        grads = tape.gradient(scaled, all_vars)
        i = 0
        for opt, vs in self.groups:
            # a pretrained layer's visible-side weights get no gradient here: leave them be
            pairs = [
                (g, v) for g, v in zip(grads[i : i + len(vs)], vs, strict=True) if g is not None
            ]
            opt.apply_gradients(pairs)
            i += len(vs)
        return loss, metric

    def _train_step(self, start):
        tf = self.tf
        bs = self.batch_size
        idx = self.order[start * bs : (start + 1) * bs]
        x = tf.gather(self.data_x, idx)
        y = tf.gather(self.data_y, idx)
        if self.strategy is None:
            return self._replica_step(x, y, 1)
        replicas = self.replicas
        per = bs // replicas

        def replica_fn(x, y):
            i = tf.distribute.get_replica_context().replica_id_in_sync_group
            return self._replica_step(
                x[i * per : (i + 1) * per], y[i * per : (i + 1) * per], replicas
            )

        loss, metric = self.strategy.run(replica_fn, args=(x, y))
        mean = tf.distribute.ReduceOp.MEAN
        return (
            self.strategy.reduce(mean, loss, axis=None),
            self.strategy.reduce(mean, metric, axis=None),
        )

    @property
    def metric_name(self) -> str:
        return "accuracy" if self.objective == "classifier" else "reconstruction_error"

    # ---- protocol --------------------------------------------------------------------------

    def state_variables(self):
        out = [v.value if hasattr(v, "value") else v for v in self.model.weights]
        for opt, _ in self.groups:
            out += [v.value for v in opt.variables]
        for layer in self.model.layers:
            gen = getattr(layer, "seed_generator", None)
            if gen is not None:
                out.append(gen.state.value)
        return out

    def run(self, epoch: int, start: int, count: int):
        names = ("loss", None if self.objective == "sequence" else self.metric_name)
        if self.strategy is None:
            return self.run_chunk(start, count, names)
        return self.run_per_batch(start, count, names)

    def predict(self, x, batch=512):
        outs = [
            self.model(self.tf.constant(x[i : i + batch]), training=False).numpy()
            for i in range(0, len(x), batch)
        ]
        return np.concatenate(outs) if outs else np.zeros((0,), np.float32)

    def evaluate(self, x, y) -> dict:
        """Metrics on held-out arrays given as the dataset holds them."""
        x = np.asarray(x, np.float32)
        if not len(x):
            return {}
        if self.objective == "classifier":
            if y is None:
                return {}
            pred = self.predict(x)
            out = {"accuracy": float(np.mean(np.argmax(pred, -1) == np.asarray(y)))}
            p = (
                np.clip(pred[np.arange(len(y)), np.asarray(y)], 1e-7, 1.0)
                if self.activation == "softmax"
                else None
            )
            if p is not None:
                out["loss"] = float(-np.mean(np.log(p)))
            return out
        if self.objective == "sequence":
            inputs, target = x[:, :-1], x[:, 1:]
        else:
            inputs, target = x, x
        pred = self.predict(inputs).reshape(target.shape)
        out = {"reconstruction_error": float(np.mean((pred - target) ** 2))}
        if binary_like(target) and np.all((target == 0) | (target == 1)):
            wrong = np.abs((pred > 0.5).astype(np.float32) - target)
            out["wrong_notes_per_window"] = float(np.mean(wrong.reshape(len(x), -1).sum(-1)))
            out["cells_per_window"] = int(np.prod(target.shape[1:]))
            # notes (on cells) per window: what an all-silent guess would get wrong
            out["notes_per_window"] = float(np.mean(target.reshape(len(x), -1).sum(-1)))
        return out

    def _joint_validation_loss(self, x, y, batch: int = 512) -> float:
        tf = self.tf
        total = 0.0
        for i in range(0, len(x), batch):
            part = tf.constant(x[i : i + batch])
            loss = self._joint_loss(part, tf.constant(y[i : i + batch]), training=False)
            total += float(loss) * len(part)
        return total / len(x)

    def validation_metrics(self) -> dict:
        x_val = self.x_val
        if not len(x_val):
            return {}
        if self.objective == "classifier":
            if self.y_val is None:
                return {}
            pred = self.predict(x_val)
            out = {"val_accuracy": float(np.mean(np.argmax(pred, -1) == self.y_val))}
            if self.activation == "softmax":
                p = np.clip(pred[np.arange(len(self.y_val)), self.y_val], 1e-7, 1.0)
                out["val_loss"] = float(-np.mean(np.log(p)))
            return out
        target = self.y_val[:2000]
        if self.joint is not None:
            return {"val_loss": self._joint_validation_loss(x_val[:2000], target)}
        pred = self.predict(x_val[:2000]).reshape(target.shape)
        out = {"val_reconstruction_error": float(np.mean((pred - target) ** 2))}
        if self.binary:
            p = np.clip(pred, 1e-7, 1 - 1e-7)
            out["val_loss"] = float(-np.mean(target * np.log(p) + (1 - target) * np.log(1 - p)))
        return out
