"""Builders for MIDI test files, written with mido so the bytes are real files on disk."""

from __future__ import annotations

import mido

TPQ = 480


def write_midi_file(path, notes, *, tempos=((0, 120.0),), file_type=1, channel=0, program=0):
    """notes: (pitch, start quarter, end quarter[, velocity]); tempos: (quarter, bpm) pairs."""
    events = []
    for q, bpm in tempos:
        events.append((int(q * TPQ), 0, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))))
    for n in notes:
        pitch, start, end = n[:3]
        vel = n[3] if len(n) > 3 else 100
        # Offs sort before ons at one tick (repeated notes), except a zero-length note's own.
        off_order = 3 if end == start else 1
        events.append(
            (
                int(round(end * TPQ)),
                off_order,
                mido.Message("note_off", note=pitch, channel=channel),
            )
        )
        events.append(
            (
                int(round(start * TPQ)),
                2,
                mido.Message("note_on", note=pitch, velocity=vel, channel=channel),
            )
        )
    events.sort(key=lambda e: (e[0], e[1]))
    mid = mido.MidiFile(type=file_type, ticks_per_beat=TPQ)
    track = mido.MidiTrack()
    if file_type == 1:
        meta = mido.MidiTrack()
        notes_track = mido.MidiTrack()
        notes_track.append(mido.Message("program_change", program=program, channel=channel))
        for track_of, items in (
            (meta, [e for e in events if e[2].is_meta]),
            (notes_track, [e for e in events if not e[2].is_meta]),
        ):
            now = 0
            for tick, _, msg in items:
                track_of.append(msg.copy(time=tick - now))
                now = tick
        mid.tracks += [meta, notes_track]
    else:
        track.append(mido.Message("program_change", program=program, channel=channel))
        now = 0
        for tick, _, msg in events:
            track.append(msg.copy(time=tick - now))
            now = tick
        mid.tracks.append(track)
    mid.save(path)
    return path
