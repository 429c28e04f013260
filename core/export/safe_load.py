"""Open model files from users without running anything they carry.

A ``.keras`` archive is checked before Keras sees it: its config may name only Keras's own
classes and Layerwise's layers (no Lambda, no function or class from another module), then
Keras loads it with safe mode on. Weights are HDF5, never pickle. ONNX and SavedModel files
get their own checks with one-line messages for truncated or foreign files.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

from core import limits
from core.errors import ModelFileError

LAYERWISE_LAYERS = ("RBM", "ConvRBM", "Autoencoder", "VAESampling", "Maxout")
_REGISTERED = {f"layerwise>{name}" for name in LAYERWISE_LAYERS}
# Keras classes that carry Python code or reach outside the archive.
_REFUSED = {
    "Lambda": "a Lambda layer carries Python code",
    "__lambda__": "a lambda function carries Python code",
    "TFSMLayer": "a TFSMLayer loads another model from disk",
}


def read_keras_config(path) -> dict:
    """The model config inside a ``.keras`` archive, after checking it is one."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(f"{path}: no such file")
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder, not a .keras model file")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "config.json" not in names:
                raise ModelFileError(f"{path}: not a Keras model (the archive has no config.json)")
            if "model.weights.h5" not in names:
                raise ModelFileError(f"{path}: the archive holds no weights (model.weights.h5)")
            text = _read_config_text(archive, path)
            bad = archive.testzip()
            if bad is not None:
                raise ModelFileError(f"{path}: damaged archive ({bad} fails its checksum)")
            config = limits.loads_json(text, f"{path}: config.json")
    except limits.TooLarge as exc:
        raise ModelFileError(str(exc)) from None
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError):
        raise ModelFileError(
            f"{path}: not a .keras model, or the file is truncated (not a valid zip archive)"
        ) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelFileError(f"{path}: the model's config.json is not valid JSON") from None
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not isinstance(config, dict):
        raise ModelFileError(f"{path}: the model's config.json is not a Keras model config")
    return config


def _read_config_text(archive: zipfile.ZipFile, path: Path) -> str:
    """config.json's text, read no further than the bound (the size the archive declares
    may lie, so the read itself stops there too)."""
    limit = limits.MAX_KERAS_CONFIG_BYTES
    too_big = ModelFileError(
        f"{path}: the model's config.json unpacks to more than {limit // limits.MiB} MiB, "
        "which no real model needs; refused"
    )
    if archive.getinfo("config.json").file_size > limit:
        raise too_big
    with archive.open("config.json") as handle:
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise too_big
    return raw.decode("utf-8")


def code_in_config(config, compile: bool = False) -> list[str]:
    """Every place in a Keras config that names code Layerwise will not run (empty if none).
    The training configuration (loss, optimizer) is checked only when it will be compiled."""
    found = []

    def walk(node, where):
        if isinstance(node, dict):
            cls = node.get("class_name")
            if isinstance(cls, str):
                label = (
                    node.get("config", {}).get("name")
                    if isinstance(node.get("config"), dict)
                    else None
                )
                at = f"{label!r} ({cls})" if label else cls
                if cls in _REFUSED:
                    found.append(f"{at}: {_REFUSED[cls]}")
                elif not _allowed(node):
                    module = node.get("module") or "?"
                    found.append(
                        f"{at}: code from module {module!r}, which is neither Keras nor Layerwise"
                    )
            for key, value in node.items():
                if key == "compile_config" and not compile:
                    continue
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    walk(config, "config")
    return found


def _allowed(node: dict) -> bool:
    registered = node.get("registered_name")
    module = node.get("module")
    if registered in _REGISTERED:
        return True
    if (
        isinstance(registered, str)
        and registered.startswith("layerwise>")
        and (isinstance(module, str) and module.startswith("core."))
    ):
        return True  # Layerwise's own classes (a training model, say), from its own package
    if module is None:
        # Keras's own markers (__tuple__, __numpy__, ...) and plain names carry no module.
        return registered is None or registered == node.get("class_name")
    return module == "keras" or module.startswith("keras.")


def load_model_safely(path, compile: bool = False):
    """Load a ``.keras`` model (or a run folder's ``model.keras``) with Keras safe mode, after
    refusing any archive that carries code. Raises ModelFileError with a one-line message."""
    path = Path(path)
    if path.is_dir():
        if (path / "model.keras").is_file():
            path = path / "model.keras"
        elif (path / "saved_model.pb").is_file():
            raise ModelFileError(
                f"{path}: a SavedModel folder; Layerwise opens .keras models (SavedModel is an "
                "export format; open it with load_savedmodel_safely)"
            )
        else:
            raise ModelFileError(f"{path}: a folder with no model.keras (not a run folder)")
    elif path.suffix.lower() == ".onnx":
        raise ModelFileError(
            f"{path}: an ONNX model; Layerwise opens .keras models (ONNX is an export format)"
        )
    elif path.suffix.lower() in (".h5", ".hdf5") and path.exists():
        raise ModelFileError(f"{path}: a legacy HDF5 model; save it as .keras with Keras 3 first")
    config = read_keras_config(path)
    code = code_in_config(config, compile=compile)
    if code:
        more = f" (and {len(code) - 1} more)" if len(code) > 1 else ""
        raise ModelFileError(f"{path}: refused, the model carries code: {code[0]}{more}")
    from core.keras_env import load_keras

    keras = load_keras()
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except Exception as exc:  # Keras raises many kinds; the user needs one line
        raise ModelFileError(f"{path}: cannot be loaded ({_one_line(exc)})") from None


def load_onnx_safely(path):
    """An onnxruntime session for an ONNX file (ONNX carries no Python code), checked first."""
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such file")
    import onnx

    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as exc:  # protobuf decode errors and checker errors alike
        raise ModelFileError(
            f"{path}: not a valid ONNX model, or the file is truncated ({_one_line(exc)})"
        ) from None
    import onnxruntime

    try:
        return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ModelFileError(f"{path}: onnxruntime cannot open it ({_one_line(exc)})") from None


def load_savedmodel_safely(path):
    """``tf.saved_model.load`` for a SavedModel folder, after checking its graph parses."""
    path = Path(path)
    if not path.is_dir():
        raise ModelFileError(f"{path}: no such SavedModel folder")
    pb = path / "saved_model.pb"
    if not pb.is_file():
        raise ModelFileError(f"{path}: not a SavedModel (no saved_model.pb inside)")
    from core.keras_env import load_keras

    load_keras()
    import tensorflow as tf
    from tensorflow.core.protobuf import saved_model_pb2

    try:
        saved_model_pb2.SavedModel().ParseFromString(pb.read_bytes())
    except Exception as exc:
        raise ModelFileError(
            f"{path}: saved_model.pb is truncated or foreign ({_one_line(exc)})"
        ) from None
    try:
        return tf.saved_model.load(str(path))
    except Exception as exc:
        raise ModelFileError(
            f"{path}: the SavedModel cannot be loaded ({_one_line(exc)})"
        ) from None


def _one_line(exc: BaseException) -> str:
    """The gist of a library's error: one line, short, and never the library's advice to
    turn a protection off (Keras suggests disabling safe mode) or a whole config."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if "safe_mode" in text or "allow_pickle" in text:
        return "it needs code or objects that Layerwise does not load"
    text = limits.printable(text)
    return text if len(text) <= 160 else text[:157] + "..."
