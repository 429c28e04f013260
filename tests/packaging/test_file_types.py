"""The desktop entry passes files, and the file types it opens are declared."""

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
MIME = "{http://www.freedesktop.org/standards/shared-mime-info}"


def desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(PACKAGING / "layerwise.desktop", encoding="utf-8")
    return entry["Desktop Entry"]


def test_the_entry_passes_every_chosen_file_with_their_types():
    section = desktop_entry()
    assert section["Exec"] == "layerwise %F"
    types = section["MimeType"].rstrip(";").split(";")
    assert {"application/x-layerwise-project", "audio/midi", "application/x-keras-model"} <= set(
        types
    )


def test_the_project_and_model_types_are_declared():
    root = ET.parse(PACKAGING / "layerwise-mime.xml").getroot()
    declared = {t.get("type"): t for t in root.iter(f"{MIME}mime-type")}
    assert set(declared) == {"application/x-layerwise-project", "application/x-keras-model"}
    project = declared["application/x-layerwise-project"]
    assert project.find(f"{MIME}magic/{MIME}match").get("value") == '"layerwise-project"'
    assert declared["application/x-keras-model"].find(f"{MIME}glob").get("pattern") == "*.keras"
    for name in desktop_entry()["MimeType"].rstrip(";").split(";"):
        assert name in declared or name.startswith("audio/")


def test_shared_mime_info_reads_the_declarations(tmp_path):
    assert shutil.which("update-mime-database"), "install shared-mime-info (Debian package)"
    (tmp_path / "packages").mkdir()
    shutil.copy(PACKAGING / "layerwise-mime.xml", tmp_path / "packages")
    subprocess.run(["update-mime-database", str(tmp_path)], check=True, capture_output=True)
    globs = (tmp_path / "globs2").read_text()
    assert "application/x-keras-model:*.keras" in globs
    assert "layerwise-project" in (tmp_path / "magic").read_bytes().decode("latin-1")
