"""Rendering piano rolls and MIDI to audio: FluidSynth when present, else the built-in synth.

FluidSynth is driven through pyfluidsynth directly (as ``pretty_midi.fluidsynth()`` does),
keeping one loaded synthesiser per SoundFont and sample rate: loading and creating it
again for every render costs more than rendering 16 bars.
"""

from __future__ import annotations

import math
import os
import threading
import wave
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np

from core import fileio
from core.errors import DataError
from core.limits import MAX_RENDER_SECONDS, disk_message
from core.music.pianoroll import PianoRoll, to_pretty_midi

FLUIDSYNTH = "fluidsynth"
BUILTIN = "built-in synthesiser"
PEAK = 0.9  # leave headroom so 16-bit output never clips
TAIL_S = 1.0  # room for FluidSynth's release and reverb after the last note
STREAM_CHUNK = 4096  # frames (about 93 ms at 44.1 kHz) a stream waits for at most

_synths: dict = {}
_synth_lock = threading.Lock()


def _fluidsynth_module():
    try:
        import fluidsynth  # pyfluidsynth; loads libfluidsynth at import
    except (ImportError, OSError):
        return None
    return fluidsynth if hasattr(fluidsynth, "Synth") else None


def available_renderer() -> str:
    """Which renderer ``render`` will use: "fluidsynth" or "built-in synthesiser"."""
    return FLUIDSYNTH if _fluidsynth_module() is not None else BUILTIN


def default_soundfont() -> str:
    """pretty_midi's bundled General MIDI SoundFont (TimGM6mb.sf2)."""
    import pretty_midi

    return os.path.join(os.path.dirname(pretty_midi.__file__), "TimGM6mb.sf2")


def _synth(soundfont: str, sample_rate: int):
    key = (os.path.abspath(soundfont), sample_rate)
    if key not in _synths:
        fluidsynth = _fluidsynth_module()
        # Reverb and chorus cost ~25% of the render time for little audible benefit on a
        # preview; a second core renders voices in parallel.
        settings = {
            "synth.reverb.active": 0,
            "synth.chorus.active": 0,
            "synth.cpu-cores": max(1, min(4, os.cpu_count() or 1)),
        }
        synth = fluidsynth.Synth(samplerate=float(sample_rate), **settings)
        sfid = synth.sfload(soundfont)
        if sfid < 0:
            synth.delete()
            raise DataError(f"{soundfont}: FluidSynth cannot load this SoundFont")
        _synths[key] = (synth, sfid)
    return _synths[key]


def warm_up(sample_rate: int = 44100, soundfont=None) -> str:
    """Load the synthesiser and SoundFont now (on a worker, at start-up) so the first
    render costs no more than the rest. Returns the renderer that will be used."""
    if available_renderer() == FLUIDSYNTH:
        sf2 = os.fspath(soundfont) if soundfont else default_soundfont()
        if os.path.isfile(sf2):
            with _synth_lock:
                _synth(sf2, sample_rate)
    return available_renderer()


def _events(pm):
    """(time s, order, channel, pitch, velocity): note-offs sort before note-ons at a time."""
    events, programs, channel = [], [], 0
    for inst in pm.instruments:
        if inst.is_drum:
            ch = 9
        else:
            ch = channel % 16
            if ch == 9:
                channel += 1
                ch = channel % 16
            channel += 1
        programs.append((ch, inst.program, inst.is_drum))
        for n in inst.notes:
            events.append((n.start, 1, ch, n.pitch, n.velocity))
            events.append((max(n.end, n.start), 0, ch, n.pitch, 0))
    events.sort()
    return events, programs


def _fluidsynth_frames(events, sample_rate: int) -> int:
    """The frames FluidSynth renders: up to the last event, then the release tail."""
    last = int(round(events[-1][0] * sample_rate)) if events else 0
    return max(last, 0) + int(TAIL_S * sample_rate)


def _render_fluidsynth_into(
    events, programs, out: np.ndarray, sample_rate: int, soundfont: str, chunk: int
) -> Generator[int, None, None]:
    """Render into ``out`` (mono: the left and right channels summed), yielding the frames
    done at least every ``chunk`` frames and at the end. The synthesiser stays locked until
    the generator ends or is closed; either way it is left reset for the next piece."""
    with _synth_lock:
        synth, sfid = _synth(soundfont, sample_rate)
        synth.system_reset()
        try:
            for ch, program, drum in programs:
                synth.program_select(ch, sfid, 128 if drum else 0, program)
            now, told = 0, 0
            for at, on, ch, pitch, velocity in [
                (int(round(e[0] * sample_rate)), *e[1:]) for e in events
            ] + [(len(out), 1, None, 0, 0)]:
                while now < at:
                    # Splitting a span of samples changes nothing FluidSynth makes: events
                    # still fall on the same frames.
                    n = min(at, told + chunk) - now
                    stereo = synth.get_samples(n)
                    np.add(stereo[0::2], stereo[1::2], out=out[now : now + n], dtype=np.float32)
                    now += n
                    if now - told >= chunk or now == len(out):
                        told = now
                        yield now
                if ch is None:
                    break
                if on:
                    synth.noteon(ch, pitch, velocity)
                else:
                    synth.noteoff(ch, pitch)
        finally:
            synth.system_reset()


