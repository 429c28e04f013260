"""The desktop bundle: its recipe, desktop entry and icon (fast); the built bundle itself
(slow: run `make bundle` first, then `pytest -m slow tests/packaging`)."""

import configparser
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
BUNDLE = ROOT / "dist" / "layerwise" / "layerwise"


def test_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "layerwise.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "layerwise"
    assert section["Icon"] == "layerwise"
    assert section["Categories"].endswith(";")


def test_icon_files():
    from PIL import Image

    with Image.open(PACKAGING / "layerwise.png") as image:
        assert image.size == (256, 256)
    root = ET.parse(PACKAGING / "layerwise.svg").getroot()
    assert root.tag.endswith("svg")


def test_spec_names_files_that_exist():
    text = (PACKAGING / "layerwise.spec").read_text()
    compile(text, "layerwise.spec", "exec")
    assert (PACKAGING / "layerwise_main.py").is_file()
    assert 'name="layerwise"' in text


@pytest.mark.slow
@pytest.mark.skipif(not BUNDLE.exists(), reason="no bundle: run make bundle first")
def test_bundle_smoke():
    assert shutil.which("bash") is not None, "the bundle's smoke test needs bash"
    proc = subprocess.run(
        ["bash", str(PACKAGING / "smoke_test.sh"), str(BUNDLE)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "bundle smoke test passed" in proc.stdout
