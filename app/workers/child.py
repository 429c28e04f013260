"""The training child process (``python -m app.workers ADDRESS``). No Qt.

It listens on a local socket at ``ADDRESS`` (authenticated with the key in
``LAYERWISE_CHILD_KEY``), takes ``(project JSON, project path, run dir, arguments)`` from the
window, sends back every event the session yields (pickled), then :data:`END`; meanwhile it
obeys the commands ``"pause"``, ``"resume"`` and ``"stop"``. A window that goes away stops
the run (the last checkpoint is kept).

A plain interpreter started with -m, not multiprocessing's spawn, which would import the
window's own main module again in the child.
"""

from __future__ import annotations

import contextlib
import os
import threading

from app.workers.session import one_line, session_events
from core.training.control import Control
from core.training.events import Failed

END = "__layerwise_session_end__"
COMMANDS = ("pause", "resume", "stop")
CHILD_NICE = int(os.environ.get("LAYERWISE_TRAINING_NICE", "5"))


def main(address: str) -> None:
    """Serve one training run to the window connecting at ``address``."""
    from multiprocessing.connection import Listener

    authkey = bytes.fromhex(os.environ.pop("LAYERWISE_CHILD_KEY"))
    if CHILD_NICE:
        yield_to_the_window()
    with Listener(address, family="AF_UNIX", authkey=authkey) as listener:
        conn = listener.accept()
    project_doc, project_path, run_dir, kwargs = conn.recv()
    control = Control()
    threading.Thread(target=_obey, args=(conn, control), daemon=True).start()
    try:
        _send_events(conn, project_doc, project_path, run_dir, control, kwargs)
    except (EOFError, OSError):
        return
    conn.send(END)
    conn.close()


def yield_to_the_window() -> None:
    """A little lower priority than the window: when both want a core, the window's short
    bursts of drawing go first, and training loses next to nothing. As a batch job too (the
    threads TensorFlow starts later inherit it): the window's thread, waking, is not kept
    waiting behind a training thread's time slice."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(CHILD_NICE)
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


def _obey(conn, control: Control) -> None:
    """Apply the window's commands to ``control`` until "stop" or the window goes away."""
    while True:
        try:
            command = conn.recv()
        except (EOFError, OSError):  # the window went away: stop, keep the checkpoint
            control.stop()
            return
        if command in COMMANDS:
            getattr(control, command)()
        if command == "stop":
            return


def _send_events(conn, project_doc, project_path, run_dir, control, kwargs) -> None:
    from core.project import project_from_json

    try:
        project = project_from_json(project_doc, project_path)
        done = threading.Event()
        for event in session_events(None, project, run_dir, control, kwargs, done, gate=False):
            conn.send(event)
    except (EOFError, OSError):
        raise  # the window went away: nobody to tell
    except Exception as exc:  # a bad project, an event that cannot be pickled
        conn.send(Failed(message=one_line(exc)))
