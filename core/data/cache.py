"""Where converted datasets are kept between runs (music21 and MIDI parsing are slow): the
built-in sets by name, a MIDI folder by its place and the fingerprint of its files."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from core.data.corpus import CORPUS_VERSION
from core.data.pieces import FORMAT_VERSION, save_pieces
from core.errors import DataError

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


def folder_fingerprint(files: list[Path], folder: Path) -> str:
    """A digest of each file's name, size and modification time: any change to the folder's
    files gives another cache file."""
    digest = hashlib.sha1()
    for path in files:
        stat = path.stat()
        line = f"{path.relative_to(folder).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
        digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def midi_folder_cache_path(folder: Path, fingerprint: str, representation: dict) -> Path:
    """One file per folder, its files' fingerprint, grid, pitch range and format version."""
    key = {
        "folder": str(Path(folder).resolve()),
        "files": fingerprint,
        "steps_per_quarter": representation["steps_per_quarter"],
        "lowest_pitch": representation["lowest_pitch"],
        "pitch_count": representation["pitch_count"],
        "velocity": representation.get("velocity", False),
        "format": FORMAT_VERSION,
    }
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in Path(folder).name)[:40]
    return cache_root() / "datasets" / f"midi-folder-{name or 'root'}-{digest}.npz"


def keep(path: Path, rolls: list, names: list, representation: dict, skipped: list) -> None:
    """Write converted pieces to the cache (see ``keep_with``)."""
    keep_with(path, lambda target: save_pieces(target, rolls, names, representation, skipped))


def keep_with(path: Path, write: Callable[[Path], None]) -> None:
    """Write a cache file with ``write(path)``; a cache that cannot be written only costs
    time next run, so its failure is ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path)
    except (OSError, DataError):
        pass
