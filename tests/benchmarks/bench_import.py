"""Import real Keras models as projects and print what it takes, as JSON.

For each model (keras.applications built with ``weights=None``, and a small Transformer over
piano-roll steps): layers in the model, layers mapped to blocks, blocks on the canvas, seconds
to import, seconds to draw it on the canvas and apply the app's tidy layout (offscreen), and
the largest difference between the original's outputs and those of the imported project
exported as ``.keras``, on the same random input.

    python tests/benchmarks/bench_import.py [--size 224] [--models mobilenetv2,resnet50]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "core" / "export")]

from keras_zoo import applications, measure_import  # noqa: E402


def measure_canvas(project) -> dict:
    """Open the project on the canvas (offscreen) and apply the tidy layout (one undoable
    move of every block, redrawn)."""
    from PySide6.QtWidgets import QApplication

    from app.canvas.document import Document
    from app.canvas.scene import NetworkScene

    QApplication.instance() or QApplication([])
    for block in project.network.blocks:  # as if hand-placed in a heap: tidy moves them all
        block.position = (0.0, 0.0)
    start = time.perf_counter()
    doc = Document()
    scene = NetworkScene(doc)
    doc.set_project(project)
    open_s = time.perf_counter() - start
    start = time.perf_counter()
    scene.tidy()
    tidy_s = time.perf_counter() - start
    return {
        "canvas_blocks": len(scene.blocks),
        "open_s": round(open_s, 3),
        "tidy_s": round(tidy_s, 3),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=224, help="image side for the applications")
    parser.add_argument("--models", default="", help="comma-separated subset of the models")
    args = parser.parse_args(argv)
    makers = applications(args.size)
    chosen = [m for m in args.models.split(",") if m] or list(makers)
    results = {}
    for name in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            row = measure_import(makers[name](), Path(tmp))
        row.update(measure_canvas(row.pop("project")))
        results[name] = row
        print(json.dumps({name: row}), file=sys.stderr, flush=True)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
