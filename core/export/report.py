"""A training report folder from a run: the summary, training curves and the final filters.

Writes summary.json (pretty), README.md and index.html with the numbers, curves-*.png from
metrics.jsonl and filters.png / reconstructions.png from the last snapshot. Plots go through
Matplotlib's Agg canvas directly (no pyplot, no GUI backend).
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np

from core.export.sources import Source
from core.runs import read_metrics_lines, read_snapshot

# Record fields that are not curves.
_KEYS = {
    "phase",
    "phase_index",
    "kind",
    "block",
    "epoch",
    "step",
    "time",
    "wall_time",
    "event",
    "samples_per_second",
    "split",
}


def _groups(records: list[dict]) -> dict:
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        key = (str(record.get("phase") or "training"), record.get("block"))
        groups.setdefault(key, []).append(record)
    return groups


def _figure(width=6.4, height=3.6):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def plot_curves(records: list[dict], folder: Path) -> list[Path]:
    """One PNG per phase; one panel per metric, its validation twin drawn with it."""
    written = []
    for (phase, block), rows in _groups(records).items():
        names = sorted(
            {
                k
                for r in rows
                for k, v in r.items()
                if k not in _KEYS and isinstance(v, int | float) and not isinstance(v, bool)
            }
        )
        families = sorted({n[4:] if n.startswith("val_") else n for n in names})
        if not families:
            continue
        figure = _figure(
            4.0 * min(len(families), 3) + 0.4, 3.0 * math.ceil(len(families) / 3) + 0.6
        )
        x_key = "epoch" if all("epoch" in r for r in rows) else None
        for index, family in enumerate(families):
            axes = figure.add_subplot(
                math.ceil(len(families) / 3), min(len(families), 3), index + 1
            )
            for name in (family, f"val_{family}"):
                points = [
                    ((r[x_key] + 1) if x_key else i, r[name])
                    for i, r in enumerate(rows)
                    if isinstance(r.get(name), int | float) and math.isfinite(float(r[name]))
                ]
                if points:
                    xs, ys = zip(*points, strict=True)
                    axes.plot(
                        xs,
                        ys,
                        marker="o" if len(points) < 30 else None,
                        markersize=3,
                        label="validation" if name.startswith("val_") else "training",
                    )
            axes.set_title(family.replace("_", " "), fontsize="medium")
            axes.set_xlabel(x_key or "record")
            axes.grid(alpha=0.3)
            axes.legend(loc="best", fontsize="small")
        title = phase if not block or str(block) in phase else f"{phase} — {block}"
        figure.suptitle(title)
        figure.tight_layout()
        stem = _slug(phase if not block or str(block) in phase else f"{phase}-{block}")
        path = folder / f"curves-{stem}.png"
        figure.savefig(path)
        written.append(path)
    return written


def _slug(text) -> str:
    return "".join(c if c.isalnum() else "_" for c in str(text)).strip("_") or "x"


def filter_tiles(filters: np.ndarray, sample_shape=None, limit: int = 64) -> list[np.ndarray]:
    """A run's snapshot filters as 2-D images. The run folder stores one filter per row:
    ``(n, features)``, or ``(n, *sample_shape)`` when the layer reads the flattened data."""
    w = np.asarray(filters, dtype=np.float32)
    if w.ndim < 2:
        return []
    tiles = []
    for one in w[:limit]:
        if one.ndim == 1:
            one = one.reshape(_image_shape(one.size, sample_shape))
        elif one.ndim > 2:
            one = one.reshape(-1, one.shape[-1])
        tiles.append(one)
    return tiles


def _image_shape(features: int, sample_shape) -> tuple[int, int]:
    if sample_shape:
        dims = [d for d in sample_shape if d]
        if len(dims) >= 2 and int(np.prod(dims)) == features:
            return int(np.prod(dims[:-1])), int(dims[-1])
    side = int(math.isqrt(features))
    while side > 1 and features % side:
        side -= 1
    return features // side, side


def plot_tiles(tiles: list[np.ndarray], path: Path, title: str) -> Path | None:
    if not tiles:
        return None
    columns = min(8, len(tiles))
    rows = math.ceil(len(tiles) / columns)
    figure = _figure(1.2 * columns + 0.4, 1.2 * rows + 0.6)
    for i, tile in enumerate(tiles):
        axes = figure.add_subplot(rows, columns, i + 1)
        limit = float(np.abs(tile).max()) or 1.0
        axes.imshow(
            tile, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto", interpolation="nearest"
        )
        axes.set_xticks([])
        axes.set_yticks([])
    figure.suptitle(title)
    figure.savefig(path)
    return path


def plot_reconstructions(inputs, reconstructions, path: Path, sample_shape=None):
    inputs = np.asarray(inputs, dtype=np.float32)
    recon = np.asarray(reconstructions, dtype=np.float32)
    count = min(len(inputs), len(recon), 8)
    if count == 0:
        return None
    figure = _figure(1.6 * count + 0.4, 3.6)
    for row, data in enumerate((inputs, recon)):
        for i in range(count):
            image = data[i]
            if image.ndim != 2:
                image = image.reshape(_image_shape(image.size, sample_shape))
            axes = figure.add_subplot(2, count, row * count + i + 1)
            axes.imshow(
                image.T if image.shape[0] > image.shape[1] * 3 else image,
                cmap="gray_r",
                aspect="auto",
                interpolation="nearest",
            )
            axes.set_xticks([])
            axes.set_yticks([])
            if i == 0:
                axes.set_ylabel("input" if row == 0 else "rebuilt")
    figure.savefig(path)
    return path


def write_report(source: Source, folder: Path) -> Path:
    run = source.trained_run()
    summary = source.summary()
    (folder / "summary.json").write_text(
        json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    records, bad = read_metrics_lines(run.metrics)
    curves = plot_curves(records, folder)
    images = []
    snap = run.last_snapshot()
    sample_shape = summary.get("sample_shape")
    if snap is not None:
        try:
            arrays = read_snapshot(snap)
        except (OSError, ValueError) as exc:
            arrays = {}
            bad_snapshot: str | None = f"{snap.name} could not be read ({exc})"
        else:
            bad_snapshot = None
        if "filters" in arrays:
            images.append(
                plot_tiles(
                    filter_tiles(arrays["filters"], sample_shape),
                    folder / "filters.png",
                    f"filters ({snap.stem})",
                )
            )
        if "inputs" in arrays and "reconstructions" in arrays:
            images.append(
                plot_reconstructions(
                    arrays["inputs"],
                    arrays["reconstructions"],
                    folder / "reconstructions.png",
                    sample_shape,
                )
            )
    else:
        bad_snapshot = None
    images = [p for p in images if p is not None]
    notes = []
    if bad:
        notes.append(f"{bad} line(s) of metrics.jsonl could not be read")
    if not records:
        notes.append("no training metrics (metrics.jsonl is missing or empty)")
    if snap is None:
        notes.append("no snapshots, so no filters")
    if bad_snapshot:
        notes.append(bad_snapshot)
    sections = _sections(source, summary)
    (folder / "README.md").write_text(
        _markdown(source, sections, curves + images, notes), encoding="utf-8"
    )
    (folder / "index.html").write_text(
        _html(source, sections, curves + images, notes), encoding="utf-8"
    )
    return folder


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _sections(source: Source, summary: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    general = [("project", source.project.name), ("run folder", str(source.run_dir))]
    for key in (
        "objective",
        "output_block",
        "code_block",
        "sample_shape",
        "device",
        "samples_per_second",
    ):
        if summary.get(key) is not None:
            general.append((key.replace("_", " "), _fmt(summary[key])))
    data = summary.get("data")
    if isinstance(data, dict):
        general += [(f"data {k}", _fmt(v)) for k, v in data.items()]
    sections = [("Run", general)]
    evaluation = summary.get("evaluation")
    if isinstance(evaluation, dict) and evaluation:
        sections.append(
            ("Evaluation on held-out data", [(k, _fmt(v)) for k, v in evaluation.items()])
        )
    phases = summary.get("phases")
    if isinstance(phases, list):
        rows = []
        for phase in phases:
            if not isinstance(phase, dict):
                continue
            name = phase.get("name") or " ".join(
                str(phase[k]) for k in ("phase", "block") if phase.get(k) is not None
            )
            if phase.get("epochs") is not None:
                name = f"{name} ({phase['epochs']} epochs)"
            metrics = phase.get("final", phase.get("metrics"))
            if not isinstance(metrics, dict):
                metrics = {}
            rows.append((name or "phase", ", ".join(f"{k} {_fmt(v)}" for k, v in metrics.items())))
        if rows:
            sections.append(("Phases (final metrics)", rows))
    return sections


def _markdown(source, sections, images, notes) -> str:
    lines = [f"# Training report: {source.project.name}", ""]
    for title, rows in sections:
        lines += [f"## {title}", "", "| | |", "| --- | --- |"]
        lines += [f"| {k} | {v} |" for k, v in rows]
        lines.append("")
    if images:
        lines += ["## Curves and filters", ""]
        lines += [f"![{p.stem}]({p.name})" for p in images]
        lines.append("")
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def _html(source, sections, images, notes) -> str:
    e = html.escape
    parts = [
        "<!doctype html>",
        "<meta charset='utf-8'>",
        f"<title>Training report: {e(source.project.name)}</title>",
        "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}"
        "td{padding:2px 12px;border-bottom:1px solid #ddd}img{max-width:100%}</style>",
        f"<h1>Training report: {e(source.project.name)}</h1>",
    ]
    for title, rows in sections:
        parts.append(f"<h2>{e(title)}</h2><table>")
        parts += [f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in rows]
        parts.append("</table>")
    if images:
        parts.append("<h2>Curves and filters</h2>")
        parts += [f"<p><img src='{e(p.name)}' alt='{e(p.stem)}'></p>" for p in images]
    if notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul>")
    return "\n".join(parts) + "\n"
