"""The built-in additive synthesiser: in-tune, enveloped sound when FluidSynth is missing.

Each note is a few harmonics of equal-tempered pitch (A4 = 440 Hz) under an attack-decay-
sustain-release envelope; brighter notes lose their upper harmonics faster, like a plucked
string, which keeps chords from sounding like an organ of sine waves.
"""

from __future__ import annotations

import numpy as np

HARMONICS = np.array([1.0, 0.5, 0.28, 0.16, 0.09, 0.05])
ATTACK_S, DECAY_S, SUSTAIN, RELEASE_S = 0.006, 0.25, 0.55, 0.12


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


def synthesize(notes, sample_rate: int = 44100) -> np.ndarray:
    """Mono float32 audio of (pitch, start s, end s, velocity 1..127) notes."""
    notes = list(notes)
    if not notes:
        return np.zeros(int(0.1 * sample_rate), np.float32)
    end = max(n[2] for n in notes)
    out = np.zeros(int((end + RELEASE_S + 0.05) * sample_rate) + 1, np.float32)
    nyquist = sample_rate / 2
    for pitch, start, stop, velocity in notes:
        s = int(round(start * sample_rate))
        held = max(int(round((stop - start) * sample_rate)), 1)
        env = _envelope(held, sample_rate) * (velocity / 127.0)
        t = np.arange(len(env), dtype=np.float32) / np.float32(sample_rate)
        f0 = float(midi_to_hz(pitch))
        # float32 phase stays in tune: the phase of the fundamental is wrapped to one cycle
        # before the harmonics multiply it.
        phase = (2 * np.pi) * np.mod(
            np.arange(len(env), dtype=np.float64) * (f0 / sample_rate), 1.0
        )
        phase = phase.astype(np.float32)
        wave = np.zeros(len(env), np.float32)
        for k, amp in enumerate(HARMONICS, start=1):
            if k * f0 >= nyquist:
                break
            # Higher harmonics fade faster, and faster still for higher notes.
            fade = np.exp(t * np.float32(-k * f0 / 900.0))
            wave += np.float32(amp) * fade * np.sin(np.float32(k) * phase)
        seg = out[s : s + len(env)]
        seg += wave[: len(seg)] * env[: len(seg)]
    return out
