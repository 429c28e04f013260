"""Playback heard through a PulseAudio null sink: what is recorded must be what was played."""

import subprocess
import sys
import time

import numpy as np
import pytest
from midi_files import write_midi_file
from pulse_helpers import RATE, start_pulse, stop_pulse, use_server

pytestmark = pytest.mark.audio


def frame_peak_hz(audio, sr=RATE):
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(len(audio)), n=8 * len(audio)))
    freqs = np.fft.rfftfreq(8 * len(audio), 1 / sr)
    band = (freqs > 100) & (freqs < 2000)
    return freqs[band][np.argmax(spectrum[band])]


def peak_hz(audio, sr=RATE, frame_seconds=0.1):
    """The median of 100 ms frames' peaks. A loaded machine's sink underruns and drops
    bits of the recording; one FFT over the whole window smears those gaps into side
    lobes that can outweigh the note, while a median of frames outvotes them."""
    size = int(frame_seconds * sr)
    starts = range(0, len(audio) - size + 1, size // 2)
    peaks = [frame_peak_hz(audio[i : i + size], sr) for i in starts]
    return float(np.median(peaks)) if peaks else frame_peak_hz(audio, sr)


def cents(f, ref):
    return 1200 * np.log2(f / ref)


def tone(hz, seconds, amplitude=0.5):
    return (amplitude * np.sin(2 * np.pi * hz * np.arange(int(seconds * RATE)) / RATE)).astype(
        np.float32
    )


def test_a_tone_played_is_the_tone_recorded(pulse, recorder):
    from app.audio import AudioPlayer

    player = AudioPlayer()
    with recorder:
        player.play(tone(440.0, 1.0), RATE)
        assert player.wait(timeout=10)
    assert player.position == pytest.approx(1.0)
    player.stop()
    heard = recorder.sounding()
    assert 0.8 * RATE < len(heard) < 1.3 * RATE
    assert abs(cents(peak_hz(heard), 440.0)) < 10
    assert player.first_callback_latency is not None and player.first_callback_latency < 0.5


def test_a_rendered_piece_plays_its_notes_in_order(pulse, recorder):
    from app.audio import AudioPlayer
    from core.music.pianoroll import PianoRoll
    from core.music.render import render

    roll = np.zeros((8, 48), np.float32)
    roll[0:4, 69 - 36] = 1  # A4 for a second at 60 bpm
    roll[4:8, 72 - 36] = 1  # then C5
    audio, _ = render(PianoRoll(roll, 4, 36, tempo=60), RATE)
    player = AudioPlayer()
    with recorder:
        player.play(audio, RATE)
        assert player.wait(timeout=15)
    heard = recorder.sounding()
    first, second = (
        heard[int(0.1 * RATE) : int(0.9 * RATE)],
        heard[int(1.1 * RATE) : int(1.9 * RATE)],
    )
    assert abs(cents(peak_hz(first), 440.0)) < 15
    assert abs(cents(peak_hz(second), 523.2511)) < 15


def test_a_piece_plays_while_it_renders(pulse, recorder):
    from app.audio import AudioPlayer
    from core.music.pianoroll import PianoRoll
    from core.music.stream import start_stream

    roll = np.zeros((8, 48), np.float32)
    roll[0:4, 69 - 36] = 1  # A4 for a second at 60 bpm
    roll[4:8, 72 - 36] = 1  # then C5
    player = AudioPlayer()
    with recorder:
        stream, _ = start_stream(PianoRoll(roll, 4, 36, tempo=60), RATE)
        player.play(stream, RATE)  # at once: the callback waits in silence for each chunk
        assert player.wait(timeout=15)
    assert stream.finished and player.position == pytest.approx(len(stream) / RATE)
    assert player.first_audio_latency is not None and player.first_audio_latency < 0.5
    assert player.first_audio_latency >= player.first_callback_latency
    heard = recorder.sounding()
    first, second = (
        heard[int(0.1 * RATE) : int(0.9 * RATE)],
        heard[int(1.1 * RATE) : int(1.9 * RATE)],
    )
    assert abs(cents(peak_hz(first), 440.0)) < 15
    assert abs(cents(peak_hz(second), 523.2511)) < 15


def _until(condition, timeout=5.0):
    """Poll: a null sink may hold a new stream back for a moment before it takes audio."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_pause_resume_seek_and_stop_while_playing(pulse):
    from app.audio import AudioPlayer

    player = AudioPlayer()
    player.play(tone(330.0, 5.0, 0.2), RATE)
    assert _until(lambda: player.position > 0.1)
    assert player.playing and player.position < 5.0
    player.pause()
    held = player.position
    time.sleep(0.2)
    assert player.state == "paused" and player.position == held
    player.seek(4.0)
    player.resume()
    assert _until(lambda: player.position > 4.05)
    start = time.monotonic()
    player.stop()
    assert time.monotonic() - start < 1.0
    assert player.state == "stopped" and player.position == 0.0


def test_cli_play_plays_a_midi_file(pulse, recorder, tmp_path):
    mid = write_midi_file(tmp_path / "a4.mid", [(69, 0, 1)])  # one second of A4 at 120 bpm: 0.5 s
    with recorder:
        run = subprocess.run(
            [sys.executable, "-m", "app", "play", str(mid)],
            capture_output=True,
            text=True,
            timeout=60,
            env=pulse.env(),
        )
    assert run.returncode == 0, run.stderr
    heard = recorder.sounding()
    assert len(heard) > 0.3 * RATE, f"heard {len(heard) / RATE:.2f} s; {run.stderr[-500:]}"
    hz = peak_hz(heard[: int(0.4 * RATE)])
    assert abs(cents(hz, 440.0)) < 15, f"heard {hz:.1f} Hz over {len(heard) / RATE:.2f} s"


def test_no_output_device_is_a_clear_error(tmp_path):
    """With no sound server to reach, `layerwise play` says so in one line, exit 1."""
    mid = write_midi_file(tmp_path / "a4.mid", [(69, 0, 1)])
    env = {**subprocess.os.environ, "PULSE_SERVER": f"unix:{tmp_path}/no-server"}
    run = subprocess.run(
        [sys.executable, "-m", "app", "play", str(mid)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert "Traceback" not in run.stderr
    assert last.startswith("layerwise play:") and "audio output" in last


def test_unknown_device_and_missing_devices_raise_audio_unavailable(pulse, monkeypatch):
    import sounddevice as sd

    from app.audio import AudioPlayer, AudioUnavailable, list_output_devices

    assert any(d["default"] for d in list_output_devices())
    with pytest.raises(AudioUnavailable, match="no audio output device 'no such card'"):
        AudioPlayer(device="no such card").play(tone(440, 0.1), RATE)

    def no_devices(*args, **kwargs):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", no_devices)
    with pytest.raises(AudioUnavailable, match="no audio output device was found"):
        AudioPlayer().play(tone(440, 0.1), RATE)


def test_a_device_that_disappears_stops_playback_and_reports(pulse):
    """Unloading the only sink mid-play: the player stops and reports; nothing crashes."""
    from app.audio import AudioPlayer, AudioUnavailable

    lonely = start_pulse("vanishing")
    use_server(lonely.server)
    try:
        player = AudioPlayer()
        reported = []
        player.on_error = reported.append
        player.play(tone(440.0, 5.0, 0.2), RATE)
        time.sleep(0.3)
        module = next(
            line.split()[0]
            for line in lonely.pactl("list", "short", "modules").splitlines()
            if "module-null-sink" in line
        )
        lonely.pactl("unload-module", module)
        with pytest.raises(AudioUnavailable, match="audio device"):
            player.wait(timeout=10)
        assert player.state == "stopped" and reported
        player.stop()
    finally:
        use_server(pulse.server)
        stop_pulse(lonely)
