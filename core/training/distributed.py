"""Training on several devices or machines: greedy pretraining under a tf.distribute strategy
(fine-tuning's own strategy path is in :mod:`core.training.finetune`), and the multi-worker
cluster's set-up with a time-out.

Each batch is split across the replicas (replica ``r`` of ``R`` takes samples
``r·B//R .. (r+1)·B//R`` of the global batch ``B``, so every sample is used once); each replica
computes its slice's statistics (CD sums for an RBM, gradients for an autoencoder), the sums are
all-reduced, and the one update is applied to the mirrored variables, which therefore stay
identical on every replica. The single-device trainers (:mod:`core.training.rbm`,
:mod:`core.training.autoencoder`) are left exactly as they are; these subclasses are used only
when a strategy is set. Their loop runs one compiled step per batch (collectives inside a
``tf.while_loop`` are fragile across workers), checking the interrupt flag between batches, so
pause and stop still act within one batch.
"""

from __future__ import annotations

import json
import os

import numpy as np

from core.errors import LayerwiseError
from core.training.autoencoder import AutoencoderTrainer
from core.training.rbm import RBMTrainer
from core.training.trainer import PhaseData

TIMEOUT_ENV = "LAYERWISE_CLUSTER_TIMEOUT"
DEFAULT_TIMEOUT = 60.0


