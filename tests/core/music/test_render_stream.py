"""Rendering chunk by chunk and hearing a piece while it renders (core.music.stream)."""

import numpy as np
import pytest

from core.errors import DataError
from core.music import render as render_mod
from core.music.pianoroll import PianoRoll
from core.music.render import BUILTIN, FLUIDSYNTH, PEAK, plan, render
from core.music.stream import FIRST_CHUNK_HEADROOM, RenderStream, start_stream
from core.music.synth import synthesize

SR = 44100


def chorale(bars=4, seed=0):
    """About four notes at a time over ``bars`` bars at 120 bpm, 4 steps a quarter."""
    roll = (np.random.default_rng(seed).random((16 * bars, 48)) < 0.08).astype(np.float32)
    return PianoRoll(roll, 4, 36, tempo=120)


def steps(chosen, chunk):
    out = np.zeros(chosen.frames, np.float32)
    return out, list(chosen.render_into(out, chunk))


@pytest.mark.parametrize("renderer", [FLUIDSYNTH, BUILTIN])
def test_render_into_says_the_frames_done_chunk_by_chunk(renderer):
    chosen = plan(chorale(), SR, renderer=renderer)
    out, done = steps(chosen, 4096)
    assert done[-1] == chosen.frames == len(out)
    assert done == sorted(set(done)) and len(done) > chosen.frames // 8192
    gaps = np.diff([0, *done])
    # FluidSynth renders exactly a chunk at a time; the built-in synth at each next onset.
    assert gaps.max() <= (4096 if renderer == FLUIDSYNTH else 4096 + SR // 2)
    assert np.abs(out).max() > 0


def test_the_built_in_synth_chunked_is_the_whole_render():
    piece = chorale()
    chosen = plan(piece, SR, renderer=BUILTIN)
    out, _ = steps(chosen, 2048)
    np.testing.assert_array_equal(out, synthesize(chosen.notes, SR))
    audio, used = render(piece, SR, renderer=BUILTIN)
    assert used == BUILTIN
    np.testing.assert_allclose(audio, out * (PEAK / np.abs(out).max()), rtol=1e-6)


def test_fluidsynth_frames_fall_where_the_whole_render_puts_them():
    chosen = plan(chorale(), SR, renderer=FLUIDSYNTH)
    whole, _ = render(chorale(), SR, renderer=FLUIDSYNTH)
    assert len(whole) == chosen.frames
    # Chunked: the same length, the same envelope (FluidSynth's own output varies a little
    # from one render to the next, so compare the loudness per 50 ms).
    out, _ = steps(chosen, 1000)
    hop = SR // 20

    def envelope(a):
        a = a / np.abs(a).max()
        return np.sqrt(np.mean(a[: len(a) // hop * hop].reshape(-1, hop) ** 2, axis=1))

    assert np.abs(envelope(out) - envelope(whole)).max() < 0.1


@pytest.mark.parametrize("renderer", [FLUIDSYNTH, BUILTIN])
def test_a_stream_grows_to_the_normalised_piece(renderer):
    stream, used = start_stream(chorale(), SR, renderer=renderer)
    assert used == renderer and len(stream) == plan(chorale(), SR, renderer=renderer).frames
    assert stream.wait(60) and stream.finished and stream.error is None
    assert stream.ready == len(stream)
    played = stream.data[:, 0]
    assert 0.3 < np.abs(played).max() <= PEAK + 1e-6  # a running gain: never clipped
    final = stream.audio()
    assert final.shape == (len(stream),) and np.abs(final).max() == pytest.approx(PEAK)
    assert stream.first_chunk_at <= stream.finished_at
    if renderer == BUILTIN:  # deterministic: the final audio is render's, sample for sample
        np.testing.assert_array_equal(final, render(chorale(), SR, renderer=BUILTIN)[0])
        # What played differs from it only by the gain it played at, which only falls.
        loud = np.abs(final) > 0.1
        gains = played[loud] / final[loud]
        assert gains.min() >= 1 / FIRST_CHUNK_HEADROOM - 1e-5
        assert np.all(np.diff(gains) <= 1e-5)


def test_the_running_gain_only_falls_so_nothing_clips():
    roll = np.zeros((64, 48), np.float32)
    roll[0:8, 24] = 1  # one quiet note, then a loud cluster of twelve
    roll[32:40, 12:24] = 1
    stream, _ = start_stream(PianoRoll(roll, 4, 36, tempo=120), SR, renderer=BUILTIN)
    assert stream.wait(60) and stream.finished
    played = stream.data[:, 0]
    assert np.abs(played).max() <= PEAK + 1e-6
    alone = np.abs(played[: SR // 2]).max()
    assert alone > 0.3  # the first note was heard at a useful level...
    assert alone > np.abs(stream.audio()[: SR // 2]).max()  # ...louder than the whole's gain


def test_a_cancelled_stream_ends_early_and_frees_the_synthesiser():
    stream, _ = start_stream(chorale(bars=64), SR, renderer=FLUIDSYNTH)
    stream.cancel()
    assert stream.wait(30) and stream.complete and not stream.finished
    assert stream.ready < len(stream)
    with pytest.raises(RuntimeError, match="cancelled"):
        stream.audio()
    audio, _ = render(chorale(), SR, renderer=FLUIDSYNTH)  # the synthesiser is free again
    assert np.abs(audio).max() > 0.3


def test_a_failing_render_ends_the_stream_with_the_reason(monkeypatch):
    chosen = plan(chorale(), SR, renderer=BUILTIN)

    def broken(pitch, start, stop, velocity, sample_rate):
        raise MemoryError("no room for the note")

    monkeypatch.setattr("core.music.synth.add_note", lambda out, *note: broken(*note))
    stream = RenderStream(chosen)
    assert stream.wait(30) and stream.complete and not stream.finished
    assert stream.error == "MemoryError: no room for the note"


def test_a_piece_that_cannot_render_fails_before_any_thread(tmp_path):
    with pytest.raises(DataError, match="missing.sf2"):
        start_stream(chorale(), SR, soundfont=tmp_path / "missing.sf2")
    with pytest.raises(DataError, match="unknown renderer"):
        start_stream(chorale(), SR, renderer="theremin")
    assert render_mod.available_renderer() == FLUIDSYNTH  # a declared dependency
