"""Hostile project files: each is refused with one line (ProjectError) or opens and validates
with a problem naming the setting; nothing else escapes, nothing runs away."""

from __future__ import annotations

import copy
import json
import math

import pytest
from hostile_payloads import cuts, deep_json, midi_bytes, sparse_file, wav_bytes

from core import limits, project, templates
from core.errors import ProjectError
from core.validate import validate

BASE = templates.load("dbn-digits").to_json()
BASE_TEXT = json.dumps(BASE, indent=2)
PIANO = templates.load("deephear").to_json()
UNITS = "the first block with units"


def _with(path: tuple, value, base: dict = BASE) -> dict:
    doc = copy.deepcopy(base)
    node = doc
    for key in path[:-1]:
        if key == UNITS:
            key = next(i for i, b in enumerate(node) if "units" in b.get("params", {}))
        node = node[key]
    node[path[-1]] = value
    return doc


# Files that must not load: (id, bytes).
REFUSED: list[tuple[str, bytes]] = [
    *((f"truncated-{i}", cut.encode()) for i, cut in enumerate(cuts(BASE_TEXT, 12))),
    ("empty", b""),
    ("binary", bytes(range(256)) * 4),
    ("latin-1", '{"name": "caf\xe9"}'.encode("latin-1")),
    ("wav", wav_bytes()),
    ("midi", midi_bytes()),
    ("deep-top", deep_json(100_000).encode()),
    ("deep-1000", deep_json(1000).encode()),
    ("deep-objects", ('{"a":' * 5000 + "1" + "}" * 5000).encode()),
    (
        "deep-in-description",
        json.dumps(_with(("description",), 0))
        .replace('"description": 0', '"description": ' + deep_json(50_000))
        .encode(),
    ),
    ("top-list", b"[1, 2, 3]"),
    ("top-number", b"1e999"),
    ("wrong-format", json.dumps(_with(("format",), "keras")).encode()),
    ("version-text", json.dumps(_with(("version",), "2")).encode()),
    ("version-huge", json.dumps(_with(("version",), 10**30)).encode()),
    ("version-zero", json.dumps(_with(("version",), 0)).encode()),
    *(
        (f"{field}-is-{type(value).__name__}", json.dumps(_with((field,), value)).encode())
        for field in ("name", "description", "network", "data", "training", "generation")
        for value in (17, ["x"], True)
    ),
    ("blocks-object", json.dumps(_with(("network", "blocks"), {})).encode()),
    ("wires-text", json.dumps(_with(("network", "wires"), "x")).encode()),
    ("block-id-escape", json.dumps(_with(("network", "blocks", 0, "id"), "\x1b[31mred")).encode()),
    ("block-id-long", json.dumps(_with(("network", "blocks", 0, "id"), "a" * 10_000)).encode()),
    ("block-params-list", json.dumps(_with(("network", "blocks", 0, "params"), [])).encode()),
    ("block-position-nan", json.dumps(_with(("network", "blocks", 0, "position"), [1])).encode()),
    (
        "wire-port-negative",
        json.dumps(_with(("network", "wires"), [{"from": "a", "to": "b", "port": -1}])).encode(),
    ),
    ("seed-text", json.dumps(_with(("training", "seed"), "0")).encode()),
    (
        "pretraining-enabled-text",
        json.dumps(_with(("training", "pretraining", "enabled"), "yes")).encode(),
    ),
]


@pytest.mark.parametrize("payload", [p for _, p in REFUSED], ids=[i for i, _ in REFUSED])
def test_a_hostile_project_file_is_refused_in_one_line(tmp_path, payload):
    path = tmp_path / "hostile.json"
    path.write_bytes(payload)
    with pytest.raises(ProjectError) as caught:
        project.load(path)
    message = str(caught.value)
    assert "\n" not in message and len(message) < 400 and str(path) in message


# Projects that open but must not validate: (id, path, value, words the problem contains).
OUT_OF_BOUNDS = [
    ("seed-huge", ("training", "seed"), 10**30, "seed"),
    ("seed-negative", ("training", "seed"), -1, "seed"),
    ("split-seed-huge", ("data", "split", "seed"), 10**30, "seed"),
    ("transpose-huge", ("data", "representation", "transpose"), [-100_000, 100_000], "transpose"),
    ("transpose-high", ("data", "representation", "transpose"), [0, 49], "transpose"),
    ("window-steps-1e9", ("data", "representation", "window_steps"), 10**9, "window_steps"),
    ("hop-steps-1e9", ("data", "representation", "hop_steps"), 10**9, "hop_steps"),
    ("units-65536", ("network", "blocks", UNITS, "params", "units"), 65536, "units"),
    ("units-1e12", ("network", "blocks", UNITS, "params", "units"), 10**12, "units"),
    ("units-negative", ("network", "blocks", UNITS, "params", "units"), -5, "units"),
    ("units-float", ("network", "blocks", UNITS, "params", "units"), 1.5, "units"),
    ("lr-nan", ("training", "finetune", "learning_rate"), math.nan, "learning_rate"),
    ("lr-inf", ("training", "finetune", "learning_rate"), math.inf, "learning_rate"),
    ("lr-minus-inf", ("training", "finetune", "learning_rate"), -math.inf, "learning_rate"),
    ("epochs-huge", ("training", "finetune", "epochs"), 10**12, "epochs"),
    ("batch-huge", ("training", "finetune", "batch_size"), 10**12, "batch_size"),
    ("tempo-nan", ("generation", "tempo"), math.nan, "tempo"),
    ("tempo-inf", ("generation", "tempo"), math.inf, "tempo"),
    ("tempo-tiny", ("generation", "tempo"), 0.0001, "tempo"),
    ("bars-huge", ("generation", "bars"), 10**9, "bars"),
    ("generation-seed-huge", ("generation", "seed"), 10**30, "seed"),
    ("temperature-nan", ("generation", "temperature"), math.nan, "temperature"),
    ("threshold-text", ("generation", "threshold"), "high", "threshold"),
    ("unknown-block", ("network", "blocks", 1, "type"), "os.system", "unknown block type"),
    ("unknown-param", ("network", "blocks", 1, "params", "__class__"), 1, "__class__"),
]


