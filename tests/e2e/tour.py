"""A scripted tour of the window's modes on a real X display (Xvfb), one screenshot a mode
and a window size.

python tests/e2e/tour.py OUT_DIR

At 1400×880 and at 1920×1080: an empty project (Build), a network being built (Build), a run
after a few epochs (Train), a finished run with a generated piece (Listen), and two runs side
by side (Compare). Writes OUT_DIR/<size>/<n>-<mode>.png and OUT_DIR/report.json with the
sizes of the main views in each shot; the pytest side checks them.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenario import pump, pump_until, unattended_dialogs, wait_until  # noqa: E402

SIZES = ((1400, 880), (1920, 1080))
EPOCHS_SCALE = float(os.environ.get("LAYERWISE_TOUR_EPOCHS_SCALE", "0.3"))
PIECES = int(os.environ.get("LAYERWISE_TOUR_PIECES", "6"))
VIEWS = ("lossPlot", "filterView", "reconstructionView")


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {"shots": {}, "errors": []}
    try:
        tour(out, report)
    except Exception:
        report["errors"].append(traceback.format_exc())
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    return 0 if not report["errors"] else 1


def shoot_at_every_size(app, window, out: Path, report: dict, name: str) -> None:
    """Resize to each size, let the layout settle, save the window and the view sizes."""
    from PySide6.QtWidgets import QWidget

    for width, height in SIZES:
        window.resize(width, height)
        pump_until(app, lambda w=width, h=height: window.size().toTuple() == (w, h), 5.0)
        pump(app, 0.6)
        if window.dashboard is not None:
            window.dashboard.flush()
        pump(app, 0.2)
        folder = out / f"{width}x{height}"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.png"
        if not window.grab().save(str(path), "PNG"):
            raise OSError(f"cannot save {path}")
        views = {}
        for view_name in VIEWS:
            view = window.findChild(QWidget, view_name)
            if view is not None and view.isVisible():
                views[view_name] = list(visible_size(view))
        report["shots"][f"{width}x{height}/{name}"] = {
            "path": str(path),
            "mode": window.mode.value,
            "window": [window.width(), window.height()],
            "views": views,
            "status": window.dashboard.status_label.text() if window.dashboard else "",
            "time": window.dashboard.time_label.text() if window.dashboard else "",
        }


def visible_size(widget) -> tuple[int, int]:
    """The part of ``widget`` inside every ancestor (a scroll area's viewport clips it)."""
    from PySide6.QtCore import QPoint, QRect

    window = widget.window()
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None:
        rect = rect.intersected(QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.width(), rect.height()


def start_window(app, out: Path, report: dict):
    from app.main_window import MainWindow

    window = MainWindow(None, dialogs=unattended_dialogs(report))
    window.resize(*SIZES[0])
    window.show()
    wait_until(app, lambda: window.started and window.dashboard is not None, 60, "the window")
    pump(app, 0.5)
    return window


def epochs_done(model) -> int:
    """Epochs finished in every phase so far."""
    return sum(len(next(iter(p.epochs.values()), ((), ()))[0]) for p in model.phases.values())


def train(app, window, *, pretraining: bool, scale: float, few_epochs=None) -> str:
    """Start a run; call ``few_epochs()`` once a few epochs are in; the run folder at the end."""
    dash = window.dashboard
    dash.epochs_scale = scale
    finished: list = []
    dash.runFinished.connect(finished.append)
    window.set_pretraining(pretraining)
    if not window.start_training():
        raise RuntimeError(f"training did not start: {window.last_message}")
    if few_epochs is not None:
        wait_until(
            app,
            lambda: finished or epochs_done(dash.state) >= 3,
            300,
            "a few epochs",
        )
        pump_until(app, lambda: bool(dash.state.snapshots) or bool(finished), 20)
        few_epochs()
    wait_until(app, lambda: bool(finished), 600, "the run to finish")
    dash.runFinished.disconnect(finished.append)
    return finished[0]


def generate_a_piece(app, audition) -> None:
    wait_until(
        app,
        lambda: (
            audition.method_combo.count() > 0 and audition.method_combo.currentText() != "loading…"
        ),
        120,
        "the run's generation methods",
    )
    for threshold in (0.3, 0.15, 0.05):
        audition.threshold_spin.setValue(threshold)
        before = len(audition.pieces)
        audition.generate_button.click()
        wait_until(app, lambda: len(audition.pieces) > before, 120, "a generated piece")  # noqa: B023
        if (audition.piece.roll > 0).sum() >= 8:
            break


def tour(out: Path, report: dict) -> None:
    from PySide6.QtWidgets import QApplication

    from app.style import style_sheet
    from core import project as project_io
    from core import templates

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setStyleSheet(style_sheet())  # as the launcher does
    report["platform"] = app.platformName()
    window = start_window(app, out, report)

    window.new_project()
    window.set_mode("build")
    shoot_at_every_size(app, window, out, report, "1-empty-project")

    project = templates.load("deephear")
    project.data["limit"] = PIECES
    project_file = out / "deephear-small.json"
    project_io.save(project, project_file)
    window.open_path(str(project_file))
    pump(app, 0.5)
    window.view.fit()
    shoot_at_every_size(app, window, out, report, "2-building")

    def at_a_few_epochs():
        report["mode_when_training"] = window.mode.value
        shoot_at_every_size(app, window, out, report, "3-training")

    first = train(app, window, pretraining=True, scale=EPOCHS_SCALE, few_epochs=at_a_few_epochs)
    report["time_after_finish"] = window.dashboard.time_label.text()
    window.set_mode("listen")
    generate_a_piece(app, window.audition)
    shoot_at_every_size(app, window, out, report, "4-listening")

    second = train(app, window, pretraining=False, scale=EPOCHS_SCALE / 2)
    if not window.compare_runs([first, second]):
        raise RuntimeError(f"the runs could not be compared: {window.last_message}")
    pump(app, 1.0)
    shoot_at_every_size(app, window, out, report, "5-comparing")
    report["runs"] = [first, second]
    window.close()
    pump(app, 0.3)


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
