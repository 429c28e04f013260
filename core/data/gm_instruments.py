"""The built-in ``gm-instruments`` set: short excerpts of the built-in Bach chorales' melodies
rendered by FluidSynth (pretty_midi's bundled General MIDI SoundFont, no download) with a few
General MIDI programs of each of seven instrument families, labelled by family.

The rendering is deterministic (each clip's tempo, loudness and transposition follow from
its piece and program) and kept in the cache as a folder of FLAC files, one subfolder per
family, which then loads as an audio folder (with its own cache of frames).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
from pathlib import Path

import numpy as np

from core.data import cache
from core.errors import DataError

VERSION = 1  # bump when the rendered clips change (part of the folder's name)
RATE = 16000
# Family → General MIDI programs (0-based) with the pitch each plays its melody around.
FAMILIES: dict[str, tuple[tuple[int, int], ...]] = {
    "bass": ((32, 40), (33, 41), (35, 39), (34, 43)),
    "brass": ((56, 67), (57, 53), (60, 58), (61, 60)),
    "guitar": ((24, 57), (25, 59), (26, 57), (27, 60)),
    "organ": ((16, 60), (19, 60), (20, 62), (18, 64)),
    "piano": ((0, 60), (1, 62), (4, 64), (2, 67)),
    "strings": ((40, 72), (41, 62), (42, 50), (48, 64)),
    "woodwind": ((68, 70), (71, 63), (73, 76), (70, 50)),
}


def plan(pieces: int = 12, programs: int = 4, seconds: float = 3.0) -> dict:
    """What a rendering holds; its digest names the cache folder."""
    if not 1 <= programs <= 4:
        raise DataError("gm-instruments renders 1 to 4 programs per family")
    return {"version": VERSION, "pieces": pieces, "programs": programs, "seconds": seconds}


def melodies(count: int) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(name, pitches, onsets, ends in quarter notes) of the top voice of the first
    ``count`` chorales of the built-in set."""
    from music21 import corpus as music21_corpus

    from core.data.corpus import piece_refs, stream_to_arrays

    found: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    for name, path, _number in piece_refs("bach-chorales"):
        if len(found) == count:
            break
        score = music21_corpus.parse(path)
        pitch, start, end, _velocity = stream_to_arrays(score.parts[0])
        if len(pitch):
            found.append((name.rsplit("/", 1)[-1], pitch, start, end))
    if len(found) < count:
        raise DataError(f"the corpus holds only {len(found)} chorales with a melody")
    return found


def clip_midi(melody, program: int, centre: int, piece: int, seconds: float):
    """A pretty_midi piece: the melody's first ``seconds``, on ``program``, around ``centre``."""
    import pretty_midi

    _name, pitch, start, end = melody
    quarter = 0.40 + 0.05 * (piece % 4)  # seconds per quarter note
    shift = centre - int(statistics.median(pitch)) + ((piece * 5 + program) % 5) - 2
    velocity = 70 + (piece * 7 + program) % 40
    midi = pretty_midi.PrettyMIDI()
    voice = pretty_midi.Instrument(program=program)
    first = float(start.min())
    for p, s, e in zip(pitch, start, end, strict=True):
        onset, stop = (float(s) - first) * quarter, (float(e) - first) * quarter
        if onset >= seconds:
            continue
        note = int(np.clip(p + shift, 0, 127))
        voice.notes.append(pretty_midi.Note(velocity, note, onset, min(stop, seconds)))
    midi.instruments.append(voice)
    return midi


