"""The built-in additive synthesiser: in-tune, enveloped sound when FluidSynth is missing.

Each note is a few harmonics of equal-tempered pitch (A4 = 440 Hz) under an attack-decay-
sustain-release envelope; brighter notes lose their upper harmonics faster, like a plucked
string, which keeps chords from sounding like an organ of sine waves.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

HARMONICS = np.array([1.0, 0.5, 0.28, 0.16, 0.09, 0.05])
ATTACK_S, DECAY_S, SUSTAIN, RELEASE_S = 0.006, 0.25, 0.55, 0.12
SILENCE_S = 0.1  # what a piece without notes renders to
END_PAD_S = 0.05  # after the last release


def midi_to_hz(pitch) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


def _envelope(held: int, sr: int) -> np.ndarray:
    """Attack, decay to sustain while held, then release; length held + release samples."""
    a = max(int(ATTACK_S * sr), 1)
    d = max(int(DECAY_S * sr), 1)
    r = max(int(RELEASE_S * sr), 1)
    t = np.arange(held, dtype=np.float32)
    env = np.where(
        t < a, t / a, SUSTAIN + (1 - SUSTAIN) * np.exp(-np.maximum(t - a, 0) / (d / 3))
    ).astype(np.float32)
    level = env[-1] if held else 0.0
    tail = level * np.exp(-np.arange(r, dtype=np.float32) / (r / 5))
    return np.concatenate([env, tail])


def frames_for(notes, sample_rate: int) -> int:
    """How many frames :func:`synthesize` makes for ``notes`` (pitch, start s, end s, vel)."""
    if not notes:
        return int(SILENCE_S * sample_rate)
    end = max(n[2] for n in notes)
    return int((end + RELEASE_S + END_PAD_S) * sample_rate) + 1


def add_note(out: np.ndarray, pitch, start, stop, velocity, sample_rate: int) -> None:
    """Mix one note (pitch, start s, end s, velocity 1..127) into ``out``."""
    s = int(round(start * sample_rate))
    held = max(int(round((stop - start) * sample_rate)), 1)
    env = _envelope(held, sample_rate) * (velocity / 127.0)
    t = np.arange(len(env), dtype=np.float32) / np.float32(sample_rate)
    f0 = float(midi_to_hz(pitch))
    # float32 phase stays in tune: the phase of the fundamental is wrapped to one cycle
    # before the harmonics multiply it.
    phase = (2 * np.pi) * np.mod(np.arange(len(env), dtype=np.float64) * (f0 / sample_rate), 1.0)
    phase = phase.astype(np.float32)
    wave = np.zeros(len(env), np.float32)
    for k, amp in enumerate(HARMONICS, start=1):
        if k * f0 >= sample_rate / 2:
            break
        # Higher harmonics fade faster, and faster still for higher notes.
        fade = np.exp(t * np.float32(-k * f0 / 900.0))
        wave += np.float32(amp) * fade * np.sin(np.float32(k) * phase)
    seg = out[s : s + len(env)]
    seg += wave[: len(seg)] * env[: len(seg)]


def synthesize_into(
    notes, out: np.ndarray, sample_rate: int, chunk: int
) -> Generator[int, None, None]:
    """Mix ``notes`` into ``out`` (``frames_for`` long, zeros) in order of their starts,
    yielding how many leading frames are final whenever about ``chunk`` more are: a note
    never sounds before it starts, so every frame before the next start is done."""
    ready = 0
    for pitch, begin, end, velocity in sorted(notes, key=lambda n: n[1]):  # stable sort
        start = min(int(round(begin * sample_rate)), len(out))
        if start - ready >= chunk:
            ready = start
            yield ready
        add_note(out, pitch, begin, end, velocity, sample_rate)
    yield len(out)


def synthesize(notes, sample_rate: int = 44100) -> np.ndarray:
    """Mono float32 audio of (pitch, start s, end s, velocity 1..127) notes."""
    notes = list(notes)
    out = np.zeros(frames_for(notes, sample_rate), np.float32)
    for _ in synthesize_into(notes, out, sample_rate, len(out) + 1):
        pass
    return out
