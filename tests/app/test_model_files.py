"""File › Export Model… and File › Import Keras Model… from the window: every format on a
worker with a progress dialog, one line on failure with nothing half-written, and imported
weights that building and exporting really use until the user resets them (undoably)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import uuid

import numpy as np
import pytest

from app.model_export import FORMAT_INFO, ExportChoice
from app.panels import audition as audition_mod
from app.panels.audition import AuditionPanel
from core.export import FORMATS


@pytest.fixture(scope="module")
def source_model(tmp_path_factory):
    """A small .keras model: Input → hidden → out, and a side branch through a layer no
    block expresses."""
    import keras

    keras.utils.set_random_seed(3)
    inp = keras.Input((8,), name="notes")
    hidden = keras.layers.Dense(6, activation="relu", name="hidden")(inp)
    out = keras.layers.Dense(8, activation="sigmoid", name="out")(hidden)
    odd = keras.layers.UnitNormalization(name="odd")(hidden)
    side = keras.layers.Dense(2, name="side")(odd)
    path = tmp_path_factory.mktemp("models") / "tiny.keras"
    keras.Model(inp, [out, side], name="tiny").save(path)
    return path


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A run folder with a trained model (a template built and saved as a run saves)."""
    from core import project as project_io
    from core import templates
    from core.build import build

    project = templates.load("dbn-digits")
    run = tmp_path_factory.mktemp("runs") / "dbn"
    run.mkdir()
    build(project).model.save(run / "model.keras")
    project_io.save(project, run / "project.json")
    summary = {"objective": "classifier", "data": {"source": "digits"}, "phases": []}
    (run / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return run


def _weights(model) -> dict:
    return {layer.name: layer.get_weights() for layer in model.layers if layer.get_weights()}


def _source_weights(path) -> dict:
    from core.export import load_model_safely

    return _weights(load_model_safely(path))


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def _answer(window, fmt, out, want_run):
    def choose(sources, folder):
        source = next(s for s in sources if s.is_run == want_run)
        return ExportChoice(source, fmt, str(out))

    window.dialogs.export_answer = choose


def _export(window, qtbot, timeout=240000):
    exporter = None
    window.act_export_model.trigger()
    exporter = window.model_exporter
    assert exporter.progress is not None and exporter.progress.isVisible()
    qtbot.waitUntil(lambda: exporter.progress is None, timeout=timeout)
    return exporter


@pytest.fixture
def run_window(make_window, trained_run, monkeypatch):
    """A window whose audition panel shows the trained run."""
    monkeypatch.setattr(
        audition_mod, "_load_model_info", lambda d: {"methods": [], "why_not": "digits"}
    )
    window = make_window(panels={"audition": AuditionPanel}, show=True)
    window.audition.set_run(str(trained_run))
    return window


# ---- export -------------------------------------------------------------------------------------
def test_the_menu_offers_every_format_the_cli_has(window):
    assert tuple(FORMAT_INFO) == FORMATS
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "&Export Model…" in texts and "&Import Keras Model…" in texts


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_exports_the_run_shown(run_window, qtbot, tmp_path, fmt):
    out = tmp_path / FORMAT_INFO[fmt][1]
    _answer(run_window, fmt, out, want_run=True)
    _export(run_window, qtbot)
    assert run_window.dialogs.errors == []
    assert run_window.last_message == f"Exported {out}"
    assert out.exists() and (out.is_dir() == FORMAT_INFO[fmt][2])
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".")]  # no staging left
    sources = run_window.dialogs.asked[-1][1]
    assert sources[0].startswith("the trained run dbn") and sources[1].startswith("the project")


def _mount_tmpfs(folder, options: str) -> bool:
    """A real tiny file system at ``folder`` when the tests may mount one (as root)."""
    if os.geteuid() != 0:
        return False
    name = f"layerwise-{uuid.uuid4().hex[:6]}"
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, name, str(folder)], capture_output=True
    )
    return done.returncode == 0


@pytest.fixture
def read_only_folder(tmp_path, monkeypatch):
    """A read-only folder: a read-only mount where allowed, else a folder without write
    permission (refused as the kernel would, for a superuser who writes anywhere)."""
    import core.fileio as fileio

    folder = tmp_path / "locked"
    folder.mkdir()
    mounted = _mount_tmpfs(folder, "ro,size=64k")
    if not mounted:
        folder.chmod(0o500)
        if os.access(folder, os.W_OK):
            real_access = os.access
            monkeypatch.setattr(
                fileio.os,
                "access",
                lambda p, mode: False if os.fspath(p) == str(folder) else real_access(p, mode),
            )
    yield folder
    if mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)
    else:
        folder.chmod(0o700)


