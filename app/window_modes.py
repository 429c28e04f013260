"""Modes (perspectives, as in DAWs and IDEs): Build, Train, Listen and Compare.

Each mode gives the window's room to the task at hand: Build shows the palette, the canvas
and the inspector; Train gives most of the height to the training dashboard; Listen to the
audition panel; Compare to the run comparison when the window has one. The user switches
with the mode bar or Alt+1…4; a run that starts switches to Train. Every mode remembers its
own layout (``QMainWindow.saveState`` per mode in the settings); a mode never seen gets its
default layout below.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QEvent, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QTabBar, QToolBar

# Share of the window's height the bottom docks get by default in a mode that shows them
# large: at 1400×880 this leaves the canvas a strip and gives the dashboard's three views
# more than 400×280 pixels each.
WIDE_BOTTOM_SHARE = 0.86
SIDE_WIDTHS = (210, 320)  # palette, inspector in Build


class Mode(str, Enum):
    BUILD = "build"
    TRAIN = "train"
    LISTEN = "listen"
    COMPARE = "compare"


@dataclass(frozen=True)
class ModeLayout:
    label: str
    shortcut: str
    tip: str
    side_docks: bool  # palette and inspector shown
    # Bottom docks (objectNames) the mode shows, those that exist; the first is raised.
    shown: tuple[str, ...]
    bottom_share: float


LAYOUTS = {
    Mode.BUILD: ModeLayout(
        "Build",
        "Alt+1",
        "Edit the network: palette, canvas and inspector",
        True,
        ("dashboardDock", "auditionDock", "problemsDock", "runsDock"),
        0.3,
    ),
    Mode.TRAIN: ModeLayout(
        "Train",
        "Alt+2",
        "Watch a run: loss curves, filters and reconstructions",
        False,
        ("dashboardDock",),
        WIDE_BOTTOM_SHARE,
    ),
    Mode.LISTEN: ModeLayout(
        "Listen",
        "Alt+3",
        "Generate music from a run and listen to it",
        False,
        ("auditionDock",),
        WIDE_BOTTOM_SHARE,
    ),
    Mode.COMPARE: ModeLayout(
        "Compare",
        "Alt+4",
        "Compare runs side by side",
        False,
        ("compareDock",),  # the runs to compare are picked in Build's Runs tab
        WIDE_BOTTOM_SHARE,
    ),
}


class ModeHost:
    """The main window's modes (a mixin of MainWindow: it uses its docks and settings)."""

    def _make_mode_bar(self) -> None:
        self.mode = Mode.BUILD
        self._dock_share: tuple | None = None  # (main dock, share of the height) of the mode
        self._share_height = -1  # the window's height when that share was taken
        self.mode_bar = QToolBar("Modes", self)
        self.mode_bar.setObjectName("modeBar")
        self.mode_bar.setMovable(False)
        self.mode_bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.mode_bar)
        group = QActionGroup(self)
        group.setExclusive(True)
        self.mode_actions: dict[Mode, QAction] = {}
        for mode, layout in LAYOUTS.items():
            action = QAction(layout.label, self)
            action.setCheckable(True)
            action.setShortcut(QKeySequence(layout.shortcut))
            action.setToolTip(f"{layout.tip} ({layout.shortcut})")
            action.setStatusTip(layout.tip)
            action.setObjectName(f"mode_{mode.value}")
            action.triggered.connect(self._on_mode_action)
            group.addAction(action)
            self.mode_bar.addAction(action)
            self.addAction(action)
            self.mode_actions[mode] = action
        self.mode_actions[Mode.BUILD].setChecked(True)

    def add_mode_menu_items(self) -> None:
        """The modes and Reset Layout at the end of the View menu."""
        view = next(
            (a.menu() for a in self.menuBar().actions() if a.text() == "&View" and a.menu()),
            None,
        )
        self.act_reset_layout = QAction("&Reset Layout of This Mode", self)
        self.act_reset_layout.triggered.connect(self.reset_mode_layout)
        self.addAction(self.act_reset_layout)
        if view is None:
            return
        view.addSeparator()
        for action in self.mode_actions.values():
            view.addAction(action)
        view.addAction(self.act_reset_layout)

    def load_panels(self) -> None:
        loaded = self._panels_loaded
        super().load_panels()
        if loaded:
            return
        if self.dashboard is not None:
            self.dashboard.runStarted.connect(self._enter_train_mode)
        if self.settings.window_state is None:
            self.apply_default_layout(self.mode)
        self.unclip_dock_tabs()

    @Slot()
    def _on_mode_action(self) -> None:
        for mode, action in self.mode_actions.items():
            if action is self.sender():
                self.set_mode(mode)

    def set_mode(self, mode: Mode | str) -> None:
        """Show ``mode``: its remembered layout, else its default one."""
        mode = Mode(mode)
        if mode is self.mode:
            return
        self.settings.set_mode_state(self.mode.value, self.saveState())
        self.mode = mode
        self.mode_actions[mode].setChecked(True)
        state = self.settings.mode_state(mode.value)
        if state is None or not self.restoreState(state):
            self.apply_default_layout(mode)
        else:  # measured once the restored layout is in place
            QTimer.singleShot(0, functools.partial(self._keep_dock_share, mode))
        self._raise_for(mode)
        QTimer.singleShot(0, self.unclip_dock_tabs)
        self.settings.mode = mode.value
        self.modeChanged.emit(mode.value)

    def reset_mode_layout(self) -> None:
        """Back to the current mode's default layout (View › Reset Layout)."""
        self.apply_default_layout(self.mode)

    def apply_default_layout(self, mode: Mode) -> None:
        layout = LAYOUTS[mode]
        shown = self._docks_shown(layout)
        for dock in self._bottom_docks():
            dock.setFloating(False)
            dock.setVisible(dock in shown)
        for dock in (self.palette_dock, self.inspector_dock):
            dock.setFloating(False)
            dock.setVisible(layout.side_docks)
        if layout.side_docks:
            self.resizeDocks(
                [self.palette_dock, self.inspector_dock],
                list(SIDE_WIDTHS),
                Qt.Orientation.Horizontal,
            )
        self._raise_for(mode)
        height = int(self.height() * layout.bottom_share)
        self.resizeDocks([shown[0]], [height], Qt.Orientation.Vertical)
        self._keep_dock_share(mode, layout.bottom_share)
        self.unclip_dock_tabs()

    # ---- a mode's main dock keeps its share of the height when the window is resized ----------
    # (QMainWindow gives a growing window's room to the canvas and takes a shrinking one's from
    # the docks). The share is what the mode's layout or the user's last drag left.
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._dock_share is not None and event.oldSize().height() > 0:
            QTimer.singleShot(0, self._apply_dock_share)

    def eventFilter(self, watched, event) -> bool:
        kept = self._dock_share
        if (
            event.type() == QEvent.Type.Resize
            and kept is not None
            and watched is kept[0]
            and self.height() == self._share_height  # a drag, not the window's resize
        ):
            self._dock_share = (kept[0], kept[0].height() / max(1, self.height()))
        return super().eventFilter(watched, event)

    def _keep_dock_share(self, mode: Mode, share: float | None = None) -> None:
        """Keep ``mode``'s main dock at ``share`` of the height (None: as it is now)."""
        if mode is Mode.BUILD:
            self._dock_share = None
            return
        dock = self._docks_shown(LAYOUTS[mode])[0]
        dock.removeEventFilter(self)
        dock.installEventFilter(self)
        self._share_height = self.height()
        self._dock_share = (dock, share if share is not None else dock.height() / self.height())

    @Slot()
    def _apply_dock_share(self) -> None:
        if self._dock_share is None or self.height() == self._share_height:
            return
        dock, share = self._dock_share
        self._share_height = self.height()
        if dock.isVisible():
            self.resizeDocks([dock], [int(share * self.height())], Qt.Orientation.Vertical)

    def _docks_shown(self, layout: ModeLayout) -> list[QDockWidget]:
        """The bottom docks ``layout`` shows, the one to raise first."""
        docks = [self.findChild(QDockWidget, name) for name in layout.shown]
        return [d for d in docks if d is not None] or [self.dashboard_dock]

    def _raise_for(self, mode: Mode) -> None:
        dock = self._docks_shown(LAYOUTS[mode])[0]
        dock.show()
        dock.raise_()

    def _bottom_docks(self) -> list[QDockWidget]:
        area = Qt.DockWidgetArea.BottomDockWidgetArea
        return [d for d in self.findChildren(QDockWidget) if self.dockWidgetArea(d) == area]

    def unclip_dock_tabs(self) -> None:
        """Tabs of tabbed docks show their whole title ("Problems (12)"), never elided."""
        docks = [d.geometry() for d in self.findChildren(QDockWidget) if d.isVisible()]
        for bar in self.findChildren(QTabBar):
            if bar.parent() is not self:
                continue
            bar.setElideMode(Qt.TextElideMode.ElideNone)
            bar.setExpanding(False)
            bar.setUsesScrollButtons(True)
            # A tab group emptied by re-tabbing can leave its bar behind, drawn over a dock;
            # a bar in use sits beside its docks, never on one.
            if bar.isVisible() and any(g.contains(bar.geometry()) for g in docks):
                bar.hide()

    def restore_mode(self) -> None:
        """At start-up: the mode the window closed in (its layout is the saved state)."""
        try:
            mode = Mode(self.settings.mode or Mode.BUILD.value)
        except ValueError:
            mode = Mode.BUILD
        self.mode = mode
        self.mode_actions[mode].setChecked(True)
        QTimer.singleShot(0, functools.partial(self._keep_dock_share, mode))

    def save_mode_state(self) -> None:
        self.settings.set_mode_state(self.mode.value, self.saveState())
        self.settings.mode = self.mode.value

    @Slot(str)
    def _enter_train_mode(self, _run_dir: str = "") -> None:
        self.set_mode(Mode.TRAIN)