def cluster_timeout() -> float:
    """Seconds to wait for every worker of the cluster (env LAYERWISE_CLUSTER_TIMEOUT)."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise LayerwiseError(f"{TIMEOUT_ENV} must be a number of seconds, got {raw!r}") from None
    if not value > 0:
        raise LayerwiseError(f"{TIMEOUT_ENV} must be a positive number of seconds, got {raw!r}")
    return value


def read_tf_config() -> dict:
    """TF_CONFIG, checked for the parts the multi-worker strategy needs."""
    raw = os.environ.get("TF_CONFIG", "")
    try:
        config = json.loads(raw)
    except ValueError:
        raise LayerwiseError("TF_CONFIG is not valid JSON") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not cluster or not isinstance(task, dict):
        raise LayerwiseError(
            'TF_CONFIG needs a "cluster" (e.g. {"worker": ["host:port", ...]}) and a "task" '
            '(e.g. {"type": "worker", "index": 0})'
        )
    kind, index = task.get("type"), task.get("index")
    if kind not in cluster or not isinstance(index, int) or not 0 <= index < len(cluster[kind]):
        raise LayerwiseError(
            f"TF_CONFIG's task {task!r} is not one of the cluster's {sorted(cluster)} tasks"
        )
    return config


def is_chief(config: dict) -> bool:
    """The chief writes the run folder: the "chief" task, else worker 0."""
    task = config["task"]
    if "chief" in config["cluster"]:
        return task["type"] == "chief"
    return task["type"] == "worker" and task["index"] == 0


def _address(host: str) -> tuple[str, int]:
    name, _, port = host.rpartition(":")
    if not name or not port.isdigit():
        raise LayerwiseError(f"TF_CONFIG's address {host!r} is not host:port")
    return name.strip("[]"), int(port)


def wait_for_cluster(hosts: list[str], me: str, timeout: float) -> None:
    """Wait until every other worker's port accepts a connection, else LayerwiseError.

    TensorFlow's own start-up retries a worker that never answers for ever, inside one native
    call that holds the interpreter (no time-out, no Ctrl-C). So each worker first listens on
    its own port with a plain socket (TensorFlow's server takes the port over once this returns)
    and waits for the others to do the same; when one does not within ``timeout`` seconds the
    run ends with one clear line, before anything is written."""
    import socket
    import time

    _, port = _address(me)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("", port))
        listener.listen(16)
    except OSError as exc:
        listener.close()
        raise LayerwiseError(
            f"this worker cannot listen on {me} (its address in TF_CONFIG): "
            f"{exc.strerror or exc}; is the port in use?"
        ) from None
    try:
        pending = [h for h in dict.fromkeys(hosts) if h != me]
        deadline = time.monotonic() + timeout
        while pending:
            for host in list(pending):
                try:
                    socket.create_connection(_address(host), timeout=1.0).close()
                    pending.remove(host)
                except OSError:
                    pass
            if not pending:
                break
            if time.monotonic() > deadline:
                raise LayerwiseError(
                    f"worker {', '.join(pending)} did not answer within {timeout:g} s: it is "
                    f"not running or cannot be reached; start every worker of the cluster in "
                    f"TF_CONFIG, or raise {TIMEOUT_ENV} (seconds)"
                )
            time.sleep(0.2)
    finally:
        listener.close()


def make_multi_worker(timeout: float):
    """MultiWorkerMirroredStrategy from TF_CONFIG, giving up with a clear LayerwiseError when
    a worker does not join within ``timeout`` seconds (TensorFlow would wait for ever)."""
    import tensorflow as tf
    from tensorflow.compiler.xla.tsl.protobuf import coordination_config_pb2
    from tensorflow.python.distribute import collective_all_reduce_strategy as cars
    from tensorflow.python.distribute import multi_worker_util
    from tensorflow.python.eager import context

    config = read_tf_config()
    hosts = [h for hosts in config["cluster"].values() for h in hosts]
    me = config["cluster"][config["task"]["type"]][config["task"]["index"]]
    wait_for_cluster(hosts, me, timeout)
    spec = tf.train.ClusterSpec(config["cluster"])
    ms = max(1000, int(timeout * 1000))
    if (
        config["task"]["type"] in ("chief", "worker")
        and context.context().coordination_service is None
    ):
        # the strategy would set up the coordination service itself, with no time-out on the
        # workers' registration (it waits for ever for a worker that never answers)
        jobs = [
            coordination_config_pb2.CoordinatedJob(name=job, num_tasks=spec.num_tasks(job))
            for job in ("chief", "worker")
            if job in spec.jobs
        ]
        context.context().configure_coordination_service(
            service_type="standalone",
            service_leader=multi_worker_util.coordination_leader(spec),
            coordinated_jobs=jobs,
            cluster_register_timeout_in_ms=ms,
        )
    # without the coordination service the constructor waits with a barrier all-reduce whose
    # time-out is this class attribute (0: for ever); it is read once, while constructing
    extended = cars.CollectiveAllReduceExtended
    previous = extended._check_health_initial_timeout
    extended._check_health_initial_timeout = max(1, int(round(timeout)))
    gave_up = (
        f"the cluster in TF_CONFIG did not come together within {timeout:g} s (workers "
        f"{', '.join(hosts)}): a worker is not running or cannot be reached; start every "
        f"worker, or raise {TIMEOUT_ENV}"
    )
    try:
        return tf.distribute.MultiWorkerMirroredStrategy()
    except (RuntimeError, tf.errors.OpError) as exc:
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if "start gRPC server" in text:
            raise LayerwiseError(
                f"this worker cannot listen on {me} (TF_CONFIG's address for it): the port is "
                "in use or the address is not this machine's"
            ) from None
        if isinstance(exc, RuntimeError) and "Timeout waiting for the cluster" not in text:
            raise
        raise LayerwiseError(gave_up) from None
    finally:
        extended._check_health_initial_timeout = previous


def _bounds(replica, replicas: int, batch):
    """Replica ``replica``'s slice [lo, hi) of a global batch of ``batch`` samples."""
    lo = (replica * batch) // replicas
    hi = ((replica + 1) * batch) // replicas
    return lo, hi


def _replica_id(tf):
    return tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.int32)


def _check_batch(batch_size: int, replicas: int) -> None:
    if batch_size < replicas:
        raise LayerwiseError(
            f"the batch ({batch_size} samples) is smaller than the {replicas} replicas it is "
            "split across"
        )


class _Draws:
    """Stateless random draws from one key: the i-th draw of a traced step folds in i, so a
    replica's numbers depend only on (step seed, replica, draw)."""

    def __init__(self, tf, key):
        self.tf = tf
        self.key = key
        self.count = 0

    def _next(self):
        self.count += 1
        return self.tf.random.experimental.stateless_fold_in(self.key, self.count)

    def uniform(self, shape):
        return self.tf.random.stateless_uniform(shape, seed=self._next())

    def normal(self, shape):
        return self.tf.random.stateless_normal(shape, seed=self._next())


