"""One piece against the corpus its run learnt from: what Audition shows beside a piece.

The corpus is the run's held-out split, read as :mod:`core.evaluate.generated` reads it for
``layerwise evaluate`` (whole benchmark pieces' opening bars, or the split's windows). A piece
is cut into parts as long as the corpus's pieces, so a long piece is compared with short
windows on the same footing (alone, with no corpus, it is measured whole). Loads no Keras.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.evaluate import music_stats
from core.evaluate.generated import reference_rolls

SHOWN = (  # the statistics a view lists, in order, with their names in words
    ("pitch_class_entropy", "Pitch-class entropy"),
    ("scale_consistency", "Scale consistency"),
    ("polyphony", "Polyphony"),
    ("note_density", "Notes per quarter"),
    ("empty_beat_rate", "Empty-beat rate"),
    ("pitch_range", "Pitch range"),
)


@dataclass(frozen=True)
class Corpus:
    """Statistics of a run's held-out pieces, each ``length`` steps on the run's grid."""

    name: str
    split: str
    statistics: list[dict]
    length: int
    steps_per_quarter: int


def run_corpus(run_dir, split: str = "test") -> Corpus | None:
    """The corpus of a finished run (its summary says what it learnt from); None while it
    trains, when it learnt no music, or with too few held-out pieces to compare with."""
    from core.data import load_dataset
    from core.music.generation.geometry import read_geometry
    from core.runs import RunFolder

    run = RunFolder(Path(os.fspath(run_dir)))
    project, summary = run.read_project_json(), run.read_summary()
    if project is None or summary is None:
        return None
    data = project.get("data") or {}
    dataset = load_dataset(data)
    if dataset.kind != "pianoroll":
        return None
    described = summary.get("data") or data.get("representation") or {}
    geometry = read_geometry(dict(described), tuple(dataset.sample_shape), project)
    spq = geometry.steps_per_quarter
    rolls = reference_rolls(spq, dataset, split)
    if len(rolls) < 2:
        return None
    low = geometry.lowest_pitch
    statistics = [music_stats.piece_statistics(r, spq, low) for r in rolls]
    return Corpus(dataset.name, split, statistics, len(rolls[0]), spq)


def piece_report(piece, corpus: Corpus | None) -> dict:
    """The piece's statistics and, with a corpus, the corpus's means and the overlaps:
    ``{"statistics": {name: {"piece", "corpus", "overlap"}}, "mean_overlap", "corpus",
    "part_quarters"}``. Against a corpus the piece's figures are its parts' means (parts as
    long as the corpus's pieces, ``part_quarters`` quarter notes), so both columns measure
    stretches of one length; alone, the piece is measured whole."""
    roll, spq = np.asarray(piece.roll), piece.steps_per_quarter
    if corpus is None:
        own = music_stats.piece_statistics(roll, spq, piece.lowest_pitch)
        rows = {name: {"piece": own[name], "corpus": None, "overlap": None} for name, _ in SHOWN}
        return {"statistics": rows, "mean_overlap": None, "corpus": None, "part_quarters": None}
    parts = _parts(roll, spq, corpus)
    stats = [music_stats.piece_statistics(p, spq, piece.lowest_pitch) for p in parts]
    compared = music_stats.compare(stats, corpus.statistics)["statistics"]
    rows = {
        name: {
            "piece": compared[name]["generated"],
            "corpus": compared[name]["corpus"],
            "overlap": compared[name]["overlap"],
        }
        for name, _ in SHOWN
    }
    shown = [row["overlap"] for row in rows.values() if row["overlap"] is not None]
    return {
        "statistics": rows,
        "mean_overlap": float(np.mean(shown)) if shown else None,
        "corpus": f"{corpus.name}, {corpus.split} split",
        "part_quarters": corpus.length / corpus.steps_per_quarter,
    }


def _parts(roll: np.ndarray, spq: int, corpus: Corpus) -> list[np.ndarray]:
    """The piece cut into stretches as long (in quarter notes) as the corpus's pieces."""
    length = max(1, round(corpus.length * spq / corpus.steps_per_quarter))
    count = max(1, len(roll) // length)
    return [roll[i * length : (i + 1) * length] for i in range(count)]
