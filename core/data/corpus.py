"""Built-in datasets read offline from music21's bundled corpus, converted on the beat grid.

Streams are converted directly from note offsets and quarter lengths (parts merged), which
is exact and much faster than a detour through MIDI.
"""

from __future__ import annotations

import warnings

import numpy as np

from core.errors import DataError
from core.music.pianoroll import roll_from_notes

CORPUS_VERSION = 2  # bump when the pieces a built-in set holds change (part of the cache key)

NOT_CHORALES = {"bwv846"}  # the one keyboard piece among Bach's files in the corpus


def _bwv(path: str) -> str:
    """The movement a file holds ("bwv153.1"), ignoring extension and variant suffix (-a)."""
    name = path.rsplit("/", 1)[-1]
    for ext in (".mxl", ".xml", ".musicxml", ".krn"):
        name = name.removesuffix(ext)
    return name.split("-")[0]


def _bach_refs():
    """Every chorale setting in the corpus, each movement once.

    music21's chorale iterator walks Riemenschneider's 371 numbers (350 files); the corpus
    holds about 50 more harmonisations (other cantata and Passion movements) beside them.
    Variants of one movement (-a, -lz, ...) are near duplicates: keeping one stops a
    chorale from landing in both the training and the test split.
    """
    from music21 import corpus
    from music21.corpus import chorales

    seen, refs = set(), []
    for name in chorales.Iterator(returnType="filename"):
        if _bwv(name) not in seen:
            seen.add(_bwv(name))
            refs.append((name, name, None))
    others = sorted(
        f"bach/{p.name}" for p in corpus.getComposer("bach") if p.suffix in (".mxl", ".xml")
    )
    for path in others:
        bwv = _bwv(path)
        if bwv not in seen and bwv not in NOT_CHORALES:
            seen.add(bwv)
            refs.append((f"bach/{bwv}", path, None))
    return refs


def _folk_refs():
    from music21 import corpus

    entries = sorted(
        corpus.search("ryansMammoth"),
        key=lambda e: (str(e.sourcePath), e.metadata.number or 0),
    )
    refs = []
    for e in entries:
        path = str(e.sourcePath)
        title = e.metadata.title or path.rsplit("/", 1)[-1].removesuffix(".abc")
        refs.append((title, path, e.metadata.number))
    return refs


def piece_refs(source: str):
    """(name, corpus path, tune number or None) of each piece, in a fixed order."""
    if source == "bach-chorales":
        return _bach_refs()
    if source == "folk-tunes":
        return _folk_refs()
    if source == "maple-leaf-rag":
        return [("Maple Leaf Rag", "joplin/maple_leaf_rag", None)]
    raise DataError(f"no built-in dataset named {source!r}")


def stream_to_arrays(score):
    """Pitches, onsets and ends (in quarter notes) and velocities of every sounding note."""
    pitch, start, end, vel = [], [], [], []
    for el in score.flatten().notes:
        if el.duration.isGrace:
            continue
        pitches = getattr(el, "pitches", ())
        onset = float(el.offset)
        stop = onset + float(el.quarterLength)
        v = el.volume.velocity if el.volume.velocity is not None else 90
        for p in pitches:
            pitch.append(p.midi)
            start.append(onset)
            end.append(stop)
            vel.append(v)
    return np.array(pitch), np.array(start), np.array(end), np.array(vel)


def stream_to_roll(score, representation: dict) -> np.ndarray:
    pitch, start, end, vel = stream_to_arrays(score)
    return roll_from_notes(
        pitch,
        start,
        end,
        vel,
        steps_per_quarter=representation["steps_per_quarter"],
        lowest_pitch=representation["lowest_pitch"],
        pitch_count=representation["pitch_count"],
        use_velocity=representation["velocity"],
    )


def convert_builtin(source: str, representation: dict, limit=None, progress=None):
    """(rolls, names, skipped) for a built-in set; a piece music21 cannot read is skipped."""
    from music21 import corpus

    refs = piece_refs(source)
    if limit is not None:
        refs = refs[:limit]
    rolls, names, skipped = [], [], []
    for i, (name, path, number) in enumerate(refs):
        if progress:
            progress(i, len(refs), f"converting {name}")
        try:
            with warnings.catch_warnings():
                # music21 warns about notation details that do not change the notes.
                warnings.filterwarnings("ignore", module=r"music21(\.|$)")
                score = corpus.parse(path, number=number) if number else corpus.parse(path)
                roll = stream_to_roll(score, representation)
        except Exception as exc:  # one bad score must not lose the whole set
            skipped.append((name, f"music21 could not read it ({type(exc).__name__}: {exc})"))
            continue
        if not roll.any():
            skipped.append((name, "no notes in the pitch range"))
            continue
        rolls.append(roll)
        names.append(name)
    if progress:
        progress(len(refs), len(refs), "converted")
    return rolls, names, skipped
