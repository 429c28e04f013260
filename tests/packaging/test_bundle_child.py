"""The bundle's entry point also starts the training child: in a bundle ``sys.executable``
is the app itself, so the window's ``sys.executable -m app.workers ADDRESS`` comes to it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from multiprocessing.connection import Client
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_bundle_entry_point_serves_the_training_child(tmp_path):
    from app.workers.child import END
    from core.training.events import Failed

    address, key = str(tmp_path / "socket"), secrets.token_bytes(16)
    env = dict(os.environ, PYTHONPATH=str(ROOT), LAYERWISE_CHILD_KEY=key.hex())
    entry = ROOT / "packaging" / "layerwise_main.py"
    child = subprocess.Popen([sys.executable, str(entry), "-m", "app.workers", address], env=env)
    try:
        deadline = time.monotonic() + 60
        while not os.path.exists(address):
            assert child.poll() is None and time.monotonic() < deadline, child.poll()
            time.sleep(0.05)
        with Client(address, family="AF_UNIX", authkey=key) as conn:
            conn.send(({"format": "something-else"}, None, str(tmp_path / "run"), {}))
            failed, end = conn.recv(), conn.recv()
        assert isinstance(failed, Failed) and "not a Layerwise project" in failed.message
        assert end == END
        assert child.wait(30) == 0
    finally:
        if child.poll() is None:
            child.kill()
