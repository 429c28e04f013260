"""Model files from users: a Lambda or any other code is refused before anything runs;
truncated and foreign files give one clear line."""

import json
import zipfile

import numpy as np
import pytest

from core.errors import ModelFileError
from core.export import import_keras_model, load_model_safely


def _lambda_model(path, marker):
    from core.keras_env import load_keras

    keras = load_keras()

    def touch(x):
        with open(marker, "w") as handle:  # runs whenever the layer is traced or called
            handle.write("ran")
        return x

    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(2, name="d")(keras.layers.Lambda(touch, name="code")(inputs))
    keras.Model(inputs, outputs).save(path)
    marker.unlink()


def test_a_lambda_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "marker"
    path = tmp_path / "lambda.keras"
    _lambda_model(path, marker)
    with pytest.raises(ModelFileError, match=r"refused, the model carries code: 'code' \(Lambda\)"):
        load_model_safely(path)
    assert not marker.exists()
    project, unmapped = import_keras_model(path)
    assert not marker.exists()
    assert unmapped[0].startswith("code: Lambda — a Lambda layer carries Python code")
    assert "initial_weights" not in project.training


def _rewrite_config(source, target, edit):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.namelist():
            data = old.read(item)
            if item == "config.json":
                data = json.dumps(edit(json.loads(data))).encode()
            new.writestr(item, data)


def test_a_class_from_another_module_is_refused(dbn_run, tmp_path):
    def edit(config):
        layer = config["config"]["layers"][2]
        layer["module"], layer["registered_name"] = "os", "os>system"
        return config

    path = tmp_path / "foreign.keras"
    _rewrite_config(dbn_run / "model.keras", path, edit)
    with pytest.raises(ModelFileError, match="code from module 'os'"):
        load_model_safely(path)


def test_a_layerwise_model_loads(dbn_run):
    model = load_model_safely(dbn_run)  # a run folder finds its model.keras
    assert model.get_layer("rbm1").units == 256


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not a .keras model, or the file is truncated"),
        (b"PK\x03\x04 truncated", "not a .keras model, or the file is truncated"),
        (b"\x89HDF\r\n", "not a .keras model"),
    ],
)
def test_foreign_or_truncated_keras(tmp_path, content, message):
    path = tmp_path / "m.keras"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        load_model_safely(path)


def test_truncated_run_model(dbn_run, tmp_path):
    data = (dbn_run / "model.keras").read_bytes()
    path = tmp_path / "m.keras"
    path.write_bytes(data[:-200])
    with pytest.raises(ModelFileError, match="truncated"):
        load_model_safely(path)


def test_zip_without_a_model(tmp_path):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hi")
    with pytest.raises(ModelFileError, match="no config.json"):
        load_model_safely(path)


def test_onnx_and_savedmodel_checks(tmp_path):
    from core.export.safe_load import load_onnx_safely, load_savedmodel_safely

    (tmp_path / "m.onnx").write_bytes(b"\x08\x07garbage" * 3)
    with pytest.raises(ModelFileError, match="not a valid ONNX model"):
        load_onnx_safely(tmp_path / "m.onnx")
    with pytest.raises(ModelFileError, match="ONNX is an export format"):
        load_model_safely(tmp_path / "m.onnx")
    saved = tmp_path / "saved"
    saved.mkdir()
    with pytest.raises(ModelFileError, match="no saved_model.pb"):
        load_savedmodel_safely(saved)
    (saved / "saved_model.pb").write_bytes(b"\xff\xff\xff")
    with pytest.raises(ModelFileError, match="truncated or foreign"):
        load_savedmodel_safely(saved)
    with pytest.raises(ModelFileError, match="SavedModel folder"):
        load_model_safely(saved)


def test_exported_onnx_and_savedmodel_open(dbn_run, tmp_path):
    from core.export import export_model
    from core.export.safe_load import load_onnx_safely, load_savedmodel_safely

    x = np.zeros((1, 8, 8), dtype="float32")
    session = load_onnx_safely(export_model(dbn_run, "onnx", tmp_path / "m.onnx"))
    assert session.run(None, {session.get_inputs()[0].name: x})[0].shape == (1, 10)
    loaded = load_savedmodel_safely(export_model(dbn_run, "savedmodel", tmp_path / "saved"))
    assert np.asarray(loaded.serve(x)).shape == (1, 10)


def test_a_custom_loss_in_the_training_config_does_not_block_loading(dbn_run, tmp_path):
    def edit(config):
        config["compile_config"] = {
            "loss": {
                "module": "__main__",
                "class_name": "function",
                "config": "my_loss",
                "registered_name": "my_loss",
            }
        }
        return config

    path = tmp_path / "custom_loss.keras"
    _rewrite_config(dbn_run / "model.keras", path, edit)
    assert load_model_safely(path).get_layer("rbm1").units == 256
    with pytest.raises(ModelFileError, match="code from module '__main__'"):
        load_model_safely(path, compile=True)
