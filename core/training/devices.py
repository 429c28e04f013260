"""Where a run trains: the device, and the tf.distribute strategy over one or more devices.

:func:`check_requests` checks the user's choices before TensorFlow loads; :func:`place`
applies them (splitting the CPU for ``--cpu-replicas``, picking the device, making the
strategy) and returns a :class:`Placement`.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import LayerwiseError

STRATEGIES = ("default", "mirrored", "multi-worker")


@dataclass(frozen=True)
class Placement:
    device: str  # TensorFlow's name, e.g. "/CPU:0"
    device_name: str  # as summary.json and the user see it, e.g. "CPU" or "GPU 0 (...)"
    strategy: Any  # a tf.distribute.Strategy, or None for plain single-device training
    replicas: int
    chief: bool  # False on a multi-worker run's other workers: they write no results


def check_requests(strategy: str | None, cpu_replicas: Any, epochs_scale: float) -> str:
    """The strategy's name (None: "default"); LayerwiseError for a request that cannot be met."""
    strategy = strategy or "default"
    if strategy not in STRATEGIES:
        raise LayerwiseError(
            f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGIES)}"
        )
    if cpu_replicas is not None and (
        isinstance(cpu_replicas, bool) or not isinstance(cpu_replicas, int) or cpu_replicas < 1
    ):
        raise LayerwiseError(
            f"cpu replicas must be a whole number of at least 1, got {cpu_replicas!r}"
        )
    if strategy == "multi-worker" and not os.environ.get("TF_CONFIG"):
        raise LayerwiseError(
            "the multi-worker strategy reads the cluster from the TF_CONFIG environment "
            "variable, which is not set; set it on every worker (see tf.distribute) or use "
            "--strategy mirrored"
        )
    if not epochs_scale > 0 or not math.isfinite(epochs_scale):
        raise LayerwiseError(f"epochs scale must be a positive number, got {epochs_scale}")
    return strategy


def place(
    tf: Any, device_request: str | None, strategy: str, cpu_replicas: int | None
) -> Placement:
    """Split the CPU if asked, pick the device, make the strategy."""
    split_cpu(tf, cpu_replicas)
    device, device_name = pick_device(tf, device_request)
    chief = True
    if strategy == "default":
        made = None
    elif strategy == "multi-worker":
        from core.training import distributed

        timeout = distributed.cluster_timeout()
        chief = distributed.is_chief(distributed.read_tf_config())
        made = distributed.make_multi_worker(timeout)
    else:
        made = mirrored(tf, device, device_request)
    replicas = made.num_replicas_in_sync if made is not None else 1
    return Placement(device, device_name, made, replicas, chief)


def pick_device(tf: Any, request: str | None) -> tuple[str, str]:
    """(TensorFlow device, its name for people) for "cpu", "gpu:N" or None / "auto" (the
    first GPU when there is one, else the CPU)."""
    from core.keras_env import quiet_native_logs

    with quiet_native_logs():
        gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        with contextlib.suppress(RuntimeError, ValueError):  # already initialised
            tf.config.experimental.set_memory_growth(gpu, True)
    wanted = (request or "").lower()
    if wanted in ("", "auto"):
        if gpus:
            return "/GPU:0", "GPU 0 (" + gpus[0].name + ")"
        return "/CPU:0", "CPU"
    if wanted == "cpu":
        return "/CPU:0", "CPU"
    if wanted.startswith("gpu"):
        index = wanted.partition(":")[2] or "0"
        if not index.isdigit():
            raise LayerwiseError(f"unknown device {request!r}; use cpu or gpu:N")
        if int(index) >= len(gpus):
            found = f"{len(gpus)} GPU(s)" if gpus else "no GPU"
            raise LayerwiseError(
                f"device gpu:{index} was asked for, but this machine has {found}; use --device cpu"
            )
        return f"/GPU:{index}", f"GPU {index}"
    raise LayerwiseError(f"unknown device {request!r}; use cpu or gpu:N")


def split_cpu(tf: Any, replicas: int | None) -> None:
    """--cpu-replicas N: the CPU as N logical devices, so a mirrored strategy runs (and is
    tested) without GPUs. Must happen before TensorFlow starts its runtime."""
    if replicas is None or replicas == 1:
        return
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(replicas)]
        )
    except RuntimeError:
        have = len(tf.config.list_logical_devices("CPU"))
        if have != replicas:
            raise LayerwiseError(
                f"the CPU can be split into {replicas} replicas only before TensorFlow "
                f"starts; it already runs with {have}; train in a fresh process (the CLI)"
            ) from None


def mirrored(tf: Any, device: str, device_request: str | None) -> Any:
    """A MirroredStrategy over every GPU (none asked for by number), the one GPU asked for,
    or every logical CPU."""
    on_gpu = device.startswith("/GPU")
    if on_gpu and not (device_request or "").startswith("gpu"):
        devices = [d.name for d in tf.config.list_logical_devices("GPU")]
    elif on_gpu:
        devices = [device]
    else:
        devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    cross = None if on_gpu else tf.distribute.ReductionToOneDevice(reduce_to_device=devices[0])
    return tf.distribute.MirroredStrategy(devices=devices, cross_device_ops=cross)


def results_folder(run_dir: Path, placement: Placement) -> tuple[Path, Path | None]:
    """(where this process writes its run folder, a scratch folder to remove at the end).
    A multi-worker run's other workers train alongside the chief but write into a folder of
    their own: only the chief's run folder holds the results, so workers sharing one --out
    (one machine) do not clobber it."""
    if placement.chief:
        return run_dir, None
    scratch = Path(tempfile.mkdtemp(prefix="layerwise-worker-"))
    return scratch / "run", scratch
