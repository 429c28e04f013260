"""Where converted datasets are kept between runs (music21 parsing is slow)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from core.data.corpus import CORPUS_VERSION
from core.data.pieces import FORMAT_VERSION

CACHE_ENV = "LAYERWISE_CACHE_DIR"  # tests and shared machines point it elsewhere


def cache_root() -> Path:
    root = os.environ.get(CACHE_ENV)
    if not root:
        from platformdirs import user_cache_dir

        root = user_cache_dir("layerwise")
    return Path(root)


def cache_path(source: str, representation: dict, limit: int | None) -> Path:
    """One file per source, grid, pitch range, velocity flag, piece limit and format version."""
    key = {
        "source": source,
        "steps_per_quarter": representation["steps_per_quarter"],
        "lowest_pitch": representation["lowest_pitch"],
        "pitch_count": representation["pitch_count"],
        "velocity": representation["velocity"],
        "limit": limit,
        "format": FORMAT_VERSION,
        "corpus": CORPUS_VERSION,
    }
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    suffix = "all" if limit is None else f"first{limit}"
    return cache_root() / "datasets" / f"{source}-{suffix}-{digest}.npz"
