"""The playback state machine, apart from any sound library so it can be tested alone.

An audio callback calls :meth:`Transport.fill` from its own thread; the GUI and the CLI call
the control methods and poll :attr:`Transport.position` from theirs. One lock guards the
state, and ``fill`` holds it only to copy one block.

The buffer may still be growing (a :class:`core.music.stream.RenderStream`: frames appear
at its ``ready`` count until it is ``complete``): the transport then plays what is there and
gives silence while it waits for more, so playback can start with the first rendered chunk.
"""

from __future__ import annotations

import threading

import numpy as np

STOPPED, PLAYING, PAUSED = "stopped", "playing", "paused"


class Transport:
    def __init__(self, audio=None, sample_rate: int = 44100, *, loop: bool = False):
        self._lock = threading.Lock()
        self._audio = np.zeros((0, 1), np.float32)
        self.sample_rate = int(sample_rate)
        self._frame = 0
        self._state = STOPPED
        self._loop = bool(loop)
        self._source = None  # a growing buffer's stream, None for a whole one
        self.starved = 0  # blocks given silence while a growing buffer caught up
        self.finished = threading.Event()  # set when playback reaches the end (not looping)
        self.on_finished = None  # optional callable, run on the audio thread: keep it short
        if audio is not None:
            self.load(audio, sample_rate)

    def load(self, audio, sample_rate: int) -> None:
        """Replace the buffer (frames, or frames × channels, or a stream whose ``data``
        grows) and rewind; stays stopped."""
        source = audio if hasattr(audio, "ready") else None
        audio = np.asarray(source.data if source is not None else audio, dtype=np.float32)
        if audio.ndim == 1:
            audio = audio[:, None]
        if audio.ndim != 2:
            raise ValueError("audio must be 1-D or (frames, channels)")
        with self._lock:
            self._audio = np.ascontiguousarray(audio)
            self._source = source
            self.starved = 0
            self.sample_rate = int(sample_rate)
            self._frame = 0
            self._state = STOPPED
            self.finished.clear()

    # Control, from any thread.
    def play(self) -> None:
        with self._lock:
            if self._frame >= len(self._audio):
                self._frame = 0
            self._state = PLAYING
            self.finished.clear()

    def pause(self) -> None:
        with self._lock:
            if self._state == PLAYING:
                self._state = PAUSED

    def resume(self) -> None:
        with self._lock:
            if self._state == PAUSED:
                self._state = PLAYING

    def stop(self, *, rewind: bool = True) -> None:
        """Stop; rewind unless told not to (a lost device leaves the playhead where it was)."""
        with self._lock:
            self._state = STOPPED
            if rewind:
                self._frame = 0

    def seek(self, seconds: float) -> None:
        with self._lock:
            frame = int(round(max(0.0, float(seconds)) * self.sample_rate))
            self._frame = min(frame, len(self._audio))

    @property
    def loop(self) -> bool:
        return self._loop

    @loop.setter
    def loop(self, value: bool) -> None:
        with self._lock:
            self._loop = bool(value)

    # Queries the GUI polls.
    @property
    def state(self) -> str:
        return self._state

    @property
    def position(self) -> float:
        """Playhead in seconds."""
        with self._lock:
            return self._frame / self.sample_rate

    @property
    def duration(self) -> float:
        return len(self._audio) / self.sample_rate

    @property
    def channels(self) -> int:
        return self._audio.shape[1]

    def _end(self) -> tuple[int, bool]:
        """(frames there to play, whether more will come)."""
        source = self._source
        if source is None:
            return len(self._audio), False
        complete = source.complete  # read first: once complete, ``ready`` is final
        return min(int(source.ready), len(self._audio)), not complete

    def fill(self, out: np.ndarray, frames: int | None = None) -> bool:
        """Write the next ``frames`` frames into ``out`` (frames × channels); silence when not
        playing. Returns False once playback has ended, so the caller can stop its stream."""
        frames = len(out) if frames is None else frames
        just_finished = False
        with self._lock:
            if self._state != PLAYING:
                out[:frames] = 0
                return self._state != STOPPED or not self.finished.is_set()
            written = 0
            total, growing = self._end()
            while written < frames:
                if self._frame >= total:
                    if growing:
                        self.starved += 1
                        out[written:frames] = 0  # more is being rendered: wait in silence
                        return True
                    if self._loop and total:
                        self._frame = 0
                    else:
                        break
                n = min(frames - written, total - self._frame)
                block = self._audio[self._frame : self._frame + n]
                # Mono fans out to every output channel; extra source channels are dropped.
                out[written : written + n] = (
                    block[:, : out.shape[1]] if out.ndim == 2 else block[:, 0]
                )
                written += n
                self._frame += n
            if written < frames:
                out[written:frames] = 0
                self._state = STOPPED
                self.finished.set()
                just_finished = True
        if just_finished and self.on_finished is not None:
            self.on_finished()
        return not just_finished
