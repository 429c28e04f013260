"""What a training run has shown so far, built from core's training events, with no Qt.

The dashboard and the twin view feed every event a session yields into a
:class:`ProgressModel` and draw from it: the run's state, each block's training state, the
curves of every phase, the latest snapshot of every block, and fraction done, elapsed time
and ETA. Nothing here imports Qt or pyqtgraph (an import contract checks it), so the whole
bookkeeping is tested with plain pytest and real event objects.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import Enum

from app.panels.dashboard.blocks import BlockState, BlockStates
from core.training.estimate import describe_seconds
from core.training.events import (
    BatchMetrics,
    EpochMetrics,
    Event,
    Failed,
    Finished,
    PhaseStarted,
    RunEstimate,
    Snapshot,
    StageProgress,
    Stopped,
)

ALL_PHASES = -1  # the phase picker's entry that shows every phase on one axis
MAIN_METRICS = ("reconstruction_error", "loss")  # the curve the all-phases view draws
BATCH_METRICS = ("loss", "reconstruction_error")  # averaged into the grey batch curve
NETWORK = "network"  # the snapshot key of a phase that trains the whole network
MAX_BATCH_POINTS = 4000  # a phase's batch curve; about a screen's width twice over


class RunStatus(Enum):
    IDLE = "idle"
    STARTING = "starting"  # the worker is loading TensorFlow; no phase yet
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"
    FAILED = "failed"

    @property
    def active(self) -> bool:
        return self in (RunStatus.STARTING, RunStatus.RUNNING, RunStatus.PAUSED)


class View(str, Enum):
    """The parts of the dashboard an event can change (what to redraw)."""

    STATUS = "status"
    CURVES = "curves"
    FILTERS = "filters"
    RECON = "recon"
    HIST = "hist"  # the histogram of hidden activations
    WEIGHTS = "weights"  # the histogram of weights (a plot of its own: drawn on its own tick)


SNAPSHOT_VIEWS = frozenset({View.FILTERS, View.RECON, View.HIST, View.WEIGHTS})
EVERY_VIEW = frozenset(View)


@dataclass
class PhaseCurves:
    """One phase's curves: epoch metrics by name, and the batch loss between epochs."""

    started: PhaseStarted
    epochs: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    batch_x: list[float] = field(default_factory=list)
    batch_y: list[float] = field(default_factory=list)

    def add_epoch(self, event: EpochMetrics) -> None:
        for name, value in event.metrics.items():
            try:
                y = float(value)
            except (TypeError, ValueError):
                continue
            xs, ys = self.epochs.setdefault(name, ([], []))
            xs.append(event.epoch + 1)
            ys.append(y)

    def add_batches(self, batches: Iterable[BatchMetrics]) -> None:
        """One point for a group of batches: the mean of their losses, at the last one.
        Past ``MAX_BATCH_POINTS`` the older points are merged in pairs, so a run of hours
        costs each redraw no more than a run of minutes."""
        batches = list(batches)
        losses = [float(v) for b in batches for k, v in b.metrics.items() if k in BATCH_METRICS]
        if batches and losses:
            last = batches[-1]
            steps = max(1, self.started.steps_per_epoch)
            self.batch_x.append(last.epoch + (last.step + 1) / steps)
            self.batch_y.append(sum(losses) / len(losses))
            if len(self.batch_x) > MAX_BATCH_POINTS:
                self._halve_batches()

    def _halve_batches(self) -> None:
        """Each pair of points (the newest kept alone when the count is odd) becomes one:
        the mean of their losses, at the later one's place."""
        xs, ys = self.batch_x, self.batch_y
        odd = len(xs) % 2
        head_x, head_y = xs[: len(xs) - odd], ys[: len(ys) - odd]
        self.batch_x = head_x[1::2] + xs[len(xs) - odd :]
        self.batch_y = [(a + b) / 2 for a, b in zip(head_y[0::2], head_y[1::2], strict=True)]
        self.batch_y += ys[len(ys) - odd :]

    def main_metric(self) -> str | None:
        return next((n for n in MAIN_METRICS if n in self.epochs), None)


