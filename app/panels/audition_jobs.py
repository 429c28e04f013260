"""Work the audition panel hands to a worker thread: loading a run for generation,
generating, rendering; and reading the pieces held by a training snapshot."""

from __future__ import annotations

import numpy as np

from app.workers.gate import TF_GATE
from core.catalog.generation import methods_taking


def load_model_info(run_or_model: str) -> dict:
    """Worker: load a run folder or .keras file for generation; what the panel needs to
    know about it."""
    from core.music import generation

    with TF_GATE.exclusive():  # never beside a training session's tracing
        gm = generation.load(run_or_model)
    info = {
        "methods": list(gm.methods),
        "why_not": gm.why_not,
        "tempo": gm.tempo,
        "program": gm.program,
        "code_size": None,
        "geometry": {
            "steps_per_quarter": gm.steps_per_quarter,
            "lowest_pitch": gm.lowest_pitch,
            "pitch_count": gm.pitch_count,
        },
    }
    if any(m in gm.methods for m in (*methods_taking("code"), "vae-interpolate")):
        try:
            with TF_GATE.exclusive():
                info["code_size"] = int(gm.code_size())
        except Exception:
            info["code_size"] = None
    return info


def generate(run_or_model: str, request):
    """Worker: one piece for a GenerationRequest."""
    from core.music import generation

    with TF_GATE.exclusive():
        return generation.generate(run_or_model, request)


def render(roll, sample_rate: int, soundfont: str | None = None):
    """Worker: (audio, renderer name), the audio a RenderStream that renders on its own
    thread and plays while it grows; a piece that cannot be rendered raises here."""
    from core.music.stream import start_stream

    return start_stream(roll, sample_rate, soundfont=soundfont)


def playable(audio):
    """What to play again: a finished stream's normalised audio, else the audio itself."""
    return audio.audio() if getattr(audio, "finished", False) else audio


def render_and_write(roll, sample_rate: int, path: str, soundfont: str | None = None):
    """Worker: render and write a WAV file; (path, renderer name, audio)."""
    from core.music.render import render as render_roll
    from core.music.render import write_wav

    audio, renderer = render_roll(roll, sample_rate, soundfont=soundfont)
    write_wav(audio, sample_rate, path)
    return path, renderer, audio


def representation(run_dir: str) -> dict:
    """Piano-roll geometry of a run: steps per quarter, lowest pitch, pitch count."""
    from core.errors import LayerwiseError
    from core.runs import RunFolder

    run = RunFolder(run_dir)
    rep: dict = {}
    for read in (run.read_summary, run.read_project_json):
        try:
            doc = read()
        except LayerwiseError:  # an unreadable document: the snapshot's own shape still plays
            doc = None
        if not doc:
            continue
        data = doc.get("data") or {}
        rep = dict(data.get("representation") or data)
        rep.setdefault("source", data.get("source"))
        if rep.get("steps_per_quarter") or rep.get("pitch_count"):
            break
    return rep


def _as_roll(x, count: int, window: int):
    """A snapshot row as a (steps, pitches) array, or None when it is a hidden code."""
    x = np.squeeze(x)
    if x.ndim == 1 and count and window and x.size == window * count:
        x = x.reshape(window, count)
    if x.ndim != 2 or (count and x.shape[1] != count):
        return None
    return x


def snapshot_pieces(path: str, run_dir: str) -> list:
    """PianoRolls (reconstructions, then inputs) held by a snapshot .npz of music data."""
    from core.music.pianoroll import LOWEST_PITCH, STEPS_PER_QUARTER, PianoRoll
    from core.runs import read_snapshot

    rep = representation(run_dir)
    spq = int(rep.get("steps_per_quarter") or STEPS_PER_QUARTER)
    low = int(rep.get("lowest_pitch") if rep.get("lowest_pitch") is not None else LOWEST_PITCH)
    count = int(rep.get("pitch_count") or 0)
    window = int(rep.get("window_steps") or 0)
    pieces = []
    arrays = read_snapshot(path)
    kind = str(arrays["sample_kind"]) if "sample_kind" in arrays else ""
    if kind == "image" or rep.get("source") == "digits":
        raise ValueError("this run learns images, not music: nothing to play")
    for key, label in (("reconstructions", "reconstruction"), ("inputs", "input")):
        if key not in arrays:
            continue
        for i, row in enumerate(np.asarray(arrays[key], np.float32)):
            x = _as_roll(row, count, window)
            if x is None:
                continue  # a hidden layer's code, not a piano roll
            if low + x.shape[1] > 128:
                low = max(0, 128 - x.shape[1])
            pieces.append((f"{label} {i + 1}", PianoRoll(np.clip(x, 0, 1), spq, low)))
    if not pieces:
        raise ValueError("this snapshot holds no piano rolls")
    return pieces
