"""Fixtures for playback tests: a private PulseAudio server with a null sink (see
pulse_helpers), and a recorder of what reaches it."""

import os
import sys
from pathlib import Path

import pytest
from pulse_helpers import SINK, Recorder, start_pulse, stop_pulse, use_server

sys.path.insert(0, str(Path(__file__).parents[2] / "core" / "music"))  # midi_files helper


@pytest.fixture(scope="session")
def pulse():
    pulse = start_pulse(SINK)
    previous = os.environ.get("PULSE_SERVER")
    use_server(pulse.server)
    yield pulse
    use_server(previous)
    stop_pulse(pulse)


@pytest.fixture
def recorder(pulse):
    return Recorder(pulse)