@dataclass(frozen=True)
class CurveSpec:
    """One curve to draw. ``colour`` indexes the view's palette; validation is dashed."""

    key: str
    label: str | None  # None: no legend row
    colour: int
    dashed: bool
    xs: list[float]
    ys: list[float]


def phase_curve_specs(phase: PhaseCurves) -> list[CurveSpec]:
    """Every metric of one phase; a validation curve shares its training curve's colour."""
    names = sorted(phase.epochs, key=lambda n: (n.startswith("val_"), n))
    base = [n for n in names if not n.startswith("val_")]
    specs = []
    for name in names:
        stem = name.removeprefix("val_")
        colour = base.index(stem) if stem in base else len(base)
        xs, ys = phase.epochs[name]
        specs.append(CurveSpec(name, name, colour, name.startswith("val_"), xs, ys))
    return specs


def all_phases_curve_specs(
    phases: dict[int, PhaseCurves],
) -> tuple[list[CurveSpec], list[float], list[float]]:
    """Every phase on one epoch axis, each in its colour: its main loss, train and val;
    then the batch curve of all phases on that axis."""
    specs: list[CurveSpec] = []
    offset, batch_x, batch_y = 0, [], []
    for i in sorted(phases):
        phase = phases[i]
        main = phase.main_metric()
        for name in (main, f"val_{main}") if main else ():
            if name in phase.epochs:
                xs, ys = phase.epochs[name]
                dashed = name.startswith("val_")
                label = None if dashed else f"{i + 1}. {phase.started.name}"
                specs.append(
                    CurveSpec(f"{i}:{name}", label, i, dashed, [x + offset for x in xs], ys)
                )
        batch_x += [x + offset for x in phase.batch_x]
        batch_y += phase.batch_y
        offset += max(phase.started.epochs, len(phase.epochs.get(main, ((), ()))[0]))
    return specs, batch_x, batch_y


