"""Start the desktop app: ``layerwise [PROJECT]`` calls :func:`main`.

The window must appear before TensorFlow loads: nothing on the way to it imports keras or
tensorflow; a worker thread imports them after the first show.

``LAYERWISE_EXIT_AFTER_SHOW=1`` prints ``window_shown_s=<seconds since process start>`` once
the window has been shown and its first events processed, and exits (the start-up benchmark).
"""

from __future__ import annotations

import os
import sys
import time

_T0 = time.time()


def process_start_time() -> float:
    """When this process started (seconds since the epoch), from /proc where there is one."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        return time.time() - uptime + start_ticks / ticks
    except (OSError, ValueError, IndexError):
        return _T0


def main(project_path=None, also=()) -> int:
    """``project_path``: what the window opens first (a project, a run folder, a model or a
    MIDI file); ``also``: more paths it opens once its panels are loaded."""
    app = _application()
    from app.main_window import MainWindow

    exit_after_show = os.environ.get("LAYERWISE_EXIT_AFTER_SHOW") == "1"
    window = MainWindow(project_path, defer_panels=True, warm_up=not exit_after_show)
    window.open_later(also)
    if exit_after_show:
        _report_when_shown(window)
    window.show()
    code = app.exec()
    thread = window.warm_up_thread
    if thread is not None and thread.isRunning():
        thread.wait(20000)  # an import cannot be interrupted; let it end before exit
    return int(code)


def _application():
    """The QApplication (made here unless one exists), named and styled."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from app.style import style_sheet

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Layerwise")
    app.setOrganizationName("Layerwise")
    app.setStyle("Fusion")
    app.setStyleSheet(style_sheet())
    return app


def _report_when_shown(window) -> None:
    """The start-up benchmark: once the window has been shown, print how long that took
    since the process started (and anything heavy already imported), then exit."""
    started = process_start_time()

    def report_then_exit():
        shown = time.time() - started
        print(f"window_shown_s={shown:.3f}", flush=True)
        heavy = [m for m in ("tensorflow", "keras") if m in sys.modules]
        if heavy:
            print(f"warning: imported before the window: {', '.join(heavy)}", flush=True)
        os._exit(0)

    window.after_show = report_then_exit


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else None))
