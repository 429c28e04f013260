"""The empty project File › New gives, and the Input shape that follows the data."""

from __future__ import annotations

import pytest

from core import project as project_io
from core import templates, validate
from core.catalog.data import SOURCES, default_data, sample_shape


def test_sample_shape_follows_the_data():
    data = default_data()
    assert sample_shape(data) == [16, 48]
    data["representation"].update(window_steps=32, pitch_count=88)
    assert sample_shape(data) == [32, 88]
    assert sample_shape({**default_data(), "source": "digits"}) == [8, 8]
    assert sample_shape({**default_data(), "source": "nowhere"}) is None
    broken = default_data()
    broken["representation"]["pitch_count"] = 0
    assert sample_shape(broken) is None
    assert sample_shape(None) is None


def test_every_source_but_the_users_arrays_says_its_sample_shape():
    for source in SOURCES:
        shape = sample_shape({**default_data(), "source": source.name})
        assert (shape is None) == (source.name == "arrays"), source.name
        if source.time_step is not None:  # a benchmark set: 88 keys on its own grid
            assert shape == [16, 88]


@pytest.mark.parametrize("source", [None, "digits", "folk-tunes"])
def test_the_empty_project_has_one_input_shaped_for_its_data(source, tmp_path):
    project = templates.empty(source)
    assert [b.type for b in project.network.blocks] == ["Input"]
    data = project.data
    assert data["source"] == (source or "bach-chorales")
    assert project.network.blocks[0].params["shape"] == sample_shape(data)
    assert project.path is None and project.name == "Untitled"
    messages = [p.message for p in validate.validate(project).problems]
    assert messages == ["the network has no block after its Input"]  # only what is missing
    project_io.save(project, tmp_path / "empty.json")
    assert project_io.load(tmp_path / "empty.json").to_json() == project.to_json()


def test_a_new_input_takes_the_datas_shape():
    assert templates.input_params({**default_data(), "source": "digits"}) == {"shape": [8, 8]}
    assert templates.input_params({"source": "nowhere"}) == {"shape": [16, 48]}
