"""Music and data benchmarks: chorale import (cold, cached), 16-bar render, play latency.

Run as ``python tests/benchmarks/bench_music.py [--quick]``; prints one line per number and,
last, one JSON line. Goals: generate + render 16 bars < 200 ms; play request → first audio
callback < 100 ms (into a PulseAudio null sink this script starts and stops itself).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

RATE = 44100


def bench_chorales(limit):
    from core.data import load_dataset

    data = {"source": "bach-chorales", "limit": limit}
    start = time.perf_counter()
    cold = load_dataset(data)
    cold_s = time.perf_counter() - start
    start = time.perf_counter()
    warm = load_dataset(data)
    cached_s = time.perf_counter() - start
    assert warm.metadata["from_cache"]
    pieces = sum(cold.metadata["piece_counts"].values())
    print(f"chorales: {pieces} pieces, cold {cold_s:.2f} s, cached {cached_s * 1000:.0f} ms")
    print(f"  skipped: {len(cold.metadata['skipped'])}; train windows {len(cold.x_train)}")
    return {
        "chorales": pieces,
        "chorales_cold_s": round(cold_s, 2),
        "chorales_cached_ms": round(cached_s * 1000, 1),
    }


def bench_render(repeats=7):
    from core.music.pianoroll import PianoRoll
    from core.music.render import BUILTIN, available_renderer, render

    rng = np.random.default_rng(0)
    result = {"renderer": available_renderer()}
    for renderer in dict.fromkeys([available_renderer(), BUILTIN]):
        times, cpu = [], []
        for _ in range(repeats):
            start, cpu_start = time.perf_counter(), time.process_time()
            # 16 bars of 4/4 at 4 steps a quarter: a random sparse roll stands in for a sample.
            roll = (rng.random((256, 48)) < 0.03).astype(np.float32)
            audio, _ = render(PianoRoll(roll, 4, 36, tempo=120), RATE, renderer=renderer)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
        first, median = times[0] * 1000, statistics.median(times[1:]) * 1000
        cpu_ms = statistics.median(cpu[1:]) * 1000  # CPU time: steadier on a shared machine
        print(
            f"render 16 bars ({len(audio) / RATE:.1f} s of audio) with {renderer}: "
            f"first {first:.0f} ms, median {median:.0f} ms (CPU {cpu_ms:.0f} ms)"
        )
        key = "render_16bars_ms" if renderer == result["renderer"] else "render_16bars_builtin_ms"
        result[key] = round(median, 1)
        result[key.replace("_ms", "_first_ms")] = round(first, 1)
        result[key.replace("_ms", "_cpu_ms")] = round(cpu_ms, 1)
    return result


def _start_pulse():
    if not shutil.which("pulseaudio"):
        return None, None
    folder = tempfile.mkdtemp(prefix="lw-bench-")
    server = f"unix:{folder}/native"
    proc = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "-n",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--use-pid-file=no",
            "-L",
            f"module-native-protocol-unix auth-anonymous=1 socket={folder}/native",
            "-L",
            f"module-null-sink sink_name=layerwise_bench rate={RATE}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {**os.environ, "PULSE_SERVER": server}
    for _ in range(150):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    subprocess.run(["pactl", "set-default-sink", "layerwise_bench"], env=env, capture_output=True)
    os.environ["PULSE_SERVER"] = server
    return proc, folder


def bench_play(repeats=10):
    proc, folder = _start_pulse()
    if proc is None:
        print("play latency: skipped (PulseAudio not installed)")
        return {"play_latency_ms": None}
    try:
        from app.audio import AudioPlayer

        player = AudioPlayer()
        tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(RATE // 4) / RATE)).astype(np.float32)
        latencies = []
        for _ in range(repeats):
            player.play(tone, RATE)
            player.wait(timeout=10)
            latencies.append(player.first_callback_latency * 1000)
            player.stop()
        median = statistics.median(latencies)
        print(
            f"play request -> first audio callback: median {median:.1f} ms, "
            f"max {max(latencies):.1f} ms over {repeats} plays (null sink)"
        )
        return {
            "play_latency_ms": round(median, 1),
            "play_latency_max_ms": round(max(latencies), 1),
        }
    finally:
        proc.terminate()
        proc.wait(5)
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 chorales instead of all")
    args = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="lw-bench-cache-")
    os.environ["LAYERWISE_CACHE_DIR"] = cache  # a cold cache, never the user's
    results = {}
    try:
        results.update(bench_chorales(20 if args.quick else None))
        results.update(bench_render())
        results.update(bench_play())
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    results["goals_met"] = {
        "render_under_200ms": results.get("render_16bars_ms", 1e9) < 200,
        "play_latency_under_100ms": (results.get("play_latency_ms") or 1e9) < 100,
    }
    results["load_average"] = round(os.getloadavg()[0], 2)  # other work on the machine
    print(json.dumps(results))


if __name__ == "__main__":
    main()
