"""The piano roll, the one music type the rest of Layerwise passes around, and its converters.

Time runs on a beat grid: ``steps_per_quarter`` steps per quarter note, whatever the tempo.
Notes are quantised by their position in quarter notes (read through the file's tempo map),
so tempo changes move nothing on the grid. Pitches outside the roll's range are folded by
octaves into it rather than dropped: a melody keeps its pitch classes and its rhythm, which
matters more for learning than the octave. Drum tracks are ignored (they are not pitches).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from core import fileio
from core.catalog.data import PIANO_ROLL_DEFAULTS
from core.errors import DataError
from core.limits import MAX_MIDI_BYTES, disk_message

# The grid a roll gets when none is named: the project's declared representation defaults.
STEPS_PER_QUARTER: int = PIANO_ROLL_DEFAULTS["steps_per_quarter"]
LOWEST_PITCH: int = PIANO_ROLL_DEFAULTS["lowest_pitch"]
PITCH_COUNT: int = PIANO_ROLL_DEFAULTS["pitch_count"]
DEFAULT_VELOCITY = 100  # MIDI velocity given to the notes of a binary (0/1) roll
# A damaged file can place one note hours away; cap the roll (about 35 h at 120 bpm, 4 steps
# a quarter) before it allocates gigabytes.
MAX_STEPS = 1_000_000


class MidiFileError(DataError):
    """A file that cannot be read as MIDI; ``reason`` says why without the file name."""

    def __init__(self, path, reason: str):
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.reason = reason


@dataclass
class PianoRoll:
    """Time steps × pitches; values 0/1 (binary) or 0..1 (velocity / 127)."""

    roll: np.ndarray
    steps_per_quarter: int = STEPS_PER_QUARTER
    lowest_pitch: int = LOWEST_PITCH
    tempo: float = 120.0  # quarter notes per minute
    program: int = 0  # General MIDI program, 0-based

    def __post_init__(self) -> None:
        self.roll = np.asarray(self.roll, dtype=np.float32)
        if self.roll.ndim != 2:
            raise DataError(f"a piano roll is 2-D (steps × pitches), got shape {self.roll.shape}")
        if self.steps_per_quarter < 1:
            raise DataError("steps_per_quarter must be at least 1")
        if not 0 <= self.lowest_pitch <= 127 or self.lowest_pitch + self.pitch_count > 128:
            raise DataError(
                f"pitches {self.lowest_pitch}..{self.lowest_pitch + self.pitch_count - 1} "
                "lie outside MIDI's 0..127"
            )
        if self.tempo <= 0:
            raise DataError("tempo must be positive")

    @property
    def steps(self) -> int:
        return int(self.roll.shape[0])

    @property
    def pitch_count(self) -> int:
        return int(self.roll.shape[1])

    @property
    def duration_quarters(self) -> float:
        return self.steps / self.steps_per_quarter

    @property
    def duration_seconds(self) -> float:
        return self.duration_quarters * 60.0 / self.tempo


def fold_pitches(pitches: np.ndarray, lowest_pitch: int, pitch_count: int) -> np.ndarray:
    """Move pitches into [lowest, lowest + count) by whole octaves; -1 where none fits."""
    p = np.asarray(pitches, dtype=np.int64).copy()
    top = lowest_pitch + pitch_count - 1
    below = p < lowest_pitch
    p[below] += 12 * -(-(lowest_pitch - p[below]) // 12)
    above = p > top
    p[above] -= 12 * -(-(p[above] - top) // 12)
    # With fewer than 12 pitches an octave move can jump over the whole range.
    p[(p < lowest_pitch) | (p > top)] = -1
    return p


def roll_from_notes(
    pitch: np.ndarray,
    start_q: np.ndarray,
    end_q: np.ndarray,
    velocity: np.ndarray | None,
    *,
    steps_per_quarter: int = STEPS_PER_QUARTER,
    lowest_pitch: int = LOWEST_PITCH,
    pitch_count: int = PITCH_COUNT,
    use_velocity: bool = False,
    min_steps: int = 0,
) -> np.ndarray:
    """Rasterise notes given in quarter notes onto the grid (vectorised: 100k notes are quick).

    A note shorter than one step after rounding keeps one step, so zero-length notes and
    grace notes still sound; a note is on from its rounded onset to its rounded end.
    """
    pitch = fold_pitches(pitch, lowest_pitch, pitch_count)
    start = np.rint(np.asarray(start_q, dtype=np.float64) * steps_per_quarter).astype(np.int64)
    end = np.rint(np.asarray(end_q, dtype=np.float64) * steps_per_quarter).astype(np.int64)
    start = np.maximum(start, 0)
    end = np.maximum(end, start + 1)
    keep = pitch >= 0
    pitch, start, end = pitch[keep], start[keep], end[keep]
    steps = max(int(end.max()) if end.size else 0, min_steps)
    if steps > MAX_STEPS:
        raise DataError(
            f"piece is too long for a piano roll ({steps:,} steps; at most {MAX_STEPS:,})"
        )
    roll = np.zeros((steps, pitch_count), dtype=np.float32)
    if not pitch.size:
        return roll
    lengths = end - start
    total = int(lengths.sum())
    # Expand each note into its (step, pitch) cells without a Python loop.
    firsts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    rows = np.repeat(start, lengths) + (np.arange(total) - firsts)
    cols = np.repeat(pitch - lowest_pitch, lengths)
    if use_velocity and velocity is not None:
        vel = np.clip(np.asarray(velocity, dtype=np.float32)[keep] / 127.0, 0.0, 1.0)
        np.maximum.at(roll, (rows, cols), np.repeat(vel, lengths))
    else:
        roll[rows, cols] = 1.0
    return roll


def _quarters_at(pm, times: np.ndarray) -> np.ndarray:
    """Seconds → quarter notes through the file's tempo map (piecewise linear)."""
    change_times, qpm = pm.get_tempo_changes()
    if not len(change_times):
        change_times, qpm = np.array([0.0]), np.array([120.0])
    seg_q = np.concatenate([[0.0], np.cumsum(np.diff(change_times) * qpm[:-1] / 60.0)])
    i = np.clip(np.searchsorted(change_times, times, side="right") - 1, 0, None)
    return seg_q[i] + (times - change_times[i]) * qpm[i] / 60.0


