"""The look: the style sheet in resources/style and the colours the canvas draws with."""

from __future__ import annotations

from importlib import resources

from PySide6.QtGui import QColor, QIcon

GROUP_COLOURS = {
    "Input and shape": "#5b6b8c",
    "Core": "#2f6fb5",
    "Convolution": "#17897d",
    "Recurrent": "#7b4fb0",
    "Regularisation": "#7a7f3a",
    "Merge": "#c46a1b",
    "Pretraining": "#b5386b",
}
UNKNOWN_GROUP = "#6b6b6b"

STATE_COLOURS = {
    "untrained": "#b9bec7",
    "pretraining": "#f0a202",
    "pretrained": "#3aa3d8",
    "frozen": "#8fb8de",
    "fine-tuning": "#9b5de5",
    "trained": "#2fa85a",
}
STATES = tuple(STATE_COLOURS)

ERROR = "#d93f3f"
CANVAS_BG = "#f4f5f8"
CANVAS_GRID = "#e3e6ec"
BLOCK_BG = "#ffffff"
TEXT = "#1f2430"
MUTED = "#5f6675"
WIRE = "#6d7687"
WIRE_SELECTED = "#1f7ae0"
SELECTION = "#1f7ae0"


def group_colour(group: str | None) -> QColor:
    return QColor(GROUP_COLOURS.get(group or "", UNKNOWN_GROUP))


def state_colour(state: str) -> QColor:
    return QColor(STATE_COLOURS.get(state, STATE_COLOURS["untrained"]))


def style_sheet() -> str:
    try:
        return (resources.files("resources") / "style" / "layerwise.qss").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return ""


def icon(name: str) -> QIcon:
    """resources/icons/NAME.svg, or an empty icon when it is missing."""
    try:
        path = resources.files("resources") / "icons" / f"{name}.svg"
        return QIcon(str(path)) if path.is_file() else QIcon()
    except (FileNotFoundError, OSError, ModuleNotFoundError):
        return QIcon()
