"""Where the window's event loop stalls: samples of the GUI thread's Python stack taken while
its heartbeat is late, grouped by stall, and the GUI thread's own CPU time in each stall.

A stall with little CPU time of the GUI thread was the machine (or another thread holding the
GIL); one with much was the window's own work, and the samples say whose.
"""

from __future__ import annotations

import collections
import sys
import threading
import time

OWN = ("/app/", "/pyqtgraph/", "/core/")  # frames worth naming in a sample


def frames_of(frame, depth: int = 6) -> tuple:
    """The innermost ``depth`` frames of the project or pyqtgraph, as 'file:function'."""
    names = []
    while frame is not None and len(names) < depth:
        path = frame.f_code.co_filename
        if any(part in path for part in OWN):
            short = path.split("/site-packages/")[-1].split("/soundspeed/")[-1]
            names.append(f"{short}:{frame.f_code.co_name}")
        frame = frame.f_back
    return tuple(names)


class StallTracer:
    """A thread that, while ``beat`` (a Heartbeat) is more than ``threshold_ms`` late,
    samples the main thread's stack every ``every_ms``."""

    def __init__(self, beat, threshold_ms: float = 12.0, every_ms: float = 2.0):
        self.beat = beat
        self.threshold = threshold_ms / 1000.0
        self.every = every_ms / 1000.0
        self.samples: dict[float, list] = collections.defaultdict(list)
        self._main = threading.main_thread().ident
        self._running = False

    def start(self) -> None:
        self._running = True
        threading.Thread(target=self._watch, daemon=True).start()

    def stop(self) -> None:
        self._running = False

    def _watch(self) -> None:
        while self._running:
            time.sleep(self.every)
            last = self.beat._last
            if not self.beat.recording or last is None:
                continue
            if time.perf_counter() - last > self.threshold:
                frame = sys._current_frames().get(self._main)
                self.samples[last].append(frames_of(frame) or ("(Qt, no Python frame)",))

    def report(self, top: int = 8, by: int = 1) -> list[dict]:
        """The ``top`` longest stalls (``by=2``: those where the GUI thread itself worked
        longest): how late, the GUI thread's CPU in them, what ran."""
        stalls = sorted(self.beat.stalls, key=lambda s: -s[by])[:top]
        out = []
        for started, late_ms, cpu_ms in stalls:
            counts = collections.Counter(self.samples.get(started, []))
            out.append(
                {
                    "late_ms": round(late_ms, 1),
                    "gui_cpu_ms": round(cpu_ms, 1),
                    "samples": [
                        {"n": n, "stack": list(stack)} for stack, n in counts.most_common(3)
                    ],
                }
            )
        return out
