"""`layerwise evaluate RUN [--split test] [--json]`: measure a run, write evaluation.json."""

from __future__ import annotations

import json
import sys

SPLITS = ("test", "validation", "train")


def register(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="measure a finished run (NLL, frame accuracy, wrong notes against baselines, "
        "accuracy, generated music against the corpus); writes evaluation.json in the run",
    )
    parser.add_argument("run", help="the run folder")
    parser.add_argument(
        "--split", choices=SPLITS, default="test", help="the held-out split to measure on"
    )
    parser.add_argument(
        "--pieces",
        type=int,
        default=16,
        help="pieces generated per method for the statistics against the corpus (0: none)",
    )
    parser.add_argument(
        "--label-fraction",
        type=float,
        default=0.1,
        help="a classifier that pretrains is trained again on this share of its labels, with "
        "and without pretraining, to compare them (0: no comparison)",
    )
    parser.add_argument("--json", action="store_true", help="print the evaluation as JSON")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.errors import LayerwiseError
    from core.evaluate import evaluate_run

    if args.pieces < 0:
        raise LayerwiseError("--pieces must be 0 or more")
    if not 0 <= args.label_fraction <= 1:
        raise LayerwiseError("--label-fraction must be between 0 and 1")
    quiet = args.json or not sys.stderr.isatty()
    progress = None if quiet else (lambda message: print(f"{message}…", file=sys.stderr))
    result = evaluate_run(
        args.run,
        split=args.split,
        pieces=args.pieces,
        progress=progress,
        label_fraction=args.label_fraction,
    )
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join(describe(result)))
    return 0


def describe(result: dict) -> list[str]:
    """The evaluation as a few lines of figures beside their baselines."""
    lines = [f"{result['objective']} model on {result['dataset']}, {result['split']} split"]
    baselines = result.get("baselines", {})
    if "nll_per_step" in result:
        per_key = baselines.get("per_key", {}).get("nll_per_step")
        lines.append(f"NLL per step     {_n(result['nll_per_step'])} nats (per-key {_n(per_key)})")
        lines.append(f"frame accuracy   {_n(result['frame_accuracy'])}")
    if "wrong_notes_per_window" in result:
        lines.append("wrong notes per window   train    held-out")
        rows = {"model": result["wrong_notes_per_window"], **baselines}
        for name, row in rows.items():
            lines.append(f"  {name:<22} {_n(row.get('train')):>7}  {_n(row.get('test')):>8}")
    if "accuracy" in result:
        lines.append(f"accuracy         {_n(result['accuracy'])}")
        for name, row in baselines.items():
            lines.append(f"  baseline {name}: {_n(row.get('accuracy'))}")
    comparison = result.get("label_fraction_comparison")
    if comparison:
        lines.append(
            f"on {comparison['fraction']:g} of the labels: pretrained "
            f"{_n(comparison['pretrained'])}, random weights {_n(comparison['random'])}"
        )
    lines += _per_class_table(result)
    for method, report in result.get("generation", {}).items():
        overlap = report.get("mean_overlap") if isinstance(report, dict) else None
        lines.append(f"generation {method}: overlap with the corpus {_n(overlap)}")
    return lines


def _per_class_table(result: dict) -> list[str]:
    """Accuracy per class beside the baselines that have it (an audio classifier's table)."""
    if "per_class" not in result:
        return []
    columns = {"model": result["per_class"]}
    for name, row in result.get("baselines", {}).items():
        if "per_class" in row:
            columns[name] = row["per_class"]
    lines = ["per class        " + "".join(f"{name:>8}" for name in columns)]
    for cls in result["per_class"]:
        cells = "".join(f"{_n(column.get(cls)):>8}" for column in columns.values())
        lines.append(f"  {cls[:14]:<14} {cells}")
    if result.get("file_accuracy") is not None:
        lines.append(f"per file         {_n(result['file_accuracy'])}")
    return lines


def _n(value) -> str:
    return "-" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)
