"""Settings kept between sessions, in an INI file in the platform's config folder
(``platformdirs.user_config_dir("layerwise")/layerwise.ini``): window geometry, the dock
layout of each mode, recent files, the audio device and the SoundFont."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir
from PySide6.QtCore import QByteArray, QSettings

VERSION = 1
MAX_RECENT = 10


def settings_path() -> Path:
    return Path(user_config_dir("layerwise")) / "layerwise.ini"


class Settings:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else settings_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.qsettings = QSettings(str(self.path), QSettings.Format.IniFormat)
        if self.qsettings.value("version") is None:
            self.qsettings.setValue("version", VERSION)

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # ---- window ---------------------------------------------------------------------------
    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.qsettings.setValue("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.qsettings.setValue("window/state", value)

    @property
    def mode(self) -> str:
        """The mode (Build, Train, Listen, Compare) the window was last in."""
        return self._text("window/mode")

    @mode.setter
    def mode(self, value: str) -> None:
        self.qsettings.setValue("window/mode", value)

    def mode_state(self, mode: str) -> QByteArray | None:
        """The dock layout ``mode`` had when the window last left it."""
        return self._bytes(f"modes/{mode}")

    def set_mode_state(self, mode: str, state: QByteArray) -> None:
        self.qsettings.setValue(f"modes/{mode}", state)

    # ---- recent files ---------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        value = self.qsettings.value("files/recent", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path) -> list[str]:
        path = os.path.abspath(str(path))
        recent = [p for p in self.recent_files() if p != path]
        recent.insert(0, path)
        recent = recent[:MAX_RECENT]
        self.qsettings.setValue("files/recent", recent)
        return recent

    def remove_recent(self, path) -> None:
        recent = [p for p in self.recent_files() if p != os.path.abspath(str(path))]
        self.qsettings.setValue("files/recent", recent)

    def clear_recent(self) -> None:
        self.qsettings.setValue("files/recent", [])

    # ---- audio ----------------------------------------------------------------------------
    def _text(self, key: str) -> str:
        value = self.qsettings.value(key, "")
        return str(value) if value else ""

    @property
    def audio_device(self) -> str:
        return self._text("audio/device")

    @audio_device.setter
    def audio_device(self, name: str) -> None:
        self.qsettings.setValue("audio/device", name or "")

    @property
    def soundfont(self) -> str:
        return self._text("audio/soundfont")

    @soundfont.setter
    def soundfont(self, path: str) -> None:
        self.qsettings.setValue("audio/soundfont", str(path or ""))

    def sync(self) -> None:
        self.qsettings.sync()
