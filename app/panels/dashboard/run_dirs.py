"""Where the window's runs go: a fresh folder per run under the user's data folder."""

from __future__ import annotations

import os
import re
import time


def runs_root() -> str:
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("layerwise"), "runs")


def new_run_dir(project_name: str, suffix: str = "") -> str:
    """A fresh folder under the user's data folder: runs/<project-name>-<timestamp>."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", project_name or "untitled").strip("-").lower()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = os.path.join(runs_root(), f"{slug or 'untitled'}-{stamp}{suffix}")
    path, n = base, 1
    while os.path.exists(path):
        n += 1
        path = f"{base}-{n}"
    os.makedirs(path)
    return path
