"""The project file: round trip, migration, and clear errors that name the field."""

import json

import pytest

from core import project as project_io
from core import templates
from core.errors import ProjectError


def _doc(**changes):
    doc = templates.load("dbn-digits").to_json()
    doc.update(changes)
    return doc


def test_round_trip_keeps_everything(tmp_path):
    original = templates.load("deephear")
    path = project_io.save(original, tmp_path / "p.json")
    loaded = project_io.load(path)
    assert loaded.to_json() == original.to_json()
    assert loaded.path == path


def test_version_1_is_migrated():
    doc = _doc(version=1)
    doc["training"]["pretraining"] = {"rbm1": {"epochs": 3}}
    project = project_io.project_from_json(doc)
    assert project.training["pretraining"] == {"enabled": True, "blocks": {"rbm1": {"epochs": 3}}}
    assert project.pretrain_settings("rbm1")["epochs"] == 3
    assert project.to_json()["version"] == project_io.VERSION


@pytest.mark.parametrize(
    "text,needle",
    [
        ('{"format": "layerwise-project", "version": 2, "netw', "not valid JSON"),
        ("[1, 2]", "object at the top level"),
        ('{"format": "something-else", "version": 1}', "not a Layerwise project"),
        ('{"format": "layerwise-project", "version": 99, "network": {}}', "newer Layerwise"),
        ('{"format": "layerwise-project", "version": "2", "network": {}}', "version"),
        ('{"format": "layerwise-project", "version": 2}', "network: missing"),
        (
            '{"format": "layerwise-project", "version": 2, "network": {"blocks": {}}}',
            "network.blocks: expected a list",
        ),
        (
            '{"format": "layerwise-project", "version": 2, "network": {"blocks": [{"id": "a"}]}}',
            "network.blocks[0]: missing field 'type'",
        ),
        (
            '{"format": "layerwise-project", "version": 2, "network": {"blocks": '
            '[{"id": "1a", "type": "Dense"}]}}',
            "not a valid block id",
        ),
        (
            '{"format": "layerwise-project", "version": 2, "network": {"blocks": '
            '[{"id": "a", "type": "Dense"}, {"id": "a", "type": "Dense"}]}}',
            "used twice",
        ),
        (
            '{"format": "layerwise-project", "version": 2, "network": {"wires": [{"from": "a"}]}}',
            "network.wires[0]: missing field 'to'",
        ),
        (
            '{"format": "layerwise-project", "version": 2, "network": {}, "training": {"seed": "x"}}',
            "training.seed",
        ),
    ],
)
def test_malformed_files_name_the_field(text, needle):
    with pytest.raises(ProjectError) as info:
        project_io.loads(text)
    assert needle in str(info.value)


def test_unreadable_files(tmp_path):
    with pytest.raises(ProjectError, match="no such file"):
        project_io.load(tmp_path / "missing.json")
    binary = tmp_path / "picture.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    with pytest.raises(ProjectError, match="not a text file"):
        project_io.load(binary)
    with pytest.raises(ProjectError, match="folder"):
        project_io.load(tmp_path)


def test_save_is_atomic_and_never_leaves_half_a_file(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    project_io.save(templates.load("sda"), path)
    before = path.read_text()

    def broken_dumps(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(project_io.json, "dumps", broken_dumps)
    with pytest.raises(RuntimeError):
        project_io.save(templates.load("deephear"), path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


def test_loading_does_not_touch_the_file(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_doc(version=1)))
    before = path.read_bytes()
    project_io.load(path)
    assert path.read_bytes() == before


def test_every_template_is_documented_and_loads():
    assert templates.names()[: len(templates.ORDER)] == list(templates.ORDER)
    for name, description in templates.describe():
        assert len(description) > 40, name
    with pytest.raises(ProjectError, match="no template named"):
        templates.load("nope")
