"""Importing a folder of the user's MIDI files: keep every readable piece, name every other.

``load_midi_folder`` keeps what an import converted in the dataset cache (like the built-in
sets), keyed by the folder and its files' names, sizes and times, so a second import of an
unchanged folder reads one file.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.data import cache
from core.data.pieces import load_pieces
from core.errors import DataError
from core.music.pianoroll import MidiFileError, from_pretty_midi, load_pretty_midi

MIDI_SUFFIXES = (".mid", ".midi", ".kar", ".smf")


def _midi_files(folder: Path):
    """All files under the folder (hidden ones aside), sorted so imports are repeatable."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
    return found


def _why_empty(pm) -> str:
    if not any(inst.notes for inst in pm.instruments):
        return "no notes"
    if all(inst.is_drum for inst in pm.instruments if inst.notes):
        return "drums only"
    return "no notes in the pitch range"


def import_midi_folder(folder, representation: dict, progress=None):
    """(rolls, names, skipped) where skipped lists (relative file name, reason)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    files = _midi_files(folder)
    rolls, names, skipped = [], [], []
    for i, path in enumerate(files):
        rel = path.relative_to(folder).as_posix()
        if progress:
            progress(i, len(files), rel)
        if path.suffix.lower() not in MIDI_SUFFIXES:
            skipped.append((rel, f"not a MIDI file (extension {path.suffix or 'none'})"))
            continue
        try:
            pm = load_pretty_midi(path)
        except MidiFileError as exc:
            skipped.append((rel, exc.reason))
            continue
        try:
            roll = from_pretty_midi(
                pm,
                representation["steps_per_quarter"],
                representation["lowest_pitch"],
                representation["pitch_count"],
                velocity=representation.get("velocity", False),
            ).roll
        except (DataError, ValueError, MemoryError, OverflowError) as exc:
            skipped.append((rel, f"cannot convert ({exc})"))
            continue
        if not roll.any():
            skipped.append((rel, _why_empty(pm)))
            continue
        rolls.append(roll)
        names.append(rel)
    if progress:
        progress(len(files), len(files), "done")
    return rolls, names, skipped


def load_midi_folder(folder, representation: dict, progress=None, use_cache: bool = True):
    """(rolls, names, skipped, from_cache): the folder's pieces, from the cache when an
    import of the same files on the same grid is there. ``progress(done, total, message)``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    path = None
    if use_cache:
        fingerprint = cache.folder_fingerprint(_midi_files(folder), folder)
        path = cache.midi_folder_cache_path(folder, fingerprint, representation)
        if path.exists():
            try:
                rolls, names, info = load_pieces(path)
            except DataError:
                pass  # a damaged cache file is rebuilt below
            else:
                if progress:
                    progress(len(names), len(names), "read from the cache")
                return rolls, names, [tuple(s) for s in info["skipped"]], True
    rolls, names, skipped = import_midi_folder(folder, representation, progress)
    if path is not None:
        cache.keep(path, rolls, names, representation, skipped)
    return rolls, names, skipped, False