@pytest.fixture
def full_disk(tmp_path, monkeypatch):
    """A folder on a full disk: a filled tiny tmpfs where allowed, else ENOSPC at the write."""
    from core.export import exporters

    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = _mount_tmpfs(folder, "size=128k,mode=0777")
    if mounted:
        with open(folder / "filler", "wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    else:

        def full(src, dst, *args, **kwargs):
            with open(dst, "wb") as handle:
                handle.write(b"half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(exporters.shutil, "copyfile", full)
    yield folder
    if mounted:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_folder_is_one_line_and_nothing_is_written(run_window, qtbot, read_only_folder):
    _answer(run_window, "keras", read_only_folder / "model.keras", want_run=True)
    _export(run_window, qtbot)
    [(title, text)] = run_window.dialogs.errors
    assert title == "Export failed" and "\n" not in text
    assert "cannot write to this folder" in text and str(read_only_folder) in text
    assert run_window.last_message == f"Export failed: {text}"
    assert os.listdir(read_only_folder) == []


def test_a_full_disk_is_one_line_and_nothing_is_written(run_window, qtbot, full_disk):
    before = set(os.listdir(full_disk))
    _answer(run_window, "keras", full_disk / "model.keras", want_run=True)
    _export(run_window, qtbot)
    [(title, text)] = run_window.dialogs.errors
    assert "\n" not in text and str(full_disk) in text
    assert "No space left on device" in text
    assert set(os.listdir(full_disk)) == before  # no model, no temporary


def test_a_report_needs_a_run_and_the_dialog_says_so(qtbot, window):
    from app.model_export import ExportDialog, export_sources

    dialog = ExportDialog(export_sources(window), "/tmp")
    qtbot.addWidget(dialog)
    dialog.format_combo.setCurrentIndex(FORMATS.index("report"))
    assert "needs a trained run" in dialog.note.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.format_combo.setCurrentIndex(FORMATS.index("onnx"))
    assert dialog.path_edit.text() == "/tmp/model.onnx" and dialog.note.text() == ""


# ---- import -------------------------------------------------------------------------------------
@pytest.fixture
def imported(window, source_model):
    window.dialogs.model_answer = str(source_model)
    window.act_import_model.trigger()
    return window


def test_import_puts_the_model_on_the_canvas_and_lists_what_is_left_out(imported, source_model):
    ids = {b.id for b in imported.doc.project.network.blocks}
    assert ids == {"notes", "hidden", "out"}
    assert set(imported.scene.blocks) == ids
    [(kind, name, layers)] = [a for a in imported.dialogs.asked if a[0] == "unmapped"]
    assert name == "tiny.keras"
    assert any(line.startswith("odd: UnitNormalization") for line in layers)
    assert "3 blocks, 2 layers left out" in imported.last_message
    assert imported.doc.project.training["initial_weights"]["path"] == str(source_model)


def test_building_and_exporting_the_imported_project_reproduce_its_weights(
    imported, qtbot, tmp_path, source_model
):
    from core.build import build
    from core.export import load_model_safely

    source = _source_weights(source_model)
    built = _weights(build(imported.doc.project).model)
    for name in ("hidden", "out"):
        assert _same(built[name], source[name])
    out = tmp_path / "again.keras"
    _answer(imported, "keras", out, want_run=False)
    _export(imported, qtbot)
    assert imported.dialogs.errors == []
    exported = _weights(load_model_safely(out))
    for name in ("hidden", "out"):
        assert _same(exported[name], source[name])


def test_the_imported_weights_can_be_reset_and_the_reset_undone(imported, source_model):
    from core.build import build

    source = _source_weights(source_model)
    imported.act_reset_weights.trigger()
    assert "initial_weights" not in imported.doc.project.training
    assert imported.doc.undo_stack.undoText() == "Reset imported weights"
    fresh = _weights(build(imported.doc.project).model)
    assert not _same(fresh["hidden"], source["hidden"])
    imported.doc.undo_stack.undo()
    assert imported.doc.project.training["initial_weights"]["path"] == str(source_model)
    again = _weights(build(imported.doc.project).model)
    assert _same(again["hidden"], source["hidden"])
    imported.doc.undo_stack.redo()
    assert "initial_weights" not in imported.doc.project.training
    imported.doc.undo_stack.undo()
    imported.act_reset_weights.trigger()
    imported.act_reset_weights.trigger()  # nothing left to reset: a message, no new edit
    assert imported.last_message == "The project has no imported weights to reset."


def test_a_file_that_is_not_a_model_is_refused_and_the_project_stays(window, tmp_path):
    before = window.doc.project.name
    bad = tmp_path / "notes.keras"
    bad.write_bytes(b"not a zip")
    window.dialogs.model_answer = str(bad)
    window.act_import_model.trigger()
    [(title, text)] = window.dialogs.errors
    assert title == "Cannot import the model" and "notes.keras" in text
    assert window.doc.project.name == before
