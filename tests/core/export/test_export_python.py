"""The Python code exporter: every template's script rebuilds the same architecture with Keras
alone; from a run it also loads the trained weights."""

import json

import numpy as np
import pytest

from core import templates
from core.export import export_model

# Exec each script in one fresh interpreter where importing core fails, and print what the
# test compares: layer classes, configs and the parameter count.
_INSPECT = """
import sys, json, os, runpy
sys.modules["core"] = None  # the script must not need Layerwise
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
result = {}
for path in sys.argv_paths:
    namespace = runpy.run_path(path)
    model = namespace["build_model"]()
    result[path] = {"classes": [type(l).__name__ for l in model.layers],
                    "configs": [l.get_config() for l in model.layers],
                    "params": model.count_params()}
print("RESULT" + json.dumps(result, default=repr))
"""

_NOISE = {"name", "dtype", "dtype_policy"}


def _clean(config):
    if isinstance(config, dict):
        return {k: _clean(v) for k, v in config.items() if k not in _NOISE}
    if isinstance(config, list | tuple):
        return [_clean(v) for v in config]
    return config


def _parse(proc):
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT") :])


def test_script_needs_no_keras_to_write(tmp_path, run_python):
    root = str(templates.template_dir().parents[1])
    source = str(templates.template_dir() / "deephear.json")
    proc = run_python(
        f"import sys; sys.path.insert(0, {root!r})\n"
        "from core.export import export_model\n"
        f"export_model({source!r}, 'python', {str(tmp_path / 'm.py')!r})\n"
        "print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "False"]
    text = (tmp_path / "m.py").read_text()
    assert "def build_model(" in text and "class Autoencoder(keras.layers.Layer)" in text
    assert "import core" not in text and "from core" not in text


def test_every_template_rebuilds_the_same_architecture(tmp_path, run_python):
    from core.build import build

    paths = {}
    for name in templates.names():
        paths[name] = str(
            export_model(
                templates.template_dir() / f"{name}.json",
                "python",
                tmp_path / f"{name.replace('-', '_')}.py",
            )
        )
    code = _INSPECT.replace("sys.argv_paths", repr(list(paths.values())))
    result = _parse(run_python(code, cwd=tmp_path))
    for name, path in paths.items():
        model = build(templates.load(name)).model
        got = result[path]
        assert got["classes"] == [type(layer).__name__ for layer in model.layers], name
        assert got["params"] == model.count_params(), name
        expected = json.loads(
            json.dumps([_clean(layer.get_config()) for layer in model.layers], default=repr)
        )
        assert _clean(got["configs"]) == expected, name


@pytest.mark.parametrize("template", ["dbn-digits", "melody-vae"])
def test_script_from_a_run_loads_the_trained_weights(
    template, dbn_run, tmp_path, make_run, random_input, run_python
):
    from core.export.safe_load import load_model_safely

    run = dbn_run if template == "dbn-digits" else make_run(tmp_path / "run", template)
    script = export_model(run, "python", tmp_path / "dbn.py")
    assert (tmp_path / "dbn.weights.npz").is_file()
    model = load_model_safely(run / "model.keras")
    x = random_input(model, batch=5)
    np.save(tmp_path / "x.npy", x)
    code = (
        "import sys, runpy, numpy as np\n"
        "sys.modules['core'] = None\n"
        f"model = runpy.run_path({str(script)!r})['build_model']()\n"
        f"np.save({str(tmp_path / 'y.npy')!r}, np.asarray(model(np.load("
        f"{str(tmp_path / 'x.npy')!r}), training=False)))\n"
    )
    proc = run_python(code, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = np.asarray(model(x, training=False))
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, atol=1e-6)


def test_a_project_in_memory_exports(tmp_path):
    project = templates.load("sda")
    out = export_model(project, "python", tmp_path / "sda.py")
    assert "def build_model(seed=0):" in out.read_text()


def test_block_ids_that_clash_with_python_names_are_renamed():
    from core.export.python_code import model_source

    project = templates.load("dbn-digits")
    assert "input_ = keras.Input(" in model_source(project)
    compile(model_source(project), "<export>", "exec")


@pytest.mark.parametrize("bad", ["missing.json"])
def test_missing_project_is_a_clear_error(tmp_path, bad):
    from core.errors import LayerwiseError

    with pytest.raises(LayerwiseError, match="no such run folder or project file"):
        export_model(tmp_path / bad, "python", tmp_path / "x.py")
    assert not (tmp_path / "x.py").exists()


def test_scripts_are_lint_clean(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists() and shutil.which("ruff") is None:
        pytest.fail("ruff is not installed: it is a test dependency (pip install -e '.[test]')")
    paths = [
        str(
            export_model(
                templates.template_dir() / f"{name}.json",
                "python",
                tmp_path / f"{name.replace('-', '_')}.py",
            )
        )
        for name in templates.names()
    ]
    proc = subprocess.run(
        [
            str(ruff) if ruff.exists() else "ruff",
            "check",
            "--isolated",
            "--select",
            "E,F,W,I,B,UP",
            "--line-length",
            "100",
            *paths,
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-3000:]
