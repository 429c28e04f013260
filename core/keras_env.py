"""The one place that prepares the environment before Keras / TensorFlow load.

Call :func:`load_keras` instead of ``import keras`` at the top of a module the window needs:
importing TensorFlow costs seconds and must happen on a worker, after the window is shown.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile


def prepare_environment() -> None:
    """Set the variables Keras and TensorFlow read at import time (idempotent)."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Keras writes keras.json into KERAS_HOME on first import; keep it in our own folder.
    if "KERAS_HOME" not in os.environ:
        from platformdirs import user_config_dir

        os.environ["KERAS_HOME"] = os.path.join(user_config_dir("layerwise"), "keras")


@contextlib.contextmanager
def quiet_native_logs():
    """TensorFlow's C++ side logs its CUDA probe to fd 2 before any log level applies; hold
    that text back during the import and show it only if the import fails."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), fd)
        try:
            yield
        except BaseException:
            os.dup2(saved, fd)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, fd)
            os.close(saved)


def load_keras():
    """Import Keras (and TensorFlow) with the environment prepared; returns the module."""
    prepare_environment()
    if "keras" not in sys.modules:
        with quiet_native_logs():
            import keras  # noqa: F401
            import tensorflow  # noqa: F401
    import keras

    import core.layers  # noqa: F401  registers the custom layers

    return keras


def gpus() -> list:
    """The visible GPUs (probing CUDA logs to fd 2 on machines without one; keep it quiet)."""
    load_keras()
    import tensorflow as tf

    with quiet_native_logs():
        return tf.config.list_physical_devices("GPU")
