"""Hearing a piece while it renders: the audio grows on a thread of its own, chunk by chunk,
and a player (``core.music.transport``) plays the frames already there.

A whole render is normalised to a fixed peak once it is done, which a stream cannot wait
for. It plays at a running gain instead: the first sounding chunk sets it, with some room
for louder passages, and a louder chunk later only ever lowers it, so nothing clips; the
finished audio (:meth:`RenderStream.audio`) is normalised exactly as ``render`` does, for
playing again and for export.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from core.limits import MAX_RENDER_SECONDS
from core.music.render import PEAK, STREAM_CHUNK, RenderPlan, normalise, plan

# Headroom the first sounding chunk leaves for what comes later (about 3 dB): a generated
# piece keeps much the same loudness throughout.
FIRST_CHUNK_HEADROOM = 1.4


class RenderStream:
    """A piece being rendered on its own thread into a buffer of its final length.

    ``data`` (frames × 1) holds what plays; its first ``ready`` frames are final. ``done``
    is set once rendering ended: finished, failed (``error`` says why in one line) or
    cancelled. The times (``perf_counter`` seconds) say how long the first chunk and the
    whole took.
    """

    def __init__(self, chosen: RenderPlan, chunk: int = STREAM_CHUNK):
        self.sample_rate = chosen.sample_rate
        self.renderer = chosen.renderer
        self.data = np.zeros((chosen.frames, 1), np.float32)
        self.ready = 0
        self.error: str | None = None
        self.done = threading.Event()
        self.started = time.perf_counter()
        self.first_chunk_at: float | None = None
        self.finished_at: float | None = None
        self._raw = np.zeros(chosen.frames, np.float32)
        self._final: np.ndarray | None = None
        self._level = 0.0  # the peak the running gain is set for
        self._cancelled = threading.Event()
        self._thread = threading.Thread(
            target=self._render, args=(chosen, chunk), name="render-stream", daemon=True
        )
        self._thread.start()

    def __len__(self) -> int:
        return len(self.data)

    @property
    def complete(self) -> bool:
        """No more frames will come (``ready`` is then the length that plays)."""
        return self.done.is_set()

    @property
    def finished(self) -> bool:
        """Rendered to the end without error."""
        return self.done.is_set() and self.ready == len(self.data) and self.error is None

    def cancel(self) -> None:
        """Stop rendering at the next chunk (the synthesiser is freed for the next piece)."""
        self._cancelled.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until rendering ended; True if it did within ``timeout`` seconds."""
        return self.done.wait(timeout)

    def audio(self) -> np.ndarray:
        """The whole piece normalised as ``render`` returns it (waits for the render)."""
        self.done.wait()
        if not self.finished or self._final is None:
            raise RuntimeError(self.error or "the render was cancelled")
        return self._final

    def _render(self, chosen: RenderPlan, chunk: int) -> None:
        steps = chosen.render_into(self._raw, chunk)
        try:
            for ready in steps:
                self._publish(ready)
                if self._cancelled.is_set():
                    break
            else:
                self._final = normalise(self._raw)
        except Exception as exc:  # the player plays what is there, the panel says why
            self.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
        finally:
            steps.close()
            self.finished_at = time.perf_counter()
            self.done.set()

    def _publish(self, ready: int) -> None:
        """Scale the new frames by the running gain, then let the player have them."""
        start = self.ready
        if ready <= start:
            return
        raw = self._raw[start:ready]
        peak = float(np.abs(raw).max())
        if self._level == 0.0:
            self._level = peak * FIRST_CHUNK_HEADROOM
        self._level = max(self._level, peak)
        if self._level > 0.0:
            np.multiply(raw, PEAK / self._level, out=self.data[start:ready, 0])
        if self.first_chunk_at is None:
            self.first_chunk_at = time.perf_counter()
        self.ready = ready  # after the frames are written: the audio thread reads this


def start_stream(
    roll_or_pm,
    sample_rate: int = 44100,
    soundfont=None,
    renderer: str | None = None,
    max_seconds: float = MAX_RENDER_SECONDS,
) -> tuple[RenderStream, str]:
    """Start rendering a PianoRoll or pretty_midi object (the arguments as ``render`` takes
    them); (the stream, the renderer's name) at once. A piece that cannot be rendered is a
    DataError here, before any thread starts."""
    stream = RenderStream(plan(roll_or_pm, sample_rate, soundfont, renderer, max_seconds))
    return stream, stream.renderer
