"""The end-to-end scenario, run in its own process on a real X display (Xvfb).

python tests/e2e/scenario.py OUT_DIR

Opens the real MainWindow on a small DeepHear project, trains it with every live view on,
opens the run in the audition panel, generates a piece and plays it through the default
PulseAudio sink while parec records the sink's monitor, exports MIDI / WAV / PNG, and saves
a screenshot of each screen. Writes OUT_DIR/report.json; the pytest side checks it.

A separate process because the test session's QApplication is offscreen, and a window on
Xvfb needs the xcb platform from the start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.self_test import pump, wait_until  # noqa: E402
from app.self_test import unattended_dialogs as answers_for  # noqa: E402

EPOCHS_SCALE = float(os.environ.get("LAYERWISE_E2E_EPOCHS_SCALE", "0.25"))
PIECES = int(os.environ.get("LAYERWISE_E2E_PIECES", "8"))


def main(out: Path) -> int:
    import faulthandler
    import signal

    faulthandler.register(signal.SIGUSR1, all_threads=True)  # stacks on demand, if it hangs
    out.mkdir(parents=True, exist_ok=True)
    report: dict = {"screenshots": {}, "errors": []}
    try:
        run(out, report)
    except Exception:
        report["errors"].append(traceback.format_exc())
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    return 0 if not report["errors"] else 1


def pump_until(app, predicate, seconds: float) -> None:
    """Process events until ``predicate()`` holds or ``seconds`` have passed."""
    end = time.monotonic() + seconds
    while not predicate() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def unattended_dialogs(report: dict):
    """The window's questions answered as an unattended run wants; errors go to the report."""
    return answers_for(report["errors"])


def shot(widget, path: Path, report: dict, key: str) -> None:
    image = widget.grab()
    if not image.save(str(path), "PNG"):
        raise OSError(f"cannot save {path}")
    report["screenshots"][key] = str(path)


