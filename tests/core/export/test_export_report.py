"""The training report folder: summary, curves and filters as PNG, numbers in README/HTML."""

import shutil
import subprocess
import sys

import pytest

from core import templates
from core.errors import LayerwiseError
from core.export import export_model


def test_report_from_a_run(dbn_run, tmp_path):
    out = export_model(dbn_run, "report", tmp_path / "report")
    names = sorted(p.name for p in out.iterdir())
    assert {"summary.json", "README.md", "index.html", "filters.png", "reconstructions.png"} <= set(
        names
    )
    assert [n for n in names if n.startswith("curves-")] == [
        "curves-fine_tune.png",
        "curves-pretrain_rbm1.png",
    ]
    assert all((out / n).read_bytes()[:4] == b"\x89PNG" for n in names if n.endswith(".png"))
    readme = (out / "README.md").read_text()
    assert "1234" in readme and "accuracy | 0.9" in readme
    assert "filters.png" in (out / "index.html").read_text()


def test_report_survives_missing_and_bad_metrics(dbn_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(dbn_run, run)
    (run / "metrics.jsonl").write_text('{"phase": "fine-tune", "epoch": 0, "loss": 1}\nnot json\n')
    shutil.rmtree(run / "snapshots")
    out = export_model(run, "report", tmp_path / "report")
    readme = (out / "README.md").read_text()
    assert "1 line(s) of metrics.jsonl could not be read" in readme
    assert "no snapshots" in readme


def test_report_needs_a_run(tmp_path):
    with pytest.raises(LayerwiseError, match="needs a run folder"):
        export_model(templates.template_dir() / "sda.json", "report", tmp_path / "r")
    assert list(tmp_path.iterdir()) == []


def test_report_does_not_load_a_gui_backend(dbn_run, tmp_path):
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(templates.template_dir().parents[1])!r})\n"
        "from core.export import export_model\n"
        f"export_model({str(dbn_run)!r}, 'report', {str(tmp_path / 'r')!r})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'pyqtgraph', 'tkinter', 'matplotlib.pyplot')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[]"