def _pretrain(doc: dict, value) -> dict:
    block = next(iter(doc["training"]["pretraining"]["blocks"]))
    doc["training"]["pretraining"]["blocks"] = {block: {"learning_rate": value}}
    return doc


@pytest.mark.parametrize(
    "path, value, words", [c[1:] for c in OUT_OF_BOUNDS], ids=[c[0] for c in OUT_OF_BOUNDS]
)
def test_a_quantity_out_of_bounds_is_a_problem_naming_it(tmp_path, path, value, words):
    file = tmp_path / "p.json"
    base = PIANO if path[:2] == ("data", "representation") else BASE
    file.write_text(json.dumps(_with(path, value, base)), encoding="utf-8")
    report = validate(project.load(file))
    assert any(words in str(p) for p in report.problems), report.problems


@pytest.mark.parametrize("value", [math.nan, math.inf, 0.0, 100.0])
def test_a_pretraining_learning_rate_out_of_range_is_a_problem(value):
    doc = _pretrain(copy.deepcopy(BASE), value)
    report = validate(project.project_from_json(doc))
    assert any("learning_rate" in str(p) for p in report.problems)


def test_a_network_too_big_to_train_names_its_largest_block():
    from core.spec import Block, NetworkSpec, Wire

    network = NetworkSpec(
        [
            Block("x", "Input", {"shape": [16384]}),
            Block("wide", "Dense", {"units": 16384}),
            Block("out", "Dense", {"units": 10}),
        ],
        [Wire("x", "wide"), Wire("wide", "out")],
    )
    report = validate(project.Project(network=network))
    (problem,) = [p for p in report.problems if "parameters" in p.message]
    assert problem.block == "wide" and "268,451,840" in problem.message


def test_an_oversized_project_is_refused_before_it_is_read(tmp_path):
    path = sparse_file(tmp_path / "huge.json", limits.MAX_PROJECT_BYTES + 1)
    with pytest.raises(ProjectError, match="MiB"):
        project.load(path)


def test_a_name_with_terminal_escapes_is_printed_escaped(tmp_path, capsys):
    from core import cli

    named = tmp_path / "named.json"
    named.write_text(json.dumps(_with(("name",), "\x1b]0;owned\x07\x1b[2J")), encoding="utf-8")
    typed = tmp_path / "typed.json"
    typed.write_text(
        json.dumps(_with(("network", "blocks", 1, "type"), "Dense\x1b[8m")), encoding="utf-8"
    )
    assert cli.main(["info", str(named)]) == 0
    assert cli.main(["validate", str(typed)]) == 1
    out = capsys.readouterr()
    assert "\x1b" not in out.out + out.err and "\x07" not in out.out + out.err
    assert "\\x1b]0;owned" in out.out and "Dense\\x1b[8m" in out.err
    assert limits.printable("a\x1bb\x9bc") == "a\\x1bb\\x9bc"


def test_positive_controls_the_deep_payloads_break_a_plain_parser():
    with pytest.raises(RecursionError):
        json.loads(deep_json(100_000))
    assert limits.json_depth(deep_json(100_000)) == 100_000
    assert limits.json_depth('{"a": "[[[[", "b": [1, {"c": "\\"]"}]}') == 3


def test_a_65000_block_project_loads_and_validates_in_linear_time(tmp_path):
    import time

    blocks = [{"id": "b0", "type": "Input", "params": {"shape": [8]}}]
    blocks += [{"id": f"b{i}", "type": "Dense", "params": {"units": 4}} for i in range(1, 10_000)]
    wires = [{"from": f"b{i - 1}", "to": f"b{i}"} for i in range(1, 10_000)]
    doc = _with(("network",), {"blocks": blocks, "wires": wires})
    doc["training"]["pretraining"]["blocks"] = {}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    start = time.perf_counter()
    report = validate(project.load(path))
    elapsed = time.perf_counter() - start
    assert report.ok, report.problems[:3]
    assert elapsed < 4.0, f"10,000 blocks took {elapsed:.2f} s"  # 2 s on an idle machine