def from_pretty_midi(
    pm,
    steps_per_quarter: int = STEPS_PER_QUARTER,
    lowest_pitch: int = LOWEST_PITCH,
    pitch_count: int = PITCH_COUNT,
    *,
    velocity: bool = False,
) -> PianoRoll:
    """Merge every pitched instrument of a ``pretty_midi.PrettyMIDI`` into one roll."""
    pitched = [inst for inst in pm.instruments if not inst.is_drum and inst.notes]
    arrays = [
        np.array([(n.pitch, n.start, n.end, n.velocity) for n in inst.notes], dtype=np.float64)
        for inst in pitched
    ]
    notes = np.concatenate(arrays) if arrays else np.zeros((0, 4))
    start_q = _quarters_at(pm, notes[:, 1])
    end_q = _quarters_at(pm, notes[:, 2])
    roll = roll_from_notes(
        notes[:, 0],
        start_q,
        end_q,
        notes[:, 3],
        steps_per_quarter=steps_per_quarter,
        lowest_pitch=lowest_pitch,
        pitch_count=pitch_count,
        use_velocity=velocity,
    )
    _, qpm = pm.get_tempo_changes()
    # Microseconds per quarter in the file give tempos like 99.99999; keep them readable.
    tempo = round(float(qpm[0]), 4) if len(qpm) else 120.0
    program = max(pitched, key=lambda inst: len(inst.notes)).program if pitched else 0
    return PianoRoll(roll, steps_per_quarter, lowest_pitch, tempo, program)


