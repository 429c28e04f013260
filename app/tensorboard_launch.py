"""Run › Open in TensorBoard: ``tensorboard --logdir RUN`` for the run the window shows.

TensorBoard is not a dependency of Layerwise: when its package is installed the window starts
it as a detached process; otherwise it shows the command to run once it is.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import subprocess
import sys

TITLE = "Open in TensorBoard"


def tensorboard_installed() -> bool:
    """Whether the ``tensorboard`` package can be imported by this Python."""
    return importlib.util.find_spec("tensorboard") is not None


def tensorboard_command(run_dir: str) -> str:
    return f"tensorboard --logdir {shlex.quote(run_dir)}"


def start_tensorboard(run_dir: str) -> None:
    """Start TensorBoard on ``run_dir``, detached: it outlives the window (OSError when it
    cannot start)."""
    subprocess.Popen(  # noqa: S603 - our own interpreter and a folder argument, no shell
        [sys.executable, "-m", "tensorboard.main", "--logdir", run_dir],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def open_in_tensorboard(window) -> bool:
    """Start TensorBoard on the run shown, or show the command; True when it was started."""
    from app.model_export import shown_run

    run_dir = shown_run(window)
    if not run_dir:
        window.show_message("Show a run first (File › Open Run… or the runs browser)", "warning")
        return False
    name = os.path.basename(run_dir.rstrip(os.sep))
    if not tensorboard_installed():
        window.dialogs.show_command(
            TITLE,
            "TensorBoard is not installed. Install it, then run:",
            tensorboard_command(run_dir),
        )
        return False
    try:
        start_tensorboard(run_dir)
    except OSError as exc:
        window.dialogs.error(TITLE, f"Cannot start TensorBoard: {exc.strerror or exc}")
        return False
    window.show_message(f"TensorBoard starts for {name}: open http://localhost:6006", "success")
    return True
