"""TensorFlow loaded on a worker thread after the window is shown.

``import tensorflow`` takes seconds: loading it at the import of anything the window needs
would delay the first frame.
"""

from __future__ import annotations

from PySide6.QtCore import QThread, Signal


class KerasWarmUp(QThread):
    """Imports Keras/TensorFlow on a worker thread after the window is shown."""

    finished_loading = Signal(str)  # "" on success, else the error

    def run(self):
        try:
            from core.keras_env import load_keras

            load_keras()
        except Exception as exc:  # noqa: BLE001 - reported in the status bar
            self.finished_loading.emit(f"{type(exc).__name__}: {exc}")
            return
        self.finished_loading.emit("")
