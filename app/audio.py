"""Playing audio through the sound card: a sounddevice stream driving a core Transport.

Not a QObject: the window polls :attr:`AudioPlayer.position` on a timer, the CLI waits with
:meth:`AudioPlayer.wait`. sounddevice is imported on first use, so a machine without
PortAudio still opens the app and gets a clear :class:`AudioUnavailable` on Play.

:meth:`AudioPlayer.play` takes whole audio or a :class:`core.music.stream.RenderStream`
still rendering: the stream opens at once and sounds as soon as the first chunk is there.
"""

from __future__ import annotations

import contextlib
import threading
import time

import numpy as np

from core.errors import LayerwiseError
from core.music.transport import Transport

NO_DEVICE = (
    "no audio output device was found: connect speakers or headphones (or start the "
    "sound server, e.g. PulseAudio or PipeWire) and try again"
)


class AudioUnavailable(LayerwiseError):
    """No usable audio output; the message says what to do."""


def _sd():
    try:
        import sounddevice
    except OSError as exc:  # raised when the PortAudio library itself is missing
        raise AudioUnavailable(
            f"audio output needs the PortAudio library (Debian/Ubuntu: libportaudio2): {exc}"
        ) from None
    return sounddevice


def refresh_devices() -> None:
    """Make PortAudio look for devices again (it lists them once, when it starts)."""
    sd = _sd()
    sd._terminate()
    sd._initialize()


def list_output_devices() -> list[dict]:
    """Output devices: index, name, host API, channel count, and whether it is the default."""
    sd = _sd()
    try:
        devices = sd.query_devices()
        default = sd.default.device[1]
        apis = sd.query_hostapis()
    except sd.PortAudioError:
        return []
    return [
        {
            "index": i,
            "name": d["name"],
            "hostapi": apis[d["hostapi"]]["name"],
            "channels": d["max_output_channels"],
            "default": i == default,
        }
        for i, d in enumerate(devices)
        if d["max_output_channels"] > 0
    ]


_underrun_listeners: list = []


def add_underrun_listener(listener) -> None:
    """``listener()`` is called (on the audio thread) at the first buffer underrun of each piece
    any player plays: the window says so once in its status bar."""
    _underrun_listeners.append(listener)


def remove_underrun_listener(listener) -> None:
    with contextlib.suppress(ValueError):
        _underrun_listeners.remove(listener)


def _tell_underrun_listeners() -> None:
    for listener in list(_underrun_listeners):
        with contextlib.suppress(Exception):  # a report must never break the audio callback
            listener()


class AudioPlayer:
    """Plays one buffer at a time; play/pause/resume/stop/seek/loop from any thread."""

    def __init__(self, device=None, *, latency="low"):
        self.device = device  # index or name; None is the system default
        self.latency = latency
        self.transport = Transport()
        self.first_callback_latency: float | None = None  # seconds, play() → first callback
        # seconds, play() → the first callback that handed the piece's frames to the device
        self.first_audio_latency: float | None = None
        self.error: str | None = None  # set when the device fails during playback
        self.on_error = None  # optional callable(message), run on the audio thread
        self.underruns = 0  # output buffer underruns in the piece playing (the machine is busy)
        self._stream = None
        self._requested = 0.0
        self._lock = threading.Lock()

    def _output_device(self, sd):
        try:
            info = sd.query_devices(self.device, kind="output")
        except ValueError:
            if self.device is None:
                raise AudioUnavailable(NO_DEVICE) from None
            raise AudioUnavailable(f"no audio output device {self.device!r}") from None
        except sd.PortAudioError:
            raise AudioUnavailable(NO_DEVICE) from None
        if info["max_output_channels"] < 1:
            raise AudioUnavailable(NO_DEVICE)
        return info

    def play(self, audio, sample_rate: int, *, loop: bool | None = None) -> None:
        """Start playing ``audio`` (frames, frames × channels, or a RenderStream) from the
        beginning."""
        sd = _sd()
        self.stop()
        info = self._output_device(sd)
        if not hasattr(audio, "ready"):  # a stream grows in place: never copy it
            audio = np.asarray(audio, dtype=np.float32)
        channels = min(2, int(info["max_output_channels"]))
        self.transport.load(audio, sample_rate)
        if loop is not None:
            self.transport.loop = loop
        self.error = None
        self.underruns = 0
        self.first_callback_latency = None
        self.first_audio_latency = None
        self._requested = time.perf_counter()
        self.transport.play()
        try:
            stream = sd.OutputStream(
                samplerate=sample_rate,
                device=self.device,
                channels=channels,
                dtype="float32",
                latency=self.latency,
                callback=self._callback,
                finished_callback=self._stream_finished,
            )
            stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            self.transport.stop()
            raise AudioUnavailable(
                f"the audio output could not start ({exc}); {NO_DEVICE}"
            ) from None
        with self._lock:
            self._stream = stream

    def _callback(self, outdata, frames, _time, status) -> None:
        if getattr(status, "output_underflow", False):
            self.underruns += 1
            if self.underruns == 1:
                _tell_underrun_listeners()
        if self.first_callback_latency is None:
            self.first_callback_latency = time.perf_counter() - self._requested
        more = self.transport.fill(outdata, frames)
        if self.first_audio_latency is None and self.transport.position > 0:
            self.first_audio_latency = time.perf_counter() - self._requested
        if not more:
            raise _sd().CallbackStop

    def _stream_finished(self) -> None:
        # PortAudio ends a stream early when its device goes away: report, do not crash.
        if self.transport.state == "playing":
            self.transport.stop(rewind=False)
            self.error = "playback stopped: the audio device stopped responding or was removed"
            if self.on_error is not None:
                self.on_error(self.error)
            self.transport.finished.set()

    def pause(self) -> None:
        self.transport.pause()

    def resume(self) -> None:
        self.transport.resume()

    def seek(self, seconds: float) -> None:
        self.transport.seek(seconds)

    @property
    def loop(self) -> bool:
        return self.transport.loop

    @loop.setter
    def loop(self, value: bool) -> None:
        self.transport.loop = value

    @property
    def position(self) -> float:
        """Playhead in seconds: audio handed to the device, less what is still in its buffer."""
        position = self.transport.position
        stream = self._stream
        if stream is not None and self.transport.state == "playing":
            position = max(0.0, position - float(stream.latency))
        return position

    @property
    def state(self) -> str:
        return self.transport.state

    @property
    def playing(self) -> bool:
        return self.transport.state == "playing"

    def stop(self) -> None:
        """Stop, rewind and release the device."""
        with self._lock:
            stream, self._stream = self._stream, None
        self.transport.stop()
        if stream is not None:
            try:
                stream.abort(ignore_errors=True)
                stream.close(ignore_errors=True)
            except Exception:  # a vanished device can fail even its own teardown
                pass

    def wait(self, timeout: float | None = None) -> bool:
        """Block until playback ends; True if it ended. Raises AudioUnavailable on device loss."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.transport.finished.wait(0.05):
            with self._lock:
                stream = self._stream
            if stream is not None and not stream.active and self.transport.state == "playing":
                self._stream_finished()
            if deadline is not None and time.monotonic() > deadline:
                return False
        if self.error:
            raise AudioUnavailable(self.error)
        # Let the last block, already handed to PortAudio, leave the device before closing.
        with self._lock:
            stream = self._stream
        if stream is not None:
            end = time.monotonic() + 1.0
            while stream.active and time.monotonic() < end:
                time.sleep(0.01)
        return True

    def close(self) -> None:
        self.stop()
