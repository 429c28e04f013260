"""``generation`` in evaluation.json: per generation method, its pieces against held-out ones.

The held-out pieces are the split's own pieces for a benchmark set (their first four bars) and
its windows otherwise; each method makes ``pieces`` pieces of the same length, seeds 0, 1, ...
"""

from __future__ import annotations

import math

import numpy as np

from core.evaluate import music_stats
from core.evaluate.splits import benchmark_pieces, held_out

REFERENCE_PIECES = 64  # held-out pieces compared with (evenly chosen when there are more)
BENCHMARK_BARS = 4
QUARTERS_PER_BAR = 4
BEFORE_FINE_TUNING = " (before fine-tuning)"  # the key suffix of the greedy stack's figures


def reference_rolls(steps_per_quarter: int, dataset, split: str) -> list[np.ndarray]:
    """Held-out piano rolls of the length every generated piece is cut to."""
    whole = benchmark_pieces(dataset, split)
    if whole is not None:
        length = BENCHMARK_BARS * QUARTERS_PER_BAR * steps_per_quarter
        rolls = [piece[:length] for piece in whole[1] if len(piece) >= length]
    else:
        rolls = list(np.asarray(held_out(dataset, split)[0]).reshape(-1, *dataset.sample_shape))
    if len(rolls) > REFERENCE_PIECES:
        rolls = [rolls[i] for i in np.linspace(0, len(rolls) - 1, REFERENCE_PIECES).astype(int)]
    return rolls


def generation_report(gm, dataset, split: str, pieces: int, methods=None, suffix="") -> dict:
    """Per usable method (or per one of ``methods``; keys get ``suffix``): the statistics'
    means and overlaps, or the error that stopped it."""
    from core.music.generation import GenerationError, GenerationRequest

    rolls = reference_rolls(gm.steps_per_quarter, dataset, split)
    if len(rolls) < 2:
        return {"error": f"the {split} split has fewer than two pieces to compare with"}
    length = len(rolls[0])
    spq, low = gm.steps_per_quarter, gm.lowest_pitch
    reference = [music_stats.piece_statistics(r, spq, low) for r in rolls]
    bars = max(1, math.ceil(length / (QUARTERS_PER_BAR * spq)))
    report = {}
    for method in gm.methods if methods is None else methods:
        method_key = method + suffix
        try:
            made = [
                gm.generate(GenerationRequest(method=method, seed=seed, bars=bars))
                for seed in range(pieces)
            ]
        except GenerationError as exc:
            report[method_key] = {"error": str(exc)}
            continue
        stats = [
            music_stats.piece_statistics(p.roll[:length], p.steps_per_quarter, p.lowest_pitch)
            for p in made
        ]
        report[method_key] = music_stats.compare(stats, reference)
    return report


def greedy_report(run, dataset, split: str, pieces: int) -> dict:
    """After wake-sleep fine-tuning: ``dbn-memory`` on the stack as greedy pretraining left
    it (pretrained.keras), keyed ``dbn-memory (before fine-tuning)``; {} for other runs."""
    from core.music.generation import GenerationModel
    from core.runs import PRETRAINED

    if not run.pretrained_model.is_file():
        return {}
    greedy = GenerationModel(run.path, model_file=PRETRAINED)
    methods = [m for m in greedy.methods if m == "dbn-memory"]
    if not methods:
        return {}
    return generation_report(greedy, dataset, split, pieces, methods, BEFORE_FINE_TUNING)
