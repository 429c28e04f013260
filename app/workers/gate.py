"""One TensorFlow user at a time, and the device probe that waits its turn. No Qt."""

from __future__ import annotations

import contextlib
import threading


class TFGate:
    """One TensorFlow user at a time.

    Here TensorFlow crashed (segfault while tracing a tf.function) when a generation ran in
    one thread while a training session was alive in another, even with the session idle
    between two steps. So a training session holds the gate from start to end, and one-off
    work (generation, loading a model, probing devices) waits for it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @contextlib.contextmanager
    def exclusive(self):
        with self._lock:
            yield


TF_GATE = TFGate()


def probe_devices() -> list[str]:
    """["CPU", "GPU:0", ...]: the GPUs TensorFlow sees (imports TensorFlow: run on a worker)."""
    from core.keras_env import gpus

    try:
        with TF_GATE.exclusive():
            found = gpus()
    except Exception:
        found = []
    return ["CPU"] + [f"GPU:{i}" for i in range(len(found))]
