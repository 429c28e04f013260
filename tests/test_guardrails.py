"""The guardrails run with the tests: layering (import-linter, and a scan for imports of the
app that import-linter cannot see), lint and format (ruff), types (mypy over core/, strict
where pyproject says so), and the promise that reading a project never loads TensorFlow."""

import ast
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _tool(name):
    path = BIN / name
    return str(path) if path.exists() else shutil.which(name)


def _run(*args):
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_import_contracts_hold():
    out = _run(_tool("lint-imports"))
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_lint_and_format():
    lint = _run(_tool("ruff"), "check", ".")
    assert lint.returncode == 0, lint.stdout
    fmt = _run(_tool("ruff"), "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


def test_core_type_checks():
    """mypy over core/ as configured in pyproject.toml; its cache lives in the temporary folder,
    one per checkout, so a second run takes about a second."""
    checkout = hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]
    cache = Path(tempfile.gettempdir()) / f"layerwise-mypy-{checkout}"
    out = _run(_tool("mypy"), "--cache-dir", str(cache))
    assert out.returncode == 0, out.stdout + out.stderr


STRICTLY_TYPED = {
    "core.layers",
    "core.layers.*",
    "core.training.events",
    "core.project",
    "core.catalog",
    "core.catalog.*",
    "core.fileio",
    "core.runs",
    "core.training.phases",
}


def test_the_typed_modules_stay_strict():
    """The fully typed modules keep mypy's strict settings and never join the ignore list."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: mypy brings tomli
        import tomli as tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    strict = [o for o in config["overrides"] if o.get("disallow_untyped_defs")]
    assert strict, "no override of [tool.mypy] sets the strict settings"
    assert set(strict[0]["module"]) >= STRICTLY_TYPED
    for setting in ("disallow_incomplete_defs", "check_untyped_defs", "disallow_any_generics"):
        assert strict[0].get(setting) is True, setting
    ignored = {m for o in config["overrides"] if o.get("ignore_errors") for m in o["module"]}
    assert not ignored & set(strict[0]["module"])


def test_reading_and_validating_a_project_does_not_load_tensorflow():
    code = (
        "import sys, core, core.templates, core.validate, core.catalog, core.cli\n"
        "core.validate.validate(core.templates.load('deephear'))\n"
        "core.cli.build_parser()\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'PySide6') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# importlib's functions that load or find a module by name, and the builtin.
IMPORT_CALLS = {"import_module", "find_spec", "__import__"}


def _names_app(module: str | None) -> bool:
    return module is not None and (module == "app" or module.startswith("app."))


def _app_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Every place a module's syntax tree imports the app: import statements, importlib calls
    and ``__import__``, whatever name the call goes through."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if _names_app(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _names_app(node.module):
            found.append((node.lineno, f"from {node.module} import ..."))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in IMPORT_CALLS:
                continue
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    if _names_app(arg.value):
                        found.append((node.lineno, f"{name}({arg.value!r})"))
                elif isinstance(arg, ast.JoinedStr) and _names_app(_literal_prefix(arg)):
                    found.append((node.lineno, f"{name}(f-string naming app)"))
    return found


def _literal_prefix(joined: ast.JoinedStr) -> str | None:
    """The text an f-string starts with before its first placeholder."""
    first = joined.values[0] if joined.values else None
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def test_core_never_names_the_app_in_an_import():
    """Core never imports the app, not even at run time through importlib or __import__."""
    offenders = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [
            f"{path.relative_to(ROOT)}:{line}: {what}" for line, what in _app_imports(tree)
        ]
    assert offenders == [], "core imports the app:\n" + "\n".join(offenders)


def test_the_app_import_scan_sees_every_form():
    """The scan above must catch each way of naming the app, or it proves nothing."""
    source = (
        "import app\n"
        "import app.audio as audio\n"
        "from app import launch\n"
        "from app.audio import AudioPlayer\n"
        "import importlib\n"
        "importlib.import_module('app.launch')\n"
        "__import__('app')\n"
        "from importlib import import_module\n"
        "import_module(f'app.{name}')\n"
        # Not imports of the app: names that merely start with the same letters, relative imports.
        "import apple\n"
        "from application import x\n"
        "from . import app\n"
        "importlib.import_module('core.app')\n"
    )
    assert [line for line, _ in _app_imports(ast.parse(source))] == [1, 2, 3, 4, 6, 7, 9]


# Declarative catalog data (tables of block declarations) may run long; code may not.
DECLARATIVE_DATA = ("core/catalog/blocks*.py",)
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _long_functions(tree: ast.AST) -> list[tuple[int, str, int]]:
    return [
        (node.lineno, node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]


def test_modules_and_functions_stay_short():
    """No module in core/ or app/ over 500 lines (catalog data aside), no function over 60."""
    data = {p for pattern in DECLARATIVE_DATA for p in ROOT.glob(pattern)}
    too_long = []
    for path in sorted([*ROOT.glob("core/**/*.py"), *ROOT.glob("app/**/*.py")]):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES and path not in data:
            too_long.append(f"{name}: {lines} lines")
        too_long += [
            f"{name}:{line}: {func} is {length} lines"
            for line, func, length in _long_functions(ast.parse(text))
        ]
    assert too_long == [], "\n".join(too_long)


def test_no_test_skips_for_a_missing_dependency():
    """A missing test dependency fails (tests/conftest.py stops the run) instead of skipping:
    no test file calls pytest.importorskip."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "importorskip"
        ]
    assert offenders == [], "pytest.importorskip in:\n" + "\n".join(offenders)