def note_runs(roll: np.ndarray, threshold: float = 0.0):
    """(pitch index, start step, end step) of each run of active steps, sorted by start."""
    active = np.asarray(roll) > threshold
    padded = np.zeros((active.shape[0] + 2, active.shape[1]), dtype=np.int8)
    padded[1:-1] = active
    edges = np.diff(padded, axis=0)
    on_step, on_pitch = np.nonzero(edges == 1)
    off_step, off_pitch = np.nonzero(edges == -1)
    # Sorting by (pitch, step) pairs each onset with its own offset.
    on = np.lexsort((on_step, on_pitch))
    off = np.lexsort((off_step, off_pitch))
    pitch, start, end = on_pitch[on], on_step[on], off_step[off]
    order = np.lexsort((pitch, start))
    return pitch[order], start[order], end[order]


def to_pretty_midi(piano_roll: PianoRoll, threshold: float = 0.0):
    """A one-instrument ``pretty_midi.PrettyMIDI``; adjacent active steps form one note."""
    import pretty_midi

    roll = piano_roll.roll
    pm = pretty_midi.PrettyMIDI(initial_tempo=float(piano_roll.tempo))
    inst = pretty_midi.Instrument(program=int(piano_roll.program))
    binary = bool(np.all((roll == 0) | (roll == 1)))
    seconds_per_step = 60.0 / piano_roll.tempo / piano_roll.steps_per_quarter
    for p, s, e in zip(*note_runs(roll, threshold), strict=True):
        if binary:
            vel = DEFAULT_VELOCITY
        else:
            vel = int(np.clip(round(float(roll[s:e, p].max()) * 127), 1, 127))
        inst.notes.append(
            pretty_midi.Note(
                velocity=vel,
                pitch=int(p) + piano_roll.lowest_pitch,
                start=float(s) * seconds_per_step,
                end=float(e) * seconds_per_step,
            )
        )
    pm.instruments.append(inst)
    return pm


def load_pretty_midi(path):
    """Parse a MIDI file, turning any parser failure into a one-line DataError."""
    import pretty_midi

    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise MidiFileError(path, f"cannot read: {exc.strerror or exc}") from None
    if not head:
        raise MidiFileError(path, "empty file")
    if head != b"MThd":
        raise MidiFileError(path, "not a MIDI file (no MThd header)")
    if os.path.getsize(path) > MAX_MIDI_BYTES:
        raise MidiFileError(
            path, f"larger than {MAX_MIDI_BYTES // 2**20} MiB, the limit for a piece"
        )
    try:
        with warnings.catch_warnings():
            # Meta events on non-zero tracks are common and harmless; pretty_midi warns.
            warnings.simplefilter("ignore", RuntimeWarning)
            return pretty_midi.PrettyMIDI(os.fspath(path))
    except Exception as exc:  # mido/pretty_midi raise many types for damaged files
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MidiFileError(path, f"corrupt MIDI ({detail})") from None


def read_midi(
    path,
    steps_per_quarter: int = STEPS_PER_QUARTER,
    lowest_pitch: int = LOWEST_PITCH,
    pitch_count: int = PITCH_COUNT,
    *,
    velocity: bool = False,
) -> PianoRoll:
    """Read a MIDI file into a piano roll (DataError for anything unreadable)."""
    return from_pretty_midi(
        load_pretty_midi(path), steps_per_quarter, lowest_pitch, pitch_count, velocity=velocity
    )


def write_midi(piano_roll: PianoRoll, path) -> None:
    """Write the roll as a standard MIDI file (atomically)."""
    pm = to_pretty_midi(piano_roll)
    try:
        fileio.atomic_write(path, lambda temp: pm.write(str(temp)))
    except OSError as exc:
        raise DataError(disk_message(path, exc, "write the MIDI file")) from None
