"""The training dashboard: live curves, filters, reconstructions, histograms and progress.

- ``progress``: the Qt-free progress model (run state, curves, fraction, ETA) fed by core's
  training events; ``blocks``: each block's training state and which blocks have weights.
- ``curves``, ``snapshots``: the views (loss plot; filters, reconstructions, histograms).
- ``controls``: start / pause / stop, device and pretraining choice, the status strip.
- ``widget``: :class:`TrainingDashboard`, which composes them and runs the worker; each run
  goes to a fresh :class:`core.runs.RunFolder` under the user's data folder.

Importing this package loads no Qt: the widget is imported on first use of its name, so the
progress model can be used (and tested) without Qt.
"""

from __future__ import annotations

from importlib import import_module

_LAZY = {"TrainingDashboard": "app.panels.dashboard.widget"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["TrainingDashboard"]
