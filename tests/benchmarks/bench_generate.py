"""Benchmark: generate 16 bars from a DeepHear-sized model and render them to audio.

Builds the DeepHear template (32 × 48 windows, 512 → 128 → 16, unrolled with decode_<id>
layers, random weights) into a run folder, loads it once as the GUI does, then times
``generate`` + ``render`` 20 times. Prints the medians; the last line is JSON:
{"generate_ms": ..., "render_ms": ..., "total_ms": ...}.

    .venv/bin/python tests/benchmarks/bench_generate.py [--repeats N] [--method M]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


ON_FRACTION = 0.08  # about four notes sounding at a time out of 48 pitches, like a chorale


def calibrate(model, code_size: int, fraction: float) -> None:
    """Shift the last decoder bias so random codes turn on ``fraction`` of the cells, as a
    trained model's output would (random weights alone turn on about half)."""
    import numpy as np

    last = model.get_layer("decode_encoder1")
    names = [layer.name for layer in model.layers]
    codes = np.random.default_rng(0).random((256, code_size), dtype=np.float32)
    x = codes
    for layer in model.layers[names.index("code") + 1 : names.index("decode_encoder1")]:
        x = layer(x)
    kernel, bias = last.get_weights()
    pre = np.asarray(x) @ kernel + bias
    last.set_weights([kernel, bias - np.quantile(pre, 1.0 - fraction, axis=0)])


def make_run(folder: Path) -> Path:
    from core import project as project_io
    from core.build import build
    from core.keras_env import load_keras

    keras = load_keras()
    proj = project_io.load(ROOT / "resources" / "templates" / "deephear.json")
    encoder = build(proj).model
    rep = proj.data["representation"]
    shape = (rep["window_steps"], rep["pitch_count"])
    x = encoder.output
    for block in ("code", "encoder2", "encoder1"):
        layer = encoder.get_layer(block)
        dense = keras.layers.Dense(
            int(layer.kernel.shape[0]), activation="sigmoid", name=f"decode_{block}"
        )
        x = dense(x)
        dense.set_weights([layer.get_weights()[0].T * 4.0, layer.get_weights()[2]])
    x = keras.layers.Reshape(shape, name="reconstruction")(x)
    model = keras.Model(encoder.input, x)
    calibrate(model, encoder.get_layer("code").output.shape[-1], ON_FRACTION)
    folder.mkdir(parents=True, exist_ok=True)
    model.save(folder / "model.keras")
    project_io.save(proj, folder / "project.json")
    summary = {
        "objective": "autoencoder",
        "output_block": "code",
        "code_block": "code",
        "sample_shape": list(shape),
        "data": {
            "kind": "pianoroll",
            "source": proj.data["source"],
            **{k: rep[k] for k in ("steps_per_quarter", "lowest_pitch", "pitch_count")},
        },
    }
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--bars", type=int, default=16)
    parser.add_argument("--method", default="decode")
    parser.add_argument("--sample-rate", type=int, default=44100)
    parser.add_argument(
        "--renderer",
        choices=["fluidsynth", "builtin"],
        help="force a renderer (default: FluidSynth when available)",
    )
    args = parser.parse_args()

    from core.music.generation import GenerationModel
    from core.music.render import BUILTIN, render

    renderer = BUILTIN if args.renderer == "builtin" else args.renderer

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        run = make_run(Path(tmp) / "run")
        built = time.perf_counter()
        model = GenerationModel(run)
        loaded = time.perf_counter()
        print(f"built the run in {built - t0:.2f} s, loaded it in {loaded - built:.2f} s")
        roll = model.generate(method=args.method, bars=args.bars, seed=0)  # warm up
        _, used = render(roll, args.sample_rate, renderer=renderer)
        gen_ms, render_ms = [], []
        for seed in range(args.repeats):
            a = time.perf_counter()
            roll = model.generate(method=args.method, bars=args.bars, seed=seed)
            b = time.perf_counter()
            audio, used = render(roll, args.sample_rate, renderer=renderer)
            c = time.perf_counter()
            gen_ms.append((b - a) * 1000)
            render_ms.append((c - b) * 1000)
        total = [g + r for g, r in zip(gen_ms, render_ms, strict=True)]
        notes = int(roll.roll.sum())
        print(
            f"{args.bars} bars ({roll.steps} steps, {roll.duration_seconds:.1f} s, {notes} "
            f"active cells) with {args.method}; rendered with {used} at {args.sample_rate} Hz; "
            f"median of {args.repeats}"
        )
    result = {
        "generate_ms": round(statistics.median(gen_ms), 2),
        "render_ms": round(statistics.median(render_ms), 2),
        "total_ms": round(statistics.median(total), 2),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
