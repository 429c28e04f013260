"""How a model's samples read as music: time steps, pitches, the grid, tempo, instrument."""

from __future__ import annotations

from dataclasses import dataclass

from core.music.pianoroll import STEPS_PER_QUARTER


@dataclass(frozen=True)
class MusicGeometry:
    """``is_music`` False (and ``not_music`` saying why) when the samples are no piano roll.
    ``window_steps`` None: a sequence of any length."""

    is_music: bool
    not_music: str
    pitch_count: int
    window_steps: int | None
    steps_per_quarter: int
    lowest_pitch: int
    tempo: float
    program: int


def _not_music_reason(data: dict, shape: tuple, pitches) -> str:
    kind, source = data.get("kind"), data.get("source")
    if kind == "audio":
        return (
            f"this model was trained on spectral frames of sound ({source}), not piano rolls, "
            "so its output cannot be read as music"
        )
    if kind == "image" or source == "digits":
        what = "x".join(str(d) for d in shape)
        return (
            f"this model was trained on {source or 'image'} images ({what}), not piano "
            "rolls, so its output cannot be read as music"
        )
    if not pitches or len(shape) not in (1, 2):
        return f"the model's input {shape} is not a piano roll (time steps x pitches)"
    if len(shape) == 2 and shape[1] != pitches:
        return f"the model's input has {shape[1]} columns but the data {pitches} pitches"
    if len(shape) == 1 and (shape[0] is None or shape[0] % pitches):
        return (
            f"the model's flat input of {shape[0]} values is not a whole number of "
            f"time steps of {pitches} pitches"
        )
    return ""


def _window_steps(shape: tuple, pitches: int) -> int | None:
    if not pitches or len(shape) not in (1, 2):
        return None
    if len(shape) == 2:
        return shape[0]
    if shape[0] is None or shape[0] % pitches:
        return None
    return shape[0] // pitches


def read_geometry(data: dict, shape: tuple, project: dict | None) -> MusicGeometry:
    """The geometry of samples of ``shape`` from a run's ``data`` description."""
    pitches = data.get("pitch_count")
    if pitches is None and len(shape) == 2 and shape[1] is not None:
        pitches = shape[1]
    pitch_count = int(pitches or 0)
    reason = _not_music_reason(data, shape, pitch_count)
    is_music = not reason
    default_low = 21 if pitch_count == 88 else max(0, 60 - pitch_count // 2)
    low = data.get("lowest_pitch")
    lowest = int(default_low if low is None else low)
    if is_music and lowest + pitch_count > 128:
        lowest = max(0, 128 - pitch_count)
    generation = (project or {}).get("generation") or {}
    return MusicGeometry(
        is_music=is_music,
        not_music=reason,
        pitch_count=pitch_count,
        window_steps=_window_steps(shape, pitch_count) if not _is_image(data) else None,
        steps_per_quarter=int(data.get("steps_per_quarter") or STEPS_PER_QUARTER),
        lowest_pitch=lowest,
        tempo=float(generation.get("tempo") or 120.0),
        program=int(generation.get("program") or 0),
    )


def _is_image(data: dict) -> bool:
    return data.get("kind") == "image" or data.get("source") == "digits"