def run(out: Path, report: dict) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from core import project as project_io
    from core import templates

    app = QApplication.instance() or QApplication([sys.argv[0]])
    report["platform"] = app.platformName()

    project = templates.load("deephear")
    project.data["limit"] = PIECES
    project_file = out / "deephear-small.json"
    project_io.save(project, project_file)

    from app.main_window import MainWindow

    window = MainWindow(str(project_file), dialogs=unattended_dialogs(report))
    window.resize(1600, 1000)
    window.show()
    wait_until(app, lambda: window.isVisible() and window.dashboard is not None, 30, "window")
    pump(app, 1.0)
    shot(window, out / "01-editor.png", report, "editor")

    dash = window.dashboard
    audition = window.audition
    dash.epochs_scale = EPOCHS_SCALE
    finished: list = []
    dash.runFinished.connect(finished.append)
    dash.runStarted.connect(audition.set_run)  # audition snapshots while training goes on
    window.resizeDocks([window.dashboard_dock], [620], Qt.Orientation.Vertical)
    t0 = time.monotonic()
    if not window.start_training():
        raise RuntimeError(f"training did not start: {window.last_message}")
    # Mid-training: the fine-tune phase has begun, or a few snapshots have come in.
    wait_until(
        app,
        lambda: (
            finished
            or (
                dash.state.current is not None
                and dash.state.current.kind == "finetune"
                and dash.state.snapshots
            )
            or (dash.state.current is not None and dash.state.current.index >= 2)
        ),
        240,
        "training to reach its later phases",
    )
    pump(app, 0.3)
    report["mid_training_running"] = dash.is_running
    report["mid_training_status"] = dash.status_label.text()
    report["mid_training_time"] = dash.time_label.text()
    shot(window, out / "02-dashboard-training.png", report, "dashboard_training")
    shot(dash, out / "02b-dashboard-panel-training.png", report, "dashboard_panel_training")
    # The audition panel looks for new snapshots every two seconds: give it one more look.
    pump_until(app, lambda: audition.snapshot_list.count() > 0 or bool(finished), 5.0)
    report["snapshots_listed_during_training"] = audition.snapshot_list.count()
    wait_until(app, lambda: bool(finished), 300, "training to finish")
    report["train_seconds"] = time.monotonic() - t0
    run_dir = finished[0]
    report["run_dir"] = run_dir
    pump(app, 0.3)
    shot(dash, out / "03-dashboard-finished.png", report, "dashboard_finished")
    report["block_states"] = dict(dash.block_states)
    report["curve_points"] = {k: len(v.getData()[0]) for k, v in dash.loss_plot.curve_items.items()}

    # Audition: the window handed it the run; generate a piece and play it.
    window.set_mode("listen")  # the audition panel gets the room
    wait_until(
        app,
        lambda: (
            audition.method_combo.count() > 0 and audition.method_combo.currentText() != "loading…"
        ),
        120,
        "the run's generation methods",
    )
    report["methods"] = [
        audition.method_combo.itemText(i) for i in range(audition.method_combo.count())
    ]
    audition.seed_spin.setValue(3)
    audition.bars_spin.setValue(4)
    # A network trained for seconds is unsure of every note: lower the threshold until the
    # piece has some (what a user does when the panel says the piece is silent).
    for threshold in (0.5, 0.3, 0.2, 0.1, 0.05):
        audition.threshold_spin.setValue(threshold)
        before = len(audition.pieces)
        audition.generate_button.click()
        wait_until(app, lambda: len(audition.pieces) > before, 120, "a generated piece")  # noqa: B023
        if (audition.piece.roll > 0).sum() >= 8:
            break
    report["threshold"] = threshold
    piece = audition.piece
    report["piece_notes"] = int((piece.roll > 0).sum())
    report["piece_steps"] = piece.steps

    recording = out / "playback.raw"
    parec = None
    if os.environ.get("PULSE_SERVER"):
        with open(recording, "wb") as f:
            parec = subprocess.Popen(
                [
                    "parec",
                    "--device=layerwise_e2e.monitor",
                    "--format=float32le",
                    "--rate=44100",
                    "--channels=1",
                    "--latency-msec=20",
                ],
                stdout=f,
            )
        pump(app, 0.4)
    audition.toggle_play()
    wait_until(
        app,
        lambda: (
            (audition.player is not None and audition.player.state == "playing")
            or audition.message_label.isVisible()
        ),
        60,
        "playback to start",
    )
    report["renderer"] = audition.renderer_name
    report["audio_message"] = (
        audition.message_label.text() if audition.message_label.isVisible() else ""
    )
    pump(app, 2.0)
    report["playhead_quarters"] = audition.roll_view.playhead_position
    shot(window, out / "04-audition-playing.png", report, "audition")
    shot(audition, out / "04b-audition-panel.png", report, "audition_panel")
    pump(app, 1.0)
    audition.stop()
    if parec is not None:
        pump(app, 0.3)
        parec.terminate()
        parec.wait(5)
        import numpy as np

        audio = np.fromfile(recording, dtype="<f4")
        report["recorded_seconds"] = len(audio) / 44100
        report["recorded_rms"] = float(np.sqrt(np.mean(audio**2))) if audio.size else 0.0
        report["recorded_peak"] = float(np.abs(audio).max()) if audio.size else 0.0

    # Exports.
    audition.export_midi(str(out / "piece.mid"))
    exported: list = []
    audition.exported.connect(exported.append)
    audition.export_wav(str(out / "piece.wav"))
    wait_until(app, lambda: any(p.endswith(".wav") for p in exported), 60, "the WAV export")
    audition.export_png(str(out / "piece.png"))
    report["exports"] = [str(out / n) for n in ("piece.mid", "piece.wav", "piece.png")]

    # Twin run, from the dashboard's button, briefly: both columns side by side.
    window.set_mode("train")
    dash.epochs_scale = min(EPOCHS_SCALE, 0.1)
    dash.twin_button.click()
    twin = dash._twin
    twin_done: list = []
    twin.twinFinished.connect(lambda a, b: twin_done.append((a, b)))
    wait_until(app, lambda: bool(twin_done) or not twin.is_running, 300, "the twin run")
    wait_until(
        app,
        lambda: all(
            s.sample.roll is not None or s.sample_caption.text().startswith("no piece")
            for s in twin.sides.values()
        ),
        120,
        "the twin pieces",
    )
    pump(app, 0.5)
    shot(twin, out / "05-twin.png", report, "twin")
    report["twin_runs"] = twin_done[0] if twin_done else None
    twin.close()

    window.close()
    pump(app, 0.5)
    report["closed"] = not window.isVisible()
    reopen_and_compare(app, MainWindow, unattended_dialogs(report), out, report)