class ProgressModel:
    """One run as the dashboard shows it, filled by :meth:`feed` (GUI thread, no Qt).

    ``blocks`` are the blocks with weights (their states start "untrained");
    ``pretrained_lr_scale`` 0 means fine-tuning keeps pretrained blocks frozen.
    ``clock`` is injectable so tests control time.
    """

    def __init__(
        self,
        blocks: Iterable[str] = (),
        *,
        pretrained_lr_scale: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.status = RunStatus.IDLE
        self.blocks = BlockStates(blocks)
        self.pretrained_lr_scale = pretrained_lr_scale
        self.phases: dict[int, PhaseCurves] = {}
        self.current: PhaseStarted | None = None
        self.epoch = 0
        self.step = 0
        self.last_epoch: EpochMetrics | None = None
        self.last_epoch_at = 0.0
        self._elapsed_at_epoch = 0.0
        self.snapshots: dict[str, Snapshot] = {}  # block (or "network") -> latest
        self.last_snapshot: Snapshot | None = None
        self.samples_per_second: float | None = None
        self.final: Finished | Stopped | Failed | None = None
        self.stage: StageProgress | None = None  # a step around the phases, while it runs
        self.estimate: float | None = None  # seconds the whole run should take, said up front
        self.estimate_basis: str | None = None  # the session's probe, while no epoch tells
        self.selected_block: str | None = None
        self.follow_block = True  # the shown block follows the phase until a user picks one
        self._started_at = 0.0
        self._ended_at: float | None = None
        self._paused_at: float | None = None
        self._paused_total = 0.0

    # ---- the run's state ------------------------------------------------------------
    def begin(self) -> None:
        """The worker is starting: the clock runs from now, every block is untrained."""
        self.status = RunStatus.STARTING
        self._started_at = self.clock()
        self.estimate_basis = None
        self.blocks.reset(notify=True)

    def pause(self) -> None:
        if self.status.active and self.status is not RunStatus.PAUSED:
            self.status = RunStatus.PAUSED
            self._paused_at = self.clock()

    def resume(self) -> None:
        if self.status is RunStatus.PAUSED:
            self.status = RunStatus.RUNNING if self.current else RunStatus.STARTING
            if self._paused_at is not None:
                self._paused_total += self.clock() - self._paused_at
            self._paused_at = None

    def worker_ended(self) -> None:
        """The worker is gone; a run without a final event counts as stopped."""
        self.resume()
        if self.status.active:
            self.status = RunStatus.STOPPED
            self._ended_at = self.clock()

    @property
    def paused(self) -> bool:
        return self.status is RunStatus.PAUSED

    # ---- events ---------------------------------------------------------------------
    def feed(self, event: Event) -> frozenset[View]:
        """Take one event in; returns the views it changed."""
        if isinstance(event, BatchMetrics):
            return self.feed_batches((event,))
        if isinstance(event, StageProgress):
            self.stage = event
            return frozenset({View.STATUS})
        if isinstance(event, RunEstimate):
            if self.estimate is None:  # an earlier run like this one tells better
                self.estimate = self.elapsed() + event.seconds
                self.estimate_basis = event.basis
            return frozenset({View.STATUS})
        if isinstance(event, PhaseStarted):
            return self._phase_started(event)
        if isinstance(event, EpochMetrics):
            return self._epoch_ended(event)
        if isinstance(event, Snapshot):
            self.snapshots[event.block or NETWORK] = event
            self.last_snapshot = event
            return SNAPSHOT_VIEWS
        if isinstance(event, Finished | Stopped | Failed):
            return self._ended(event)
        return frozenset()  # a checkpoint changes nothing shown

    def feed_batches(self, batches: Iterable[BatchMetrics]) -> frozenset[View]:
        """A group of batch events (the worker coalesces them) as one curve point."""
        batches = tuple(batches)
        if not batches:
            return frozenset()
        last = batches[-1]
        phase = self.phases.get(last.phase)
        if phase is not None:
            phase.add_batches(batches)
        self.epoch, self.step = last.epoch, last.step + 1
        return frozenset({View.CURVES, View.STATUS})

    def _phase_started(self, event: PhaseStarted) -> frozenset[View]:
        previous, self.current = self.current, event
        self.stage = None
        self.phases[event.index] = PhaseCurves(event)
        self.epoch, self.step = event.start_epoch, 0
        if self.status is RunStatus.STARTING:
            self.status = RunStatus.RUNNING
        self.blocks.phase_started(previous, event, self.pretrained_lr_scale)
        if self.follow_block:  # fine-tuning: the first layer's data-shaped filters
            self.selected_block = event.block if event.kind == "pretrain" else NETWORK
        return frozenset({View.CURVES, View.STATUS, View.FILTERS})

    def _epoch_ended(self, event: EpochMetrics) -> frozenset[View]:
        phase = self.phases.get(event.phase)
        if phase is not None:
            phase.add_epoch(event)
        self.last_epoch = event
        self.last_epoch_at = self.clock()
        self._elapsed_at_epoch = self.elapsed()
        self.epoch, self.step = event.epoch + 1, 0
        self.samples_per_second = event.samples_per_second
        return frozenset({View.CURVES, View.STATUS})

    def _ended(self, event: Finished | Stopped | Failed) -> frozenset[View]:
        self.final = event
        self._ended_at = self.clock()
        self._paused_at = None
        pretrained = {p.started.block for p in self.phases.values() if p.started.kind == "pretrain"}
        if isinstance(event, Finished):
            self.status = RunStatus.FINISHED
            finetuned = any(p.started.kind != "pretrain" for p in self.phases.values())
            self.blocks.finish(self.current, finetuned)
            return EVERY_VIEW
        self.status = RunStatus.STOPPED if isinstance(event, Stopped) else RunStatus.FAILED
        self.blocks.abort(pretrained)
        return EVERY_VIEW

    # ---- what the views show --------------------------------------------------------
    def failed_block(self) -> str:
        """The block a failure names, else the block of the phase it failed in ("" if none)."""
        event = self.final
        if not isinstance(event, Failed):
            return ""
        if event.block:
            return event.block
        phase = self.phases.get(event.phase) if event.phase is not None else None
        return (phase.started.block or "") if phase is not None else ""

    def select_block(self, block: str | None) -> None:
        """Show ``block``'s snapshot; None follows the training phase again."""
        self.follow_block = block is None
        if block is not None:
            self.selected_block = block

    def shown_snapshot(self) -> Snapshot | None:
        """The selected block's latest snapshot, else the latest of any block."""
        if self.selected_block in self.snapshots:
            return self.snapshots[self.selected_block]
        return next(reversed(self.snapshots.values()), None)

    def curve_specs(self, phase: int | None) -> tuple[list[CurveSpec], list[float], list[float]]:
        """(curves, batch xs, batch ys) of one phase, or of all with ``ALL_PHASES``."""
        if phase == ALL_PHASES:
            return all_phases_curve_specs(self.phases)
        shown = self.phases.get(phase) if phase is not None else None
        if shown is None:
            return [], [], []
        return phase_curve_specs(shown), shown.batch_x, shown.batch_y

    def fraction(self) -> float:
        """How much of the whole run is done, 0..1: from the session's ETA when it gave
        one, else from the phase, epoch and step reached."""
        p = self.current
        if p is None:
            return 0.0
        if isinstance(self.final, Finished):
            return 1.0
        e = self.last_epoch
        if e is not None and e.eta is not None and e.elapsed + e.eta > 0:
            return min(1.0, e.elapsed / (e.elapsed + e.eta))
        within = 0.0
        if p.epochs:
            steps = max(1, p.steps_per_epoch)
            within = min(1.0, (self.epoch - p.start_epoch + self.step / steps) / p.epochs)
        return min(1.0, (p.index + within) / max(1, p.count))

    def elapsed(self) -> float:
        """Seconds the run has trained, pauses left out."""
        if self.status is RunStatus.IDLE:
            return 0.0
        now = self._ended_at if self._ended_at is not None else self._paused_at
        if now is None:
            now = self.clock()
        return now - self._started_at - self._paused_total

    def eta(self) -> float | None:
        """Seconds left: the session's last estimate, counted down since (pauses left out);
        before the first epoch, the estimate made before the start. None once a stopped or
        failed run is over, and when the countdown ran out but the run goes on (an ETA of
        0:00 that stays up says nothing true)."""
        if isinstance(self.final, Finished):
            return 0.0
        if self.final is not None or not self.status.active:
            return None
        e = self.last_epoch
        if e is None or e.eta is None:
            left = None if self.estimate is None else self.estimate - self.elapsed()
        else:
            left = e.eta - (self.elapsed() - self._elapsed_at_epoch)
        return None if left is None or left < 0 else left

    def phase_line(self) -> str | None:
        """What runs now, e.g. "Phase 1/3: pretrain rbm1 · epoch 2/10 · batch 40/90 ·
        1,200 samples/s", or the step around the phases ("Converting 37 of 400 chorales…");
        None before anything is known and after the end."""
        p = self.current
        if self.final is not None:
            return None
        if self.stage is not None:
            text = self.stage.text[:1].upper() + self.stage.text[1:] + "…"
            return text + (" (paused)" if self.paused else "")
        if p is None:
            return None
        epoch = min(self.epoch + 1, p.epochs) if p.epochs else 0
        text = f"Phase {p.index + 1}/{p.count}: {p.name} · epoch {epoch}/{p.epochs}"
        if self.step and p.steps_per_epoch:
            text += f" · batch {min(self.step, p.steps_per_epoch)}/{p.steps_per_epoch}"
        if self.samples_per_second:
            text += f" · {self.samples_per_second:,.0f} samples/s"
        if self.estimate_basis and self.estimate is not None and self.last_epoch is None:
            text += f" · {describe_seconds(self.estimate)} in all ({self.estimate_basis})"
        if self.paused:
            text += " (paused)"
        return text


__all__ = [
    "ALL_PHASES",
    "BlockState",
    "BlockStates",
    "CurveSpec",
    "PhaseCurves",
    "ProgressModel",
    "RunStatus",
    "View",
]
