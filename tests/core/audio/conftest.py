import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the sounds helper


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """Datasets cache into a folder of this test session, never the user's."""
    root = tmp_path_factory.getbasetemp() / "layerwise-cache"
    monkeypatch.setenv("LAYERWISE_CACHE_DIR", str(root))
    return root