class DistributedRBMTrainer(RBMTrainer):
    """CD-k / PCD-k under a strategy: per-replica CD sums, all-reduced, one mirrored update."""

    def __init__(self, layer, data: PhaseData, strategy):
        super().__init__(layer, data)
        self.strategy = strategy
        self.replicas = int(strategy.num_replicas_in_sync)
        _check_batch(self.batch_size, self.replicas)
        self._step = self.tf.function(self._dist_step)

    # the maths of RBMTrainer._cd_step, as sums over the replica's slice
    def _visible_d(self, h, sample, draws):
        tf = self.tf
        act = tf.matmul(h, self.W, transpose_b=True) + self.b
        if self.gaussian:
            return act + draws.normal(tf.shape(act)) if sample else act
        p = tf.sigmoid(act)
        return tf.cast(draws.uniform(tf.shape(p)) < p, tf.float32) if sample else p

    def _sample_d(self, p, draws):
        return self.tf.cast(draws.uniform(self.tf.shape(p)) < p, self.tf.float32)

    def _replica_sums(self, v0, chain, draws):
        tf = self.tf
        ph0 = self._hidden(v0)
        h0 = self._sample_d(ph0, draws)
        if self.persistent:
            h = chain
            for _ in range(self.k):
                v = self._visible_d(h, True, draws)
                ph = self._hidden(v)
                h = self._sample_d(ph, draws)
            new_chain = h
            recon = self._visible_d(h0, False, draws)
        else:
            h = h0
            for i in range(self.k):
                last = i == self.k - 1
                v = self._visible_d(h, not last, draws)
                ph = self._hidden(v)
                if not last:
                    h = self._sample_d(ph, draws)
            recon = v if self.k == 1 else self._visible_d(h0, False, draws)
            new_chain = chain
        sum_w = tf.matmul(tf.concat([v0, v], 0), tf.concat([ph0, -ph], 0), transpose_a=True)
        packed = tf.concat(
            [
                tf.reshape(sum_w, [-1]),
                tf.reduce_sum(ph0 - ph, axis=0),
                tf.reduce_sum(v0 - v, axis=0),
                tf.reduce_sum(ph0, axis=0),
                tf.reduce_sum(v0, axis=0),
                tf.reshape(tf.reduce_sum(tf.square(v0 - recon)), [1]),
            ],
            0,
        )
        return packed, new_chain

    def _dist_step(self, start, momentum):
        tf = self.tf
        bs, replicas = self.batch_size, self.replicas
        idx = self.order[start * bs : (start + 1) * bs]
        batch = tf.gather(self.data, idx)
        chain = self.chain.read_value()
        seed = self.rng.uniform_full_int([2], tf.int64)

        def replica_fn(batch, chain, seed):
            r = _replica_id(tf)
            lo, hi = _bounds(r, replicas, bs)
            draws = _Draws(tf, tf.random.experimental.stateless_fold_in(seed, r))
            return self._replica_sums(batch[lo:hi], chain[lo:hi], draws)

        packed, new_chain = self.strategy.run(replica_fn, args=(batch, chain, seed))
        total = self.strategy.reduce(tf.distribute.ReduceOp.SUM, packed, axis=None)
        V, H = self.W.shape
        sizes = [V * H, H, V, H, V, 1]
        sum_w, sum_c, sum_b, sum_ph0, sum_v0, sse = tf.split(total, sizes)
        m = tf.cast(bs, tf.float32)
        grad_w = tf.reshape(sum_w, [V, H]) / m
        grad_c = sum_c / m
        grad_b = sum_b / m
        if self.persistent:
            self.chain.assign(self.strategy.gather(new_chain, axis=0))
        if self.weight_decay:
            grad_w -= self.weight_decay * self.W
        if self.sparsity_cost and self.sparsity_target:
            self.q.assign(0.9 * self.q + 0.1 * sum_ph0 / m)
            push = self.sparsity_cost * (self.sparsity_target - self.q)
            grad_c += push
            grad_w += push[None, :] * (sum_v0 / m)[:, None]
        lr = self.lr
        self.vW.assign(momentum * self.vW + lr * grad_w)
        self.vc.assign(momentum * self.vc + lr * grad_c)
        self.vb.assign(momentum * self.vb + lr * grad_b)
        self.W.assign_add(self.vW)
        self.c.assign_add(self.vc)
        self.b.assign_add(self.vb)
        return sse[0]

    def run(self, epoch: int, start: int, count: int):
        tf = self.tf
        momentum = tf.constant(self.momentum0 if epoch < 5 else self.momentum1, tf.float32)
        scale = 1.0 / (self.batch_size * self.x_train.shape[1])  # its step sums the batch
        name = "reconstruction_error"
        done, total = 0, self.carried(name)
        for i in range(count):
            if i and bool(self.interrupt.numpy()):
                break
            total += float(self._step(tf.constant(start + i, tf.int32), momentum)) * scale
            done += 1
        return (done, self.add_totals({name: total}, done)) if done else (0, {})