@dataclass(frozen=True)
class RenderPlan:
    """A piece checked and ready to render: which renderer, how many frames, and what to
    play. :meth:`render_into` fills a buffer chunk by chunk (for streaming); ``render``
    runs it to the end in one go."""

    renderer: str
    sample_rate: int
    frames: int
    notes: tuple  # built-in: (pitch, start s, end s, velocity)
    events: tuple = ()  # FluidSynth: (time s, order, channel, pitch, velocity)
    programs: tuple = ()  # FluidSynth: (channel, program, is drum)
    soundfont: str = ""

    def render_into(self, out: np.ndarray, chunk: int = STREAM_CHUNK) -> Generator[int, None, None]:
        """Write the raw (unnormalised) audio into ``out`` (``frames`` zeros), yielding how
        many leading frames are final, at least every ``chunk`` frames; the last is
        ``frames``."""
        if self.renderer == FLUIDSYNTH:
            return _render_fluidsynth_into(
                self.events, self.programs, out, self.sample_rate, self.soundfont, chunk
            )
        from core.music.synth import synthesize_into

        return synthesize_into(self.notes, out, self.sample_rate, chunk)


def plan(
    roll_or_pm,
    sample_rate: int = 44100,
    soundfont=None,
    renderer: str | None = None,
    max_seconds: float = MAX_RENDER_SECONDS,
) -> RenderPlan:
    """Check a PianoRoll or pretty_midi object for rendering (the arguments as ``render``
    takes them); DataError before any audio is made."""
    pm = to_pretty_midi(roll_or_pm) if isinstance(roll_or_pm, PianoRoll) else roll_or_pm
    check_length(pm, max_seconds)
    chosen = renderer or available_renderer()
    if chosen not in (FLUIDSYNTH, BUILTIN):
        raise DataError(f"unknown renderer {chosen!r}")
    if chosen == FLUIDSYNTH:
        if _fluidsynth_module() is None:
            raise DataError("FluidSynth is not available (install libfluidsynth and pyfluidsynth)")
        sf2 = os.fspath(soundfont) if soundfont else default_soundfont()
        if not os.path.isfile(sf2):
            raise DataError(f"{sf2}: no such SoundFont file")
        events, programs = _events(pm)
        frames = _fluidsynth_frames(events, sample_rate)
        return RenderPlan(FLUIDSYNTH, sample_rate, frames, (), tuple(events), tuple(programs), sf2)
    from core.music.synth import frames_for

    notes = tuple(
        (n.pitch, n.start, n.end, n.velocity)
        for inst in pm.instruments
        if not inst.is_drum
        for n in inst.notes
    )
    return RenderPlan(BUILTIN, sample_rate, frames_for(notes, sample_rate), notes)


def normalise(audio: np.ndarray) -> np.ndarray:
    """Scale to a fixed peak (in place: buffers here are tens of megabytes)."""
    audio = audio.astype(np.float32, copy=False)
    peak = max(float(audio.max()), -float(audio.min())) if audio.size else 0.0
    if peak > 0:
        audio *= PEAK / peak
    return audio


def check_length(pm, max_seconds: float = MAX_RENDER_SECONDS) -> float:
    """The piece's length in seconds; DataError before any audio is made when it is longer
    than ``max_seconds`` (a slow tempo can stretch a tiny file to hours of audio)."""
    ends = [n.end for inst in pm.instruments for n in inst.notes]
    length = max(ends, default=0.0)
    if not math.isfinite(length) or length > max_seconds:
        shown = f"{length / 60:.0f} minutes" if math.isfinite(length) else "an endless length"
        raise DataError(
            f"the piece lasts {shown}, more than the {max_seconds / 60:g}-minute limit for "
            "rendering (--max-seconds sets it)"
        )
    return length


def render(
    roll_or_pm,
    sample_rate: int = 44100,
    soundfont=None,
    renderer: str | None = None,
    max_seconds: float = MAX_RENDER_SECONDS,
):
    """(mono float32 audio in -1..1, renderer name) for a PianoRoll or pretty_midi object.

    ``renderer`` forces one ("fluidsynth" or "built-in synthesiser"); by default FluidSynth
    is used when available. A ``soundfont`` (.sf2) replaces the bundled General MIDI one.
    A piece longer than ``max_seconds`` is refused before rendering. To hear a piece while
    it renders, see :mod:`core.music.stream`.
    """
    chosen = plan(roll_or_pm, sample_rate, soundfont, renderer, max_seconds)
    out = np.zeros(chosen.frames, np.float32)
    for _ in chosen.render_into(out, chunk=max(chosen.frames, 1)):
        pass
    return normalise(out), chosen.renderer


def write_wav(audio: np.ndarray, sample_rate: int, path) -> None:
    """16-bit PCM WAV (mono, or channels in the second axis), written atomically."""
    audio = np.asarray(audio, dtype=np.float32)
    channels = 1 if audio.ndim == 1 else audio.shape[1]
    pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")

    def write(tmp):
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(channels)
            w.setsampwidth(2)
            w.setframerate(int(sample_rate))
            w.writeframes(pcm.tobytes())

    try:
        fileio.atomic_write(path, write)
    except OSError as exc:
        raise DataError(disk_message(path, exc, "write the audio")) from None