def reopen_and_compare(app, main_window, dialogs, out: Path, report: dict) -> None:
    """Start again: the run trained above is in the Runs browser; shown from disk, it has
    its curves and filters; compared with the twin runs, one curve set and row each."""
    window = main_window(None, dialogs=dialogs)
    window.resize(1600, 1000)
    window.show()
    wait_until(app, lambda: window.dashboard is not None, 30, "the second window")
    browser = window.runs_browser
    report["runs_listed"] = [str(info.path) for info in browser.infos.values()]
    browser.select_runs([report["run_dir"]])
    pump(app, 0.5)
    report["reopened_run"] = window.dashboard.run_dir
    report["reopened_curves"] = len(window.dashboard.loss_plot.curve_items)
    report["reopened_filters"] = window.dashboard.filters_image.image is not None
    window.runs_dock.raise_()
    shot(window, out / "06-runs.png", report, "runs")
    twins = list(report["twin_runs"] or [])
    browser.select_runs([report["run_dir"], *twins])
    browser.compare_button.click()
    pump(app, 0.5)
    report["compared_runs"] = len(window.compare_panel.runs) if window.compare_panel else 0
    shot(window, out / "07-compare.png", report, "compare")
    browser.select_runs([report["run_dir"]])
    pump(app, 0.5)
    export_onnx_and_import_keras(app, window, out, report)
    window.close()
    pump(app, 0.5)


def menu_action(window, menu_title: str, text: str):
    """The action under the menu bar's ``menu_title`` whose text is ``text`` (as a user
    finds it: by the menu, not by the attribute)."""
    for menu_action in window.menuBar().actions():
        if menu_action.text().replace("&", "") == menu_title:
            for action in menu_action.menu().actions():
                if action.text().replace("&", "") == text:
                    return action
    raise LookupError(f"no {menu_title} › {text} in the menu bar")


def export_onnx_and_import_keras(app, window, out: Path, report: dict) -> None:
    """File › Export Model… as ONNX (the run shown), then File › Import Keras Model… of the
    run's model.keras: it comes back on the canvas starting from its weights."""
    from app.model_export import ExportChoice

    def answer_export(sources, folder):
        report["export_sources"] = [source.label for source in sources]
        return ExportChoice(sources[0], "onnx", str(out / "model.onnx"))

    window.dialogs.ask_export = answer_export
    window.dialogs.open_model_file = lambda folder: str(Path(report["run_dir"]) / "model.keras")
    exported: list = []
    from app.model_export import exporter_of

    exporter_of(window).finished.connect(exported.append)
    menu_action(window, "File", "Export Model…").trigger()
    wait_until(app, lambda: bool(exported) or bool(report["errors"]), 300, "the ONNX export")
    report["onnx"] = exported[0] if exported else None
    report["onnx_bytes"] = os.path.getsize(exported[0]) if exported else 0
    menu_action(window, "File", "Import Keras Model…").trigger()
    pump(app, 0.5)
    project = window.doc.project
    report["imported_blocks"] = len(project.network.blocks)
    report["imported_weights"] = project.training.get("initial_weights")
    report["import_message"] = window.last_message
    window.set_mode("build")  # the imported network on the canvas
    pump(app, 0.5)
    shot(window, out / "08-imported.png", report, "imported")


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
