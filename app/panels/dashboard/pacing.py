"""When the dashboard draws what changed, with no Qt: the cheap status line at every tick of
its timer, the loss plot at most ``curves_hz`` times a second, and the costly snapshot views
(filters, reconstructions, histograms) at most ``heavy_hz`` times a second and one of them per
tick, so their repaints spread out and a fast stream of events never floods the event loop.
Whatever changed in between is drawn once, from the latest state (latest wins)."""

from __future__ import annotations

import time
from collections.abc import Callable

from app.panels.dashboard.progress import View

# Drawn one per tick, in this order: each is repainted in its own event-loop turn.
SNAPSHOT_ORDER = (View.FILTERS, View.RECON, View.HIST, View.WEIGHTS)


class Pacer:
    """The views waiting to be drawn (``dirty``) and which one a tick draws."""

    def __init__(
        self, curves_hz: float, heavy_hz: float, clock: Callable[[], float] = time.monotonic
    ):
        self.curves_every = 1.0 / curves_hz
        self.heavy_every = 1.0 / heavy_hz
        self.clock = clock
        self.dirty: set[View] = set()
        self._last_curves = -1e9
        self._last_heavy = -1e9
        self._round: list[View] = []  # the snapshot views still to draw in this round

    def take_status(self, running: bool) -> bool:
        """Whether this tick draws the status strip (always while a run goes on)."""
        due = View.STATUS in self.dirty or running
        self.dirty.discard(View.STATUS)
        return due

    def take_view(self, finishing: bool) -> View | None:
        """The one plot view this tick draws, if any is due; a finishing run draws each
        at once."""
        now = self.clock()
        if View.CURVES in self.dirty and (
            finishing or now - self._last_curves >= self.curves_every
        ):
            self.dirty.discard(View.CURVES)
            self._last_curves = now
            return View.CURVES
        if not self._round and (finishing or now - self._last_heavy >= self.heavy_every):
            # A round: the snapshot views waiting now, one a tick; what changes meanwhile
            # waits for the next round, however often snapshots come.
            self._round = [v for v in SNAPSHOT_ORDER if v in self.dirty]
            if self._round:
                self._last_heavy = now
        while self._round:
            view = self._round.pop(0)
            if view in self.dirty:
                self.dirty.discard(view)
                return view
        return None

    def take_all(self) -> list[View]:
        """Every plot view waiting, in drawing order (a user's choice, or a test)."""
        views = [v for v in (View.CURVES, *SNAPSHOT_ORDER) if v in self.dirty]
        self.dirty.clear()
        self._round.clear()
        return views
