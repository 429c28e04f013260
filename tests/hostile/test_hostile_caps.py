"""The worst payloads, each in a child process under resource caps (address space, CPU time,
file size): a regression that lets one run away kills the child, not the machine. Each must
be refused within the caps; the child's peak memory is printed (``pytest -s``) and bounded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hostile_payloads import MiB, deep_json, inflating_archive, midi_bytes, sparse_file

from core import templates

ADDRESS_SPACE = 1536 * MiB  # numpy and pretty_midi need about 400 MiB of address space
CPU_SECONDS = 60
FILE_SIZE = 64 * MiB
PEAK_LIMIT_MIB = 400
ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({address}, {address}))
    resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
    resource.setrlimit(resource.RLIMIT_FSIZE, ({fsize}, {fsize}))
    from core.errors import LayerwiseError
    kind, path = sys.argv[1], sys.argv[2]
    try:
        if kind == "project":
            from core import project
            from core.validate import validate
            problems = validate(project.load(path)).problems
            outcome = "problem: " + str(problems[0]) if problems else "accepted"
        elif kind == "model":
            from core.export.safe_load import load_model_safely
            load_model_safely(path)
            outcome = "accepted"
        elif kind == "import":
            from core.export.importer import import_keras_model
            import_keras_model(path)
            outcome = "accepted"
        elif kind == "render":
            from core.music.pianoroll import load_pretty_midi
            from core.music.render import render
            render(load_pretty_midi(path), 44100, renderer="built-in synthesiser")
            outcome = "accepted"
        elif kind == "run":
            from core.runs import RunFolder
            RunFolder(path).read_checkpoint()
            outcome = "accepted"
    except LayerwiseError as exc:
        outcome = "refused: " + str(exc)
    # VmHWM is this program's own peak (ru_maxrss keeps a forking parent's across exec).
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM")) / 1024
    print(json.dumps({{"outcome": outcome, "peak_mib": peak}}))
    """
).format(address=ADDRESS_SPACE, cpu=CPU_SECONDS, fsize=FILE_SIZE)


def _project(tmp_path: Path, change) -> Path:
    doc = templates.load("deephear").to_json()
    change(doc)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _set(*keys, value):
    def change(doc):
        node = doc
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value

    return change


def _rep(key, value):
    return _set("data", "representation", key, value=value)


def _deep_project(tmp_path: Path) -> Path:
    path = tmp_path / "deep.json"
    path.write_text(deep_json(1_000_000), encoding="utf-8")
    return path


def _run_with_huge_state(tmp_path: Path) -> Path:
    (tmp_path / "run" / "checkpoints").mkdir(parents=True)
    sparse_file(tmp_path / "run" / "checkpoints" / "state.json", 2048 * MiB)
    return tmp_path / "run"


def _slow_midi(tmp_path: Path) -> Path:
    path = tmp_path / "slow.mid"
    path.write_bytes(midi_bytes(tempo_us=0xFFFFFF, notes=8, gap_ticks=16383))
    return path


WORST = {
    "project nested 10^6 deep": ("project", _deep_project),
    "project of 2 GiB": ("project", lambda t: sparse_file(t / "big.json", 2048 * MiB)),
    "transpose [-1e5, 1e5]": (
        "project",
        lambda t: _project(t, _rep("transpose", [-100000, 100000])),
    ),
    "window_steps 10^9": ("project", lambda t: _project(t, _rep("window_steps", 10**9))),
    "seed 10^30": ("project", lambda t: _project(t, _set("training", "seed", value=10**30))),
    ".keras config inflating to 256 MiB": (
        "model",
        lambda t: inflating_archive(t / "bomb.keras", 256 * MiB),
    ),
    "the same, imported": ("import", lambda t: inflating_archive(t / "bomb.keras", 256 * MiB)),
    "105-byte MIDI asking for hours of audio": ("render", _slow_midi),
    "run whose state.json is 2 GiB": ("run", _run_with_huge_state),
}


@pytest.mark.parametrize("name", WORST, ids=list(WORST))
def test_the_worst_cases_are_refused_within_the_caps(tmp_path, name):
    kind, build = WORST[name]
    path = build(tmp_path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(path)],
        capture_output=True,
        text=True,
        timeout=CPU_SECONDS * 3,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"\n{name}: {result['outcome'][:100]} · peak {result['peak_mib']:.0f} MiB")
    assert result["outcome"].startswith(("refused", "problem")), result
    assert "\n" not in result["outcome"]
    assert result["peak_mib"] < PEAK_LIMIT_MIB
