"""The dashboard's controls and status: start, pause, stop, device and pretraining choice,
the twin-run button; progress, phase line, elapsed time and ETA; the error banner."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from app import plots
from app.panels.dashboard.blocks import pretraining_enabled
from app.panels.dashboard.progress import ProgressModel
from app.steady_label import SteadyLabel
from core.training.estimate import Estimate, estimate_duration

ERROR_STYLE = (
    "QLabel { background: #fdecea; color: #8a1c12; border: 1px solid #e0a39c;"
    " border-radius: 4px; padding: 6px; font-weight: bold; }"
)


def estimate_or_none(project, pretraining: bool, epochs_scale: float) -> Estimate | None:
    """How long a run should take, from earlier runs like it; None when none is known."""
    try:
        return estimate_duration(project, pretraining=pretraining, epochs_scale=epochs_scale)
    except Exception:  # noqa: BLE001 - an estimate is a nicety; unreadable runs give none
        return None


def estimate_seconds(project, pretraining: bool, epochs_scale: float) -> float | None:
    """Worker: the seconds a run should take (:func:`estimate_or_none`), or None."""
    found = estimate_or_none(project, pretraining, epochs_scale)
    return found.seconds if found is not None else None


def device_argument(choice: str | None) -> str | None:
    """The session's ``device`` for a device picker entry: "CPU" → "cpu", "GPU:1" → "gpu:1"."""
    if choice == "CPU":
        return "cpu"
    if choice and choice.startswith("GPU:"):
        return "gpu:" + choice.split(":", 1)[1]
    return choice or None


class RunControls(QWidget):
    """Buttons and pickers; the dashboard connects their signals and sets their state."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.twin_button = QPushButton("Twin run…")
        self.twin_button.setToolTip(
            "Train the same network with and without pretraining and compare them side by side"
        )
        self.pretraining_check = QCheckBox("Pretraining")
        self.pretraining_check.setChecked(True)
        self.device_combo = QComboBox()
        self.device_combo.addItem("CPU")
        self.device_combo.setToolTip("Where to train (GPUs are listed when TensorFlow finds any)")
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.start_button, self.pause_button, self.stop_button):
            bar.addWidget(w)
        bar.addWidget(QLabel("Device:"))
        bar.addWidget(self.device_combo)
        bar.addWidget(self.pretraining_check)
        bar.addWidget(self.twin_button)

    def device(self) -> str | None:
        return device_argument(self.device_combo.currentText())

    def show_pretraining(self, project) -> None:
        """The switch shows the project's "Greedy pretraining" setting (they are one)."""
        self.pretraining_check.setChecked(pretraining_enabled(project))

    def set_running(self, running: bool, paused: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("Resume" if paused else "Pause")
        self.stop_button.setEnabled(running)
        self.device_combo.setEnabled(not running)
        self.pretraining_check.setEnabled(not running)

    @Slot(object, object)
    def set_devices(self, _tag, devices) -> None:
        """The devices TensorFlow found; the current choice stays when still there."""
        current = self.device_combo.currentText()
        self.device_combo.clear()
        self.device_combo.addItems(list(devices))
        i = self.device_combo.findText(current)
        self.device_combo.setCurrentIndex(max(0, i))


class StatusStrip(QWidget):
    """Progress bar, a line saying what runs now, and elapsed time with ETA."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setFormat("%p%")
        self.progress.setMaximumWidth(180)  # the line beside it says more
        # Lines whose text changes many times a second never change the layout (see
        # app.steady_label): a re-layout moves and repaints every plot of the dashboard.
        self.status_label = SteadyLabel("Not started")
        self.time_label = SteadyLabel(
            "elapsed – · ETA –",
            sample="elapsed 00:00:00 · ETA 00:00:00 ",
            alignment=Qt.AlignmentFlag.AlignRight,
        )
        self.time_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress, 2)
        row.addWidget(self.status_label, 3)
        row.addWidget(self.time_label, 1)

    def draw(self, model: ProgressModel) -> None:
        self.progress.setValue(int(round(1000 * model.fraction())))
        elapsed = plots.format_seconds(model.elapsed())
        self.time_label.setText(f"elapsed {elapsed} · ETA {plots.format_seconds(model.eta())}")
        line = model.phase_line()
        if line is not None:
            self.status_label.setText(line)

    def show_estimate(self, project, pretraining: bool, epochs_scale: float) -> float | None:
        """Before a run: how long it should take, or that nothing tells yet; the seconds."""
        found = estimate_or_none(project, pretraining, epochs_scale)
        if found is None:
            self.say(
                "Not started · duration said when the run starts",
                tooltip="No earlier run is like this one. Once the data is loaded, the run's "
                "size at this machine's speed (a long run: a short timing probe) says how long "
                "it takes; each epoch refines it. The next runs are estimated from this one.",
            )
        else:
            self.say(f"Not started · a run takes {found.describe()}", tooltip=found.source)
        self.time_label.setText("elapsed – · ETA –")
        return found.seconds if found is not None else None

    def say(self, text: str, tooltip: str | None = None) -> None:
        self.status_label.setText(text)
        if tooltip is not None:
            self.status_label.setToolTip(tooltip)


def error_banner() -> QLabel:
    """A selectable, wrapped, red label shown above the views when a run fails."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    label.setStyleSheet(ERROR_STYLE)
    label.hide()
    return label
