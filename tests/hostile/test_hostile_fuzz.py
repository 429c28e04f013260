"""Property-based fuzzing: whatever the bytes, the project loader, the validator and the MIDI
importer answer with a result or one line (their own error), never another exception."""

from __future__ import annotations

import json
import math

from hostile_payloads import midi_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import catalog, project, templates
from core.errors import DataError, ProjectError
from core.music.pianoroll import read_midi
from core.validate import validate

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
BASE = templates.load("deephear").to_json()
BLOCK_TYPES = sorted(catalog.REGISTRY)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(st.binary(max_size=400))
def test_the_project_loader_takes_any_bytes(payload):
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return
    try:
        project.loads(text)
    except ProjectError as exc:
        assert "\n" not in str(exc)


@FUZZ
@given(
    st.sampled_from(["name", "description", "network", "data", "training", "generation"]),
    json_values,
)
def test_the_project_loader_and_validator_take_any_section(section, value):
    doc = dict(BASE, **{section: value})
    try:
        loaded = project.loads(json.dumps(doc))
    except ProjectError as exc:
        assert "\n" not in str(exc)
        return
    validate(loaded)


blocks = st.builds(
    lambda i, kind, params: {"id": f"b{i}", "type": kind, "params": params},
    st.integers(0, 30),
    st.sampled_from(BLOCK_TYPES),
    st.dictionaries(
        st.sampled_from(["units", "shape", "rate", "activation", "filters", "kernel_size", "x"]),
        json_values,
        max_size=3,
    ),
)
wires = st.builds(
    lambda a, b, port: {"from": f"b{a}", "to": f"b{b}", "port": port},
    st.integers(0, 30),
    st.integers(0, 30),
    st.integers(0, 3),
)


@FUZZ
@given(st.lists(blocks, max_size=12, unique_by=lambda b: b["id"]), st.lists(wires, max_size=20))
def test_the_validator_takes_any_network(block_list, wire_list):
    doc = dict(BASE, network={"blocks": block_list, "wires": wire_list})
    try:
        loaded = project.loads(json.dumps(doc))
    except ProjectError:
        return
    report = validate(loaded)
    for problem in report.problems:
        assert "\n" not in str(problem)
    if report.ok:
        assert all(math.isfinite(n) for n in report.params.values())


GOOD_MIDI = midi_bytes(notes=6)


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(GOOD_MIDI) - 1), st.integers(0, 255)), max_size=8))
def test_the_midi_importer_takes_any_damaged_file(tmp_path_factory, flips):
    data = bytearray(GOOD_MIDI)
    for index, value in flips:
        data[index] = value
    path = tmp_path_factory.mktemp("midi") / "fuzz.mid"
    path.write_bytes(bytes(data))
    try:
        roll = read_midi(path)
    except DataError as exc:
        assert "\n" not in str(exc)
        return
    assert roll.roll.ndim == 2


@FUZZ
@given(st.binary(max_size=300))
def test_the_midi_importer_takes_any_bytes_after_a_header(tmp_path_factory, tail):
    path = tmp_path_factory.mktemp("midi") / "fuzz.mid"
    path.write_bytes(b"MThd" + tail)
    try:
        read_midi(path)
    except DataError as exc:
        assert "\n" not in str(exc)
