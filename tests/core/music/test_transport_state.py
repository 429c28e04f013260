import threading

import numpy as np

from core.music.transport import PAUSED, PLAYING, STOPPED, Transport


def _ramp(n=1000):
    return np.arange(n, dtype=np.float32) / n


def test_fill_plays_through_then_finishes_with_silence():
    t = Transport(_ramp(), 1000)
    done = []
    t.on_finished = lambda: done.append(True)
    t.play()
    out = np.empty((300, 2), np.float32)
    blocks = []
    while t.fill(out):
        blocks.append(out[:, 0].copy())
    blocks.append(out[:, 0].copy())
    played = np.concatenate(blocks)
    np.testing.assert_array_equal(played[:1000], _ramp())
    assert not played[1000:].any()
    np.testing.assert_array_equal(out[:, 0], out[:, 1])  # mono fans out to both channels
    assert t.state == STOPPED and t.finished.is_set() and done == [True]
    assert t.position == 1.0


def test_pause_resume_seek_and_stop():
    t = Transport(_ramp(), 1000)
    out = np.empty((100, 1), np.float32)
    t.fill(out)
    assert not out.any()  # stopped: silence
    t.play()
    t.fill(out)
    assert t.position == 0.1
    t.pause()
    assert t.state == PAUSED
    assert t.fill(out) and not out.any() and t.position == 0.1
    t.resume()
    t.seek(0.5)
    t.fill(out)
    assert out[0, 0] == np.float32(0.5) and t.position == 0.6
    t.stop()
    assert t.state == STOPPED and t.position == 0.0


def test_loop_wraps_around():
    t = Transport(_ramp(100), 100, loop=True)
    t.play()
    out = np.empty((250, 1), np.float32)
    assert t.fill(out)
    np.testing.assert_array_equal(out[:, 0], np.tile(_ramp(100), 3)[:250])
    assert t.state == PLAYING and not t.finished.is_set()
    assert abs(t.position - 0.5) < 1e-9


def test_fill_and_control_from_two_threads():
    t = Transport(np.ones(200_000, np.float32), 44100, loop=True)
    t.play()
    stop = threading.Event()

    def audio_thread():
        out = np.empty((256, 2), np.float32)
        while not stop.is_set():
            t.fill(out)

    worker = threading.Thread(target=audio_thread)
    worker.start()
    for i in range(2000):
        t.seek(i % 4)
        t.pause() if i % 3 else t.resume()
        assert 0 <= t.position <= t.duration
    stop.set()
    worker.join()


class Growing:
    """A buffer that grows as a RenderStream's does: ``ready`` frames, then ``complete``."""

    def __init__(self, frames: int):
        self.data = (np.arange(frames, dtype=np.float32) / frames)[:, None]
        self.ready = 0
        self.complete = False


def test_a_growing_buffer_plays_what_is_there_and_waits_in_silence():
    source = Growing(1000)
    t = Transport(source, 1000)
    assert t.duration == 1.0  # the length it will have
    t.play()
    out = np.empty((300, 1), np.float32)
    assert t.fill(out) and not out.any() and t.position == 0.0  # nothing rendered yet
    assert t.starved == 1 and t.state == PLAYING
    source.ready = 400
    assert t.fill(out)
    np.testing.assert_array_equal(out[:, 0], source.data[:300, 0])
    assert t.fill(out)  # 100 frames there, then silence until more come
    np.testing.assert_array_equal(out[:100, 0], source.data[300:400, 0])
    assert not out[100:].any() and t.position == 0.4 and t.state == PLAYING
    source.ready = 1000
    assert t.fill(out) and t.position == 0.7
    np.testing.assert_array_equal(out[:, 0], source.data[400:700, 0])
    source.complete = True
    assert t.fill(out)  # the last 300 frames
    np.testing.assert_array_equal(out[:, 0], source.data[700:, 0])
    assert not t.fill(out) and not out.any()  # and then it has ended
    assert t.state == STOPPED and t.finished.is_set()


def test_a_growing_buffer_cut_short_ends_where_it_stopped_and_loops_once_whole():
    source = Growing(1000)
    t = Transport(source, 1000)
    t.play()
    source.ready, source.complete = 250, True  # a render that failed or was cancelled
    out = np.empty((300, 1), np.float32)
    assert not t.fill(out)
    assert not out[250:].any() and t.state == STOPPED
    looped = Growing(100)
    t = Transport(looped, 100, loop=True)
    t.play()
    looped.ready = 100
    t.fill(out[:150])  # the end reached while more may come: no wrap yet
    assert t.position == 1.0 and not out[100:150].any()
    looped.complete = True
    t.fill(out[:150])
    np.testing.assert_array_equal(out[:150, 0], np.tile(looped.data[:, 0], 2)[:150])
    assert t.state == PLAYING
