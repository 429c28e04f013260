"""How close generated pieces are to a corpus (Yang and Lerch 2020).

Each piece (a binary piano roll) gets the standard symbolic-music statistics. MusPy computes
those it offers (pitch-class entropy, scale consistency, polyphony, empty-beat rate, pitch
range); the pitch-class histogram, note density and interval histogram it lacks are counted
here. Two sets of pieces are compared feature by feature as Yang and Lerch do: the distances
between held-out pieces (intra-set) and from each generated piece to each held-out one
(inter-set) are smoothed into densities, and their overlapping area is the figure: 1 when
the generated pieces sit among the corpus as its own pieces do, towards 0 when they do not.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

SCALARS = (
    "pitch_class_entropy",
    "scale_consistency",
    "polyphony",
    "note_density",
    "empty_beat_rate",
    "pitch_range",
)
HISTOGRAMS = ("pitch_class_histogram", "interval_histogram")
MAX_INTERVAL = 12  # the interval histogram's last bin gathers every leap past an octave


def notes_of(roll: np.ndarray, lowest_pitch: int) -> list[tuple[int, int, int]]:
    """(start, pitch, duration) of each run of consecutive on-cells in a key."""
    on = np.asarray(roll) > 0.5
    padded = np.pad(on, ((1, 1), (0, 0))).astype(np.int8)
    edges = np.diff(padded, axis=0)
    notes = []
    for key in range(on.shape[1]):
        starts = np.flatnonzero(edges[:, key] == 1)
        ends = np.flatnonzero(edges[:, key] == -1)
        notes += [
            (int(s), lowest_pitch + key, int(e - s)) for s, e in zip(starts, ends, strict=True)
        ]
    return sorted(notes)


def _music(notes, steps_per_quarter: int):
    import muspy

    track = muspy.Track(notes=[muspy.Note(time=s, pitch=p, duration=d) for s, p, d in notes])
    return muspy.Music(resolution=steps_per_quarter, tracks=[track])


def _interval_histogram(notes) -> np.ndarray:
    """Leaps of the top line: the highest pitch starting at each onset, onset to onset."""
    top: dict[int, int] = {}
    for start, pitch, _ in notes:
        top[start] = max(pitch, top.get(start, pitch))
    line = np.array([top[s] for s in sorted(top)], np.int64)
    leaps = np.minimum(np.abs(np.diff(line)), MAX_INTERVAL)
    histogram = np.bincount(leaps, minlength=MAX_INTERVAL + 1).astype(np.float64)
    return histogram / histogram.sum() if histogram.sum() else histogram


def piece_statistics(roll: np.ndarray, steps_per_quarter: int, lowest_pitch: int) -> dict:
    """The statistics of one piece; scalars as floats, histograms as lists summing to 1."""
    import muspy

    notes = notes_of(roll, lowest_pitch)
    music = _music(notes, steps_per_quarter)
    classes = np.zeros(12)
    for _, pitch, duration in notes:
        classes[pitch % 12] += duration
    quarters = max(len(roll) / steps_per_quarter, 1e-9)
    if not notes:  # MusPy's answers for a silent piece are NaN; say what silence means
        scalars = dict.fromkeys(SCALARS, 0.0) | {"empty_beat_rate": 1.0}
    else:
        scalars = {
            "pitch_class_entropy": muspy.pitch_class_entropy(music),
            "scale_consistency": muspy.scale_consistency(music),
            "polyphony": muspy.polyphony(music),
            "note_density": len(notes) / quarters,
            "empty_beat_rate": _empty_beat_rate(roll, steps_per_quarter),
            "pitch_range": muspy.pitch_range(music),
        }
    return {
        **{k: float(v) for k, v in scalars.items()},
        "pitch_class_histogram": (classes / classes.sum() if classes.sum() else classes).tolist(),
        "interval_histogram": _interval_histogram(notes).tolist(),
    }


def _empty_beat_rate(roll: np.ndarray, steps_per_quarter: int) -> float:
    """Share of quarter-note beats with no note sounding (MusPy counts only onsets, so a
    held chord would leave its beats "empty"; a piano roll knows better)."""
    beats = -(-len(roll) // steps_per_quarter)
    padded = np.zeros((beats * steps_per_quarter, roll.shape[1]), bool)
    padded[: len(roll)] = np.asarray(roll) > 0.5
    sounding = padded.reshape(beats, -1).any(axis=1)
    return float(1 - sounding.mean()) if beats else 1.0


def _feature(stats: Sequence[dict], name: str) -> np.ndarray:
    return np.array([np.atleast_1d(s[name]) for s in stats], np.float64)


def _density(samples: np.ndarray, grid: np.ndarray, floor: float) -> np.ndarray:
    """A Gaussian kernel density (Silverman's bandwidth, never below ``floor``) on ``grid``."""
    width = max(1.06 * samples.std() * len(samples) ** -0.2, floor)
    z = (grid[:, None] - samples[None, :]) / width
    return np.exp(-0.5 * z**2).sum(axis=1) / (len(samples) * width * np.sqrt(2 * np.pi))


def overlap(intra: np.ndarray, inter: np.ndarray) -> float:
    """The overlapping area of the two distance distributions' densities."""
    both = np.concatenate([intra, inter])
    floor = max(1e-3, 0.02 * float(both.max() - both.min()))
    grid = np.linspace(both.min() - 4 * floor, both.max() + 4 * floor, 1024)
    low = np.minimum(_density(intra, grid, floor), _density(inter, grid, floor))
    return float(np.clip(np.sum(low) * (grid[1] - grid[0]), 0.0, 1.0))


def compare(generated: Sequence[dict], reference: Sequence[dict]) -> dict:
    """Per feature: the mean for each set and the overlap of intra- and inter-set distances."""
    features: dict[str, dict] = {}
    for name in SCALARS + HISTOGRAMS:
        gen, ref = _feature(generated, name), _feature(reference, name)
        inter = np.linalg.norm(gen[:, None] - ref[None, :], axis=-1).ravel()
        pairs = np.triu_indices(len(ref), k=1)
        intra = np.linalg.norm(ref[pairs[0]] - ref[pairs[1]], axis=-1)
        features[name] = {
            "generated": _mean(gen),
            "corpus": _mean(ref),
            "overlap": overlap(intra, inter) if len(intra) and len(inter) else None,
        }
    shared = [f["overlap"] for f in features.values() if f["overlap"] is not None]
    return {
        "pieces": {"generated": len(generated), "corpus": len(reference)},
        "statistics": features,
        "mean_overlap": float(np.mean(shared)) if shared else None,
    }


def _mean(values: np.ndarray) -> float | list[float]:
    mean = values.mean(axis=0)
    return float(mean[0]) if mean.shape == (1,) else [float(v) for v in mean]
