"""When the dashboard draws: the pacing of its views, with no Qt and a fake clock."""

from __future__ import annotations

from app.panels.dashboard.pacing import SNAPSHOT_ORDER, Pacer
from app.panels.dashboard.progress import SNAPSHOT_VIEWS, View


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def ticks(pacer: Pacer, clock: Clock, seconds: float, hz: float = 32.0, changed=()) -> list:
    """What a timer at ``hz`` draws over ``seconds`` while ``changed`` views keep changing."""
    drawn = []
    for _ in range(int(seconds * hz)):
        pacer.dirty.update(changed)
        view = pacer.take_view(finishing=False)
        if view is not None:
            drawn.append(view)
        clock.now += 1.0 / hz
    return drawn


def test_curves_and_snapshot_views_keep_to_their_rates_however_often_they_change():
    clock = Clock()
    pacer = Pacer(curves_hz=4, heavy_hz=2, clock=clock)  # times a binary fraction holds
    drawn = ticks(pacer, clock, 10.0, changed={View.CURVES, *SNAPSHOT_VIEWS})
    assert drawn.count(View.CURVES) == 40  # 4 a second, latest wins
    for view in SNAPSHOT_ORDER:
        assert drawn.count(view) == 20  # 2 rounds a second, each view once a round
    assert len(drawn) == 40 + 20 * len(SNAPSHOT_ORDER)  # other ticks: nothing but the status


def test_snapshot_views_are_drawn_one_a_tick_in_order():
    clock = Clock()
    pacer = Pacer(curves_hz=5, heavy_hz=2, clock=clock)
    pacer.dirty.update(SNAPSHOT_VIEWS)
    assert [pacer.take_view(finishing=False) for _ in range(5)] == [*SNAPSHOT_ORDER, None]
    # The two histograms are plots of their own, each repainted in its own turn.
    assert SNAPSHOT_ORDER[-2:] == (View.HIST, View.WEIGHTS)
    pacer.dirty.add(View.RECON)
    assert pacer.take_view(finishing=False) is None  # the last round was just now
    clock.now += 0.5
    assert pacer.take_view(finishing=False) is View.RECON


def test_a_finishing_run_draws_everything_at_once_and_the_status_while_running():
    clock = Clock()
    pacer = Pacer(curves_hz=5, heavy_hz=2, clock=clock)
    pacer.take_view(finishing=False)
    pacer.dirty.update({View.CURVES, View.HIST, View.FILTERS})
    assert pacer.take_view(finishing=False) is View.CURVES
    assert pacer.take_view(finishing=False) is View.FILTERS
    pacer.dirty.add(View.CURVES)
    assert pacer.take_view(finishing=True) is View.CURVES  # no waiting at the end
    assert pacer.take_view(finishing=True) is View.HIST
    assert pacer.take_view(finishing=True) is None and not pacer.dirty
    assert pacer.take_status(running=True)
    assert not pacer.take_status(running=False)
    pacer.dirty.update({View.STATUS, View.HIST, View.CURVES})
    assert pacer.take_status(running=False) and View.STATUS not in pacer.dirty
    assert pacer.take_all() == [View.CURVES, View.HIST] and not pacer.dirty
