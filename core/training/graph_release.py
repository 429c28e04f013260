"""Giving back a session's traced graphs when it ends.

TensorFlow keeps every custom gradient registered while a graph is traced in one process-wide
registry (``CustomGradient-<n>``) and never removes it. Its closure holds tensors of the traced
graph, so the whole graph stays alive, and with it everything the graph captured: the
training data as constants, the model's weights and the optimizer's slots. Keras's optimizer
registers one every time a training step is traced (``apply_gradients`` sums the gradients
over replicas through ``tf.distribute``'s ``all_reduce``, a custom gradient even without a
strategy), so every run in one process kept its network and data: about 20–40 MiB a run for
the templates. A session drops the registrations made while it ran once it ends; its graphs
are never differentiated again.

It assumes one TensorFlow user at a time in the process (the window's ``TF_GATE``): a graph
traced by another thread during the session would lose its registration too.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from typing import Any

PREFIX = "CustomGradient-"


def _registry() -> dict[str, Any] | None:
    """TensorFlow's gradient registry, when TensorFlow is loaded and still keeps it there."""
    ops = sys.modules.get("tensorflow.python.framework.ops")
    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", None)
    return registry if isinstance(registry, dict) else None


def custom_gradient_names() -> set[str]:
    """The custom gradients registered so far in this process."""
    registry = _registry()
    return {name for name in registry if name.startswith(PREFIX)} if registry else set()


@contextlib.contextmanager
def released_graphs() -> Iterator[None]:
    """Drop the custom gradients registered inside the block, then collect the graphs they
    kept (at once, so the memory is back when the run ends, not at some later collection)."""
    before = custom_gradient_names()
    try:
        yield
    finally:
        registry = _registry()
        if registry is not None:
            for name in custom_gradient_names() - before:
                registry.pop(name, None)
            gc.collect()