class DistributedAutoencoderTrainer(AutoencoderTrainer):
    """Autoencoder pretraining under a strategy: the optimizer's state is mirrored, each
    replica's gradient is weighted by its share of the batch and the optimizer sums them."""

    def __init__(self, layer, data: PhaseData, strategy):
        self.strategy = strategy
        with strategy.scope():
            super().__init__(layer, data)
        self.replicas = int(strategy.num_replicas_in_sync)
        _check_batch(self.batch_size, self.replicas)
        self._step = self.tf.function(self._dist_step)

    def run(self, epoch: int, start: int, count: int):
        return self.run_per_batch(start, count, ("loss", "reconstruction_error"))

    def _replica_loss(self, x, source):
        """AutoencoderTrainer._loss with the corruption done beforehand (the layer's seed
        generator is drawn once per global batch, outside the replicas)."""
        tf = self.tf
        layer = self.layer
        code = layer.encode(source)
        recon = layer.decode(code)
        mse = tf.reduce_mean(tf.square(x - recon))
        if self.cross_entropy:
            p = tf.clip_by_value(recon, 1e-7, 1 - 1e-7)
            rec_loss = -tf.reduce_mean(x * tf.math.log(p) + (1 - x) * tf.math.log(1 - p))
        else:
            rec_loss = mse
        return rec_loss + layer.sparsity_penalty(code), mse

    def _dist_step(self, start):
        tf = self.tf
        bs, replicas = self.batch_size, self.replicas
        idx = self.order[start * bs : (start + 1) * bs]
        x = tf.gather(self.data, idx)
        source = self.layer.corrupt(x)

        def replica_fn(x, source):
            r = _replica_id(tf)
            lo, hi = _bounds(r, replicas, bs)
            share = tf.cast(hi - lo, tf.float32) / float(bs)
            with tf.GradientTape() as tape:
                loss, mse = self._replica_loss(x[lo:hi], source[lo:hi])
                weighted = loss * share
            grads = tape.gradient(weighted, self.variables)
            pairs = [(g, v) for g, v in zip(grads, self.variables, strict=True) if g is not None]
            self.optimizer.apply_gradients(pairs)
            return weighted, mse * share

        loss, mse = self.strategy.run(replica_fn, args=(x, source))
        total = tf.distribute.ReduceOp.SUM
        return (
            self.strategy.reduce(total, loss, axis=None),
            self.strategy.reduce(total, mse, axis=None),
        )


def replica_weights_equal(variables) -> bool:
    """True when every mirrored variable holds the same values on all its local replicas."""
    for var in variables:
        values = getattr(var, "values", None)
        if not values:
            continue
        first = np.asarray(values[0].numpy())
        if any(not np.array_equal(first, np.asarray(v.numpy())) for v in values[1:]):
            return False
    return True
