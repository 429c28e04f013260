"""Benchmark: generate 16 bars from a DeepHear-sized model and hear them.

Builds the DeepHear template (32 × 48 windows, 512 → 128 → 16, unrolled with decode_<id>
layers, random weights) into a run folder and loads it once as the GUI does. Then, 20 times
each: ``generate`` + a whole ``render`` (the piece rendered before anything plays), and
``generate`` + a streamed render played at once (``core.music.stream`` into
``app.audio.AudioPlayer``, through a PulseAudio null sink this script starts when PulseAudio
is installed). The last line is JSON with the medians:

    {"generate_ms", "render_ms", "total_ms": generate + whole render,
     "request_to_first_audio_ms": the request until the first audio callback that plays
        the piece (the first chunk rendered when there is no player),
     "request_to_full_render_ms": the request until the stream has rendered the piece,
     "play_to_first_callback_ms": play() until the first audio callback,
     "spread_ms": {...: {"median", "min", "max"}}, "load_average"}

Goals: request → first audio ≤ 100 ms on a quiet machine; play → first callback ≤ 50 ms.

    .venv/bin/python tests/benchmarks/bench_generate.py [--repeats N] [--method M] [--no-play]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from null_sink import null_sink  # noqa: E402

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


def spread(values) -> dict:
    """Median, min and max of a list of milliseconds, rounded."""
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def whole(model, args, renderer) -> dict:
    """Generate, then render the whole piece before anything plays (the old way)."""
    from core.music.render import render

    gen_ms, render_ms = [], []
    for seed in range(args.repeats):
        a = time.perf_counter()
        roll = model.generate(method=args.method, bars=args.bars, seed=seed)
        b = time.perf_counter()
        render(roll, args.sample_rate, renderer=renderer)
        gen_ms.append((b - a) * 1000)
        render_ms.append((time.perf_counter() - b) * 1000)
    return {"generate": gen_ms, "render": render_ms}


def streamed(model, args, renderer, player) -> dict:
    """Generate, then play while the piece renders: request → the first chunk rendered,
    → the first audio callback that plays it (with a player), → the whole piece rendered."""
    from core.music.stream import start_stream

    times: dict = {"first_chunk": [], "full_render": [], "first_audio": [], "play_latency": []}
    for seed in range(args.repeats):
        a = time.perf_counter()
        roll = model.generate(method=args.method, bars=args.bars, seed=seed)
        stream, _ = start_stream(roll, args.sample_rate, renderer=renderer)
        if player is not None:
            asked = time.perf_counter()
            player.play(stream, args.sample_rate)
            deadline = time.monotonic() + 10
            while player.first_audio_latency is None and time.monotonic() < deadline:
                time.sleep(0.0005)
            if player.first_audio_latency is not None:
                times["first_audio"].append((asked - a + player.first_audio_latency) * 1000)
                times["play_latency"].append(player.first_callback_latency * 1000)
        stream.wait()
        times["first_chunk"].append((stream.first_chunk_at - a) * 1000)
        times["full_render"].append((stream.finished_at - a) * 1000)
        if player is not None:
            player.stop()
    return times


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
    parser.add_argument(
        "--no-play", action="store_true", help="measure the stream without a player"
    )
    args = parser.parse_args()

    from core.music.generation import GenerationModel
    from core.music.render import BUILTIN, render

    renderer = BUILTIN if args.renderer == "builtin" else args.renderer

    with tempfile.TemporaryDirectory() as tmp, null_sink() as sink:
        t0 = time.perf_counter()
        run = make_run(Path(tmp) / "run")
        built = time.perf_counter()
        model = GenerationModel(run)
        loaded = time.perf_counter()
        print(f"built the run in {built - t0:.2f} s, loaded it in {loaded - built:.2f} s")
        roll = model.generate(method=args.method, bars=args.bars, seed=0)  # warm up
        _, used = render(roll, args.sample_rate, renderer=renderer)
        player = None
        if sink and not args.no_play:
            from app.audio import AudioPlayer

            player = AudioPlayer()
        old = whole(model, args, renderer)
        new = streamed(model, args, renderer, player)
        notes = int(roll.roll.sum())
        print(
            f"{args.bars} bars ({roll.steps} steps, {roll.duration_seconds:.1f} s, {notes} "
            f"active cells) with {args.method}; rendered with {used} at {args.sample_rate} Hz; "
            f"played {'into a PulseAudio null sink' if player else 'nowhere'}; "
            f"median of {args.repeats}"
        )
    print(json.dumps(result(old, new)))
    return 0


def result(old: dict, new: dict) -> dict:
    total = [g + r for g, r in zip(old["generate"], old["render"], strict=True)]
    first_audio = new["first_audio"] or new["first_chunk"]
    out = {
        "generate_ms": round(statistics.median(old["generate"]), 2),
        "render_ms": round(statistics.median(old["render"]), 2),
        "total_ms": round(statistics.median(total), 2),
        "request_to_first_chunk_ms": round(statistics.median(new["first_chunk"]), 2),
        "request_to_first_audio_ms": round(statistics.median(first_audio), 2),
        "first_audio_is": "callback" if new["first_audio"] else "first chunk (no player)",
        "request_to_full_render_ms": round(statistics.median(new["full_render"]), 2),
        "play_to_first_callback_ms": (
            round(statistics.median(new["play_latency"]), 2) if new["play_latency"] else None
        ),
        "spread_ms": {
            "total": spread(total),
            "first_audio": spread(first_audio),
            "full_render": spread(new["full_render"]),
        },
        "load_average": round(os.getloadavg()[0], 2),
    }
    if new["play_latency"]:
        out["spread_ms"]["play_to_first_callback"] = spread(new["play_latency"])
    return out


if __name__ == "__main__":
    sys.exit(main())
