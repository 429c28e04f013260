"""Built-in datasets read offline from music21's bundled corpus, converted on the beat grid.

Streams are converted directly from note offsets and quarter lengths (parts merged), which
is exact and much faster than a detour through MIDI.
"""

from __future__ import annotations

import warnings

import numpy as np

from core.errors import DataError
from core.music.pianoroll import roll_from_notes

BUILTIN = {
    "bach-chorales": "J. S. Bach's four-part chorales from music21's corpus (about 350), "
    "all voices merged",
    "folk-tunes": "Folk fiddle tunes from Ryan's Mammoth Collection (1883) in music21's corpus "
    "(about 1,000 reels, jigs and hornpipes)",
    "maple-leaf-rag": "Scott Joplin's Maple Leaf Rag (one piece, split into 8-bar sections)",
}


def _bach_refs():
    from music21.corpus import chorales

    seen, refs = set(), []
    # The iterator walks Riemenschneider's numbering; a few numbers share one file.
    for name in chorales.Iterator(returnType="filename"):
        if name not in seen:
            seen.add(name)
            refs.append((name, name, None))
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
