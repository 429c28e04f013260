import numpy as np
import pretty_midi
import pytest
from midi_files import write_midi_file

from core.errors import DataError
from core.music.pianoroll import (
    PianoRoll,
    fold_pitches,
    from_pretty_midi,
    note_runs,
    read_midi,
    to_pretty_midi,
    write_midi,
)

# (pitch, start quarter, end quarter): rests between notes, dotted and short rhythms.
MELODY = [(60, 0, 1), (62, 1, 1.5), (64, 2, 4), (65, 4.5, 5.25), (67, 5.25, 5.5), (72, 6, 8)]


def _runs(roll):
    p, s, e = note_runs(roll.roll)
    return sorted(zip((p + roll.lowest_pitch).tolist(), s.tolist(), e.tolist(), strict=True))


def _expected(notes, spq=4):
    return sorted((p, int(a * spq), int(b * spq)) for p, a, b in notes)


@pytest.mark.parametrize("file_type", [0, 1])
def test_tempo_changes_keep_notes_on_the_beat_grid(tmp_path, file_type):
    path = write_midi_file(
        tmp_path / "t.mid",
        MELODY,
        tempos=((0, 90.0), (2, 140.0), (5, 60.0)),
        file_type=file_type,
    )
    roll = read_midi(path, steps_per_quarter=4, lowest_pitch=48, pitch_count=36)
    assert _runs(roll) == _expected(MELODY)
    assert roll.tempo == pytest.approx(90.0)


def test_midi_roll_midi_round_trip_keeps_pitches_onsets_durations(tmp_path):
    path = write_midi_file(tmp_path / "in.mid", MELODY, tempos=((0, 100.0), (3, 150.0)))
    roll = read_midi(path, 4, 48, 36)
    write_midi(roll, tmp_path / "out.mid")
    again = read_midi(tmp_path / "out.mid", 4, 48, 36)
    np.testing.assert_array_equal(roll.roll, again.roll)
    pm = pretty_midi.PrettyMIDI(str(tmp_path / "out.mid"))
    seconds_per_quarter = 60.0 / roll.tempo
    got = sorted(
        (n.pitch, n.start / seconds_per_quarter, n.end / seconds_per_quarter)
        for n in pm.instruments[0].notes
    )
    np.testing.assert_allclose(np.array(got), np.array(sorted(MELODY), float), atol=1e-6)


def test_adjacent_steps_join_into_one_note_and_gaps_split():
    roll = np.zeros((8, 12), np.float32)
    roll[0:3, 0] = 1
    roll[4:8, 0] = 1
    roll[2:6, 7] = 1
    pm = to_pretty_midi(PianoRoll(roll, 4, 60, tempo=120))
    notes = sorted((n.pitch, n.start, n.end) for n in pm.instruments[0].notes)
    np.testing.assert_allclose(notes, [(60, 0.0, 0.375), (60, 0.5, 1.0), (67, 0.25, 0.75)])


def test_velocity_roll_keeps_velocities():
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(0)
    inst.notes += [pretty_midi.Note(127, 60, 0.0, 0.5), pretty_midi.Note(40, 64, 0.5, 1.0)]
    pm.instruments.append(inst)
    roll = from_pretty_midi(pm, 4, 48, 36, velocity=True)
    assert roll.roll.max() == pytest.approx(1.0)
    assert roll.roll[4, 64 - 48] == pytest.approx(40 / 127)
    back = sorted((n.pitch, n.velocity) for n in to_pretty_midi(roll).instruments[0].notes)
    assert back == [(60, 127), (64, 40)]


def test_drums_are_ignored_and_out_of_range_pitches_fold_by_octaves():
    pm = pretty_midi.PrettyMIDI()
    drums = pretty_midi.Instrument(0, is_drum=True)
    drums.notes.append(pretty_midi.Note(100, 38, 0.0, 0.5))
    keys = pretty_midi.Instrument(0)
    keys.notes += [pretty_midi.Note(100, 30, 0.0, 0.5), pretty_midi.Note(100, 100, 0.5, 1.0)]
    pm.instruments += [drums, keys]
    roll = from_pretty_midi(pm, 4, 36, 48)
    pitches = {p for p, _, _ in _runs(roll)}
    assert pitches == {42, 76}  # 30 + 12, 100 - 24; the drum hit is gone
    assert fold_pitches(np.array([20, 50, 127]), 60, 5).tolist() == [-1, 62, -1]


def test_zero_length_note_keeps_one_step():
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(0)
    inst.notes.append(pretty_midi.Note(90, 60, 1.0, 1.0))
    pm.instruments.append(inst)
    assert _runs(from_pretty_midi(pm, 4, 48, 36)) == [(60, 8, 9)]


def test_properties_and_validation():
    roll = PianoRoll(np.zeros((32, 48)), steps_per_quarter=4, lowest_pitch=36, tempo=120)
    assert roll.roll.dtype == np.float32
    assert (roll.pitch_count, roll.duration_quarters, roll.duration_seconds) == (48, 8.0, 4.0)
    with pytest.raises(DataError):
        PianoRoll(np.zeros((4, 48)), lowest_pitch=100)
    with pytest.raises(DataError):
        PianoRoll(np.zeros(4))


def test_unreadable_files_raise_one_line_data_errors(tmp_path):
    (tmp_path / "text.mid").write_text("hello")
    (tmp_path / "empty.mid").write_bytes(b"")
    for name, words in [
        ("text.mid", "not a MIDI"),
        ("empty.mid", "empty"),
        ("none.mid", "cannot read"),
    ]:
        with pytest.raises(DataError, match=words) as info:
            read_midi(tmp_path / name)
        assert "\n" not in str(info.value)


def test_a_note_hours_away_is_refused_not_allocated():
    pm = pretty_midi.PrettyMIDI(initial_tempo=120)
    inst = pretty_midi.Instrument(0)
    inst.notes.append(pretty_midi.Note(90, 60, 10_000_000.0, 10_000_001.0))
    pm.instruments.append(inst)
    with pytest.raises(DataError, match="too long"):
        from_pretty_midi(pm)
