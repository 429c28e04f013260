"""keras, savedmodel and onnx exports match the Keras model; bad input gives one clear line
and leaves nothing half-written."""

import os
import sys

import numpy as np
import pytest

from core import templates
from core.errors import LayerwiseError, ModelFileError
from core.export import export_model


def _outputs(model, x):
    return np.asarray(model(x, training=False))


def test_keras_export_opens_with_plain_load_model(dbn_run, tmp_path, random_input, run_python):
    out = export_model(dbn_run, "keras", tmp_path / "dbn.keras")
    x = random_input(_load(dbn_run), batch=3)
    np.save(tmp_path / "x.npy", x)
    root = str(templates.template_dir().parents[1])
    code = (
        f"import sys; sys.path.insert(0, {root!r})\n"
        "import numpy as np, keras\n"
        "import core.layers\n"
        f"model = keras.models.load_model({str(out)!r})\n"
        f"np.save({str(tmp_path / 'y.npy')!r}, np.asarray(model(np.load("
        f"{str(tmp_path / 'x.npy')!r}), training=False)))\n"
    )
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), _outputs(_load(dbn_run), x), atol=1e-6)


def test_keras_export_of_an_untrained_project(tmp_path):
    from core.export.safe_load import load_model_safely

    out = export_model(templates.template_dir() / "sda.json", "keras", tmp_path / "sda.keras")
    assert [layer.name for layer in load_model_safely(out).layers][-1] == "classes"


def test_import_core_stays_light(run_python):
    root = str(templates.template_dir().parents[1])
    proc = run_python(
        f"import sys; sys.path.insert(0, {root!r})\n"
        "import core, core.export, core.commands.export, core.commands.import_model\n"
        "import core.export.sources, core.export.safe_load, core.export.importer\n"
        "print(sorted(m for m in ('keras', 'tensorflow', 'onnx', 'matplotlib', 'PySide6')"
        " if m in sys.modules))"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_savedmodel_serves_what_keras_computes(dbn_run, tmp_path, random_input):
    import tensorflow as tf

    out = export_model(dbn_run, "savedmodel", tmp_path / "dbn_saved")
    model = _load(dbn_run)
    x = random_input(model, batch=3)
    loaded = tf.saved_model.load(str(out))  # keep it: serve references its variables
    served = loaded.serve(x)
    np.testing.assert_allclose(np.asarray(served), _outputs(model, x), atol=1e-5)


ONNX_TEMPLATES = ["dbn-digits", "deephear", "sda", "melody-vae", "conv-classifier"]


@pytest.mark.parametrize("template", ONNX_TEMPLATES)
def test_onnx_matches_keras(template, tmp_path, make_run, random_input):
    import onnxruntime as ort

    run = make_run(tmp_path / "run", template, fit=template == "dbn-digits")
    out = export_model(run, "onnx", tmp_path / f"{template}.onnx")
    model = _load(run)
    x = random_input(model, batch=4, seed=3)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    diff = float(np.abs(got - _outputs(model, x)).max())
    print(f"ONNX max abs diff {template}: {diff:.3g}")
    assert diff < 1e-4


def test_onnx_refuses_a_recurrent_layer_over_a_free_time_axis(tmp_path):
    with pytest.raises(LayerwiseError, match="free time axis"):
        export_model(
            templates.template_dir() / "lstm-pianoroll.json", "onnx", tmp_path / "lstm.onnx"
        )
    assert os.listdir(tmp_path) == []


def test_unwritable_folder_is_refused(dbn_run, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(LayerwiseError, match="cannot write"):
            export_model(dbn_run, "keras", folder / "m.keras")
    finally:
        folder.chmod(0o700)
    assert os.listdir(folder) == []


def test_unwritable_folder_message(dbn_run, tmp_path, monkeypatch):
    import core.fileio as fileio

    monkeypatch.setattr(fileio.os, "access", lambda path, mode: False)
    with pytest.raises(LayerwiseError, match="cannot write to this folder"):
        export_model(dbn_run, "python", tmp_path / "m.py")
    assert os.listdir(tmp_path) == []


def test_missing_run_and_missing_folder(tmp_path):
    with pytest.raises(LayerwiseError, match="no such run folder"):
        export_model(tmp_path / "nothing", "keras", tmp_path / "m.keras")
    with pytest.raises(LayerwiseError, match="does not exist"):
        export_model(templates.template_dir() / "sda.json", "python", tmp_path / "absent" / "m.py")


def test_truncated_model_is_refused_and_nothing_is_left(dbn_run, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(dbn_run, run)
    data = (run / "model.keras").read_bytes()
    (run / "model.keras").write_bytes(data[: len(data) // 2])
    out = tmp_path / "out"
    out.mkdir()
    for fmt, name in (
        ("keras", "m.keras"),
        ("onnx", "m.onnx"),
        ("python", "m.py"),
        ("savedmodel", "saved"),
    ):
        with pytest.raises(ModelFileError, match="truncated"):
            export_model(run, fmt, out / name)
    assert os.listdir(out) == []


def test_exports_get_permissions_from_the_umask(dbn_run, tmp_path):
    import stat

    old = os.umask(0o022)
    try:
        written = [
            export_model(dbn_run, "keras", tmp_path / "m.keras"),
            export_model(dbn_run, "python", tmp_path / "m.py"),
        ]
    finally:
        os.umask(old)
    written.append(tmp_path / "m.weights.npz")
    assert [stat.S_IMODE(os.stat(p).st_mode) for p in written] == [0o644] * 3


def test_export_replaces_an_old_export(dbn_run, tmp_path):
    out = tmp_path / "m.keras"
    out.write_text("old")
    export_model(dbn_run, "keras", out)
    assert out.read_bytes()[:2] == b"PK"
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


def test_cli_export_prints_one_line_for_bad_input(tmp_path, run_python):
    root = str(templates.template_dir().parents[1])
    proc = run_python(
        f"import sys; sys.path.insert(0, {root!r})\n"
        "from core.cli import main\n"
        f"sys.exit(main(['export', {str(tmp_path / 'nope')!r}, '--format', 'onnx', "
        f"'--out', {str(tmp_path / 'x.onnx')!r}]))"
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0
    assert "no such run folder or project file" in proc.stderr
    assert sys.executable


def _load(run):
    from core.export.safe_load import load_model_safely

    return load_model_safely(run / "model.keras")


def test_onnx_of_a_recurrent_network_with_a_fixed_length(tmp_path):
    import onnxruntime as ort

    from core.build import build

    project = templates.load("lstm-pianoroll")
    project.network.block("input").params["shape"] = [8, 48]
    out = export_model(project, "onnx", tmp_path / "lstm.onnx")
    x = np.random.default_rng(0).random((2, 8, 48), dtype=np.float32)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    diff = float(np.abs(got - _outputs(build(project).model, x)).max())
    print(f"ONNX max abs diff lstm-pianoroll (8 steps): {diff:.3g}")
    assert diff < 1e-4
