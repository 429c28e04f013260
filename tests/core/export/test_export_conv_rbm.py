"""A convolutional DBN (two ConvRBM blocks over a spectrogram, then a classifier) exports
like any network: .keras opens with ``import core.layers``, SavedModel and ONNX compute what
Keras computes, and the Python script rebuilds it with Keras alone, trained weights
included."""

import numpy as np
import pytest

from core import templates
from core.export import export_model

TIME, FREQUENCY = 16, 12


def cdbn_project():
    from core.project import project_from_json

    ids = ["input", "channels", "crbm1", "crbm2", "flatten", "classes"]
    blocks = [
        {"id": "input", "type": "Input", "params": {"shape": [TIME, FREQUENCY]}},
        {"id": "channels", "type": "Reshape", "params": {"target_shape": [TIME, FREQUENCY, 1]}},
        {"id": "crbm1", "type": "ConvRBM", "params": {"filters": 5, "kernel_time": 3}},
        {
            "id": "crbm2",
            "type": "ConvRBM",
            "params": {
                "filters": 3,
                "kernel_time": 2,
                "kernel_frequency": 2,
                "visible": "bernoulli",
            },
        },
        {"id": "flatten", "type": "Flatten", "params": {}},
        {"id": "classes", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
    ]
    return project_from_json(
        {
            "format": "layerwise-project",
            "version": 2,
            "name": "cdbn",
            "network": {
                "blocks": blocks,
                "wires": [{"from": a, "to": b} for a, b in zip(ids, ids[1:], strict=False)],
            },
            "data": {"source": "arrays", "path": "spectra.npz"},
            "training": {"seed": 0},
        }
    )


@pytest.fixture(scope="module")
def cdbn_run(tmp_path_factory):
    """A run folder whose model has weights away from their initial values."""
    from core import project as project_io
    from core.build import build

    folder = tmp_path_factory.mktemp("runs") / "cdbn"
    folder.mkdir()
    project = cdbn_project()
    model = build(project).model
    rng = np.random.default_rng(5)
    model.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in model.weights])
    model.save(folder / "model.keras")
    project_io.save(project, folder / "project.json")
    return folder


def _spectra(batch=3, seed=0):
    return np.random.default_rng(seed).normal(size=(batch, TIME, FREQUENCY)).astype("float32")


def _expected(run, x):
    from core.export.safe_load import load_model_safely

    return np.asarray(load_model_safely(run / "model.keras")(x, training=False))


def test_keras_export_opens_with_import_core_layers(cdbn_run, tmp_path, run_python):
    out = export_model(cdbn_run, "keras", tmp_path / "cdbn.keras")
    x = _spectra()
    np.save(tmp_path / "x.npy", x)
    root = str(templates.template_dir().parents[1])
    proc = run_python(
        f"import sys; sys.path.insert(0, {root!r})\n"
        "import numpy as np, keras\n"
        "import core.layers\n"
        f"model = keras.models.load_model({str(out)!r})\n"
        "assert type(model.get_layer('crbm2')).__name__ == 'ConvRBM'\n"
        f"np.save({str(tmp_path / 'y.npy')!r}, np.asarray(model(np.load("
        f"{str(tmp_path / 'x.npy')!r}), training=False)))\n"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), _expected(cdbn_run, x), atol=1e-6)


def test_savedmodel_serves_what_keras_computes(cdbn_run, tmp_path):
    import tensorflow as tf

    out = export_model(cdbn_run, "savedmodel", tmp_path / "cdbn_saved")
    x = _spectra()
    loaded = tf.saved_model.load(str(out))  # keep it: serve references its variables
    np.testing.assert_allclose(np.asarray(loaded.serve(x)), _expected(cdbn_run, x), atol=1e-5)


def test_onnx_matches_keras(cdbn_run, tmp_path):
    import onnxruntime as ort

    out = export_model(cdbn_run, "onnx", tmp_path / "cdbn.onnx")
    x = _spectra(4, seed=1)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    diff = float(np.abs(got - _expected(cdbn_run, x)).max())
    print(f"ONNX max abs diff cdbn: {diff:.3g}")
    assert diff < 1e-5


def test_python_script_rebuilds_it_with_the_trained_weights(cdbn_run, tmp_path, run_python):
    script = export_model(cdbn_run, "python", tmp_path / "cdbn.py")
    text = script.read_text()
    assert "class ConvRBM(keras.layers.Layer)" in text and "ConvRBM(" in text
    x = _spectra()
    np.save(tmp_path / "x.npy", x)
    proc = run_python(
        "import sys, runpy, numpy as np\n"
        "sys.modules['core'] = None\n"
        f"model = runpy.run_path({str(script)!r})['build_model']()\n"
        f"np.save({str(tmp_path / 'y.npy')!r}, np.asarray(model(np.load("
        f"{str(tmp_path / 'x.npy')!r}), training=False)))\n",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), _expected(cdbn_run, x), atol=1e-6)


def test_an_imported_model_keeps_its_conv_rbm_blocks(cdbn_run, tmp_path):
    from core.export.importer import import_keras_model

    project, unmapped = import_keras_model(cdbn_run / "model.keras")
    assert unmapped == []
    types = {b.id: (b.type, b.params) for b in project.network.blocks}
    assert types["crbm1"][0] == "ConvRBM" and types["crbm1"][1]["filters"] == 5
    assert types["crbm2"][1]["visible"] == "bernoulli"