def render_set(folder: Path, chosen: dict, progress=None) -> None:
    """Render every (family, program, piece) clip into ``folder``/family/NAME.flac."""
    import pretty_midi
    import soundfile

    tunes = melodies(chosen["pieces"])
    jobs = [
        (family, program, centre, k)
        for family, programs in FAMILIES.items()
        for program, centre in programs[: chosen["programs"]]
        for k in range(len(tunes))
    ]
    seconds = chosen["seconds"]
    with _Synthesiser() as synth:
        for i, (family, program, centre, k) in enumerate(jobs):
            if progress:
                progress(i, len(jobs), f"rendering {i + 1} of {len(jobs)} clips")
            audio = synth.render(clip_midi(tunes[k], program, centre, k, seconds), seconds)
            instrument = pretty_midi.program_to_instrument_name(program)
            name = "".join(c if c.isalnum() else "-" for c in instrument.lower()).strip("-")
            target = folder / family / f"{name}-{tunes[k][0]}.flac"
            target.parent.mkdir(parents=True, exist_ok=True)
            soundfile.write(str(target), audio, RATE)
    if progress:
        progress(len(jobs), len(jobs), "rendered")


class _Synthesiser:
    """A FluidSynth of its own, on one core, made afresh for each rendering of the set: the
    shared preview synthesiser keeps a little state from piece to piece (and its voices run
    on several cores), so the same clip could come out a few samples apart."""

    def __enter__(self) -> _Synthesiser:
        from core.music.render import FLUIDSYNTH, available_renderer, default_soundfont

        if available_renderer() != FLUIDSYNTH:
            raise DataError(
                "the gm-instruments set is rendered by FluidSynth, which is not available "
                "(install libfluidsynth and pyfluidsynth)"
            )
        import fluidsynth

        settings = {"synth.reverb.active": 0, "synth.chorus.active": 0, "synth.cpu-cores": 1}
        self.synth = fluidsynth.Synth(samplerate=float(RATE), **settings)
        self.font = self.synth.sfload(default_soundfont())
        if self.font < 0:
            self.synth.delete()
            raise DataError("FluidSynth cannot load the bundled General MIDI SoundFont")
        return self

    def __exit__(self, *exc_info) -> None:
        self.synth.delete()

    def render(self, midi, seconds: float) -> np.ndarray:
        """The first ``seconds`` of a one-instrument piece, mono, peak 0.9."""
        voice = midi.instruments[0]
        events = sorted(
            [(n.start, 1, n.pitch, n.velocity) for n in voice.notes]
            + [(n.end, 0, n.pitch, 0) for n in voice.notes]
        )
        self.synth.system_reset()
        self.synth.program_select(0, self.font, 0, voice.program)
        total, now, chunks = int(seconds * RATE), 0, []
        for time, on, pitch, velocity in events:
            at = min(int(round(time * RATE)), total)
            if at > now:
                chunks.append(self.synth.get_samples(at - now))
                now = at
            if on:
                self.synth.noteon(0, pitch, velocity)
            else:
                self.synth.noteoff(0, pitch)
        if total > now:
            chunks.append(self.synth.get_samples(total - now))
        stereo = np.concatenate(chunks).astype(np.float32)
        mono = stereo[0::2] + stereo[1::2]
        peak = float(np.max(np.abs(mono))) if mono.size else 0.0
        return mono * (0.9 / peak) if peak > 0 else mono


def folder_of(chosen: dict) -> Path:
    """Where the cache keeps a rendering of this plan."""
    digest = hashlib.sha1(json.dumps(chosen, sort_keys=True).encode()).hexdigest()[:12]
    return cache.cache_root() / "datasets" / f"gm-instruments-v{VERSION}-{digest}"


def rendered_folder(progress=None, **settings) -> Path:
    """The folder of rendered clips, rendered now when the cache does not hold it (into a
    temporary folder renamed when complete, so an interrupted rendering is never used)."""
    chosen = plan(**settings)
    folder = folder_of(chosen)
    if folder.is_dir():
        return folder
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        render_set(partial, chosen, progress)
        os.replace(partial, folder)
    except OSError as exc:
        if folder.is_dir():  # another process finished first
            return folder
        raise DataError(f"{folder}: cannot keep the rendered set ({exc.strerror})") from None
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder
