"""Importing a folder of the user's MIDI files: keep every readable piece, name every other."""

from __future__ import annotations

import os
from pathlib import Path

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
