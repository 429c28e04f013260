"""A training session as a stream of events, the same on a thread and in the child process:
batches coalesced, a failure as one line, what to run once it finished. No Qt."""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.workers.gate import TF_GATE
from core.training.events import BatchMetrics, Failed, Finished

BATCH_INTERVAL_S = 0.05


@dataclass(frozen=True)
class BatchGroup:
    """Batch events coalesced on the worker thread; ``events`` in order, at least one."""

    events: tuple

    @property
    def last(self) -> BatchMetrics:
        return self.events[-1]


@dataclass(frozen=True)
class AfterRun:
    """What ``after(run_dir)`` returned (or the one-line error it raised), run on the
    training thread once the session finished."""

    value: object = None
    error: str | None = None


def coalesce_batches(events: Iterable, interval: float = BATCH_INTERVAL_S) -> Iterator:
    """Pass every event through, but gather BatchMetrics into BatchGroups sent at most once
    per ``interval`` seconds (and before any other event, so order is kept)."""
    pending: list = []
    last = time.monotonic()
    for event in events:
        if isinstance(event, BatchMetrics):
            pending.append(event)
            now = time.monotonic()
            if now - last >= interval:
                yield BatchGroup(tuple(pending))
                pending = []
                last = now
            continue
        if pending:
            yield BatchGroup(tuple(pending))
            pending = []
            last = time.monotonic()
        yield event
    if pending:
        yield BatchGroup(tuple(pending))


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    text = text[0] if text else ""
    name = type(exc).__name__
    if not text:
        return name
    from core.errors import LayerwiseError

    return text if isinstance(exc, LayerwiseError) else f"{name}: {text}"


def os_reason(exc: OSError) -> str:
    """An operating system's error in words: "Permission denied: /path", not "[Errno 13] ..."."""
    if exc.strerror and exc.filename:
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror or str(exc)


def default_run_training():
    """core.training.session.run_training, imported on the worker (it loads TensorFlow)."""
    from core.training.session import run_training

    return run_training


def session_events(
    run_fn, project, run_dir, control, kwargs, done: threading.Event, after=None, gate=True
):
    """The events of ``run_fn(project, run_dir, control=control, **kwargs)``, batches
    coalesced, then an :class:`AfterRun` when ``after`` is given and the run finished; a
    :class:`Failed` instead of any exception. ``done`` is set once it has ended."""
    try:
        with TF_GATE.exclusive() if gate else contextlib.nullcontext():
            fn = run_fn if run_fn is not None else default_run_training()
            # TensorFlow and Keras bring hundreds of thousands of long-lived objects; a full
            # garbage collection walking them all stalled the window for 100-300 ms whenever
            # it happened to run on the GUI thread. Freeze them out of the collector's way.
            gc.freeze()
            finished = False
            for event in coalesce_batches(fn(project, run_dir, control=control, **kwargs)):
                finished = finished or isinstance(event, Finished)
                yield event
            if after is not None and finished:
                try:
                    yield AfterRun(after(run_dir))
                except Exception as exc:
                    yield AfterRun(None, one_line(exc))
    except Exception as exc:  # the contract says Failed, but never let a bug kill the view
        yield Failed(message=one_line(exc))
    finally:
        done.set()
