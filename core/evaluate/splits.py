"""The samples an evaluation measures: a split's windows, or a benchmark set's whole pieces."""

from __future__ import annotations


def held_out(dataset, split: str):
    """The split's samples and labels (labels None for unlabelled data)."""
    x = {"test": dataset.x_test, "validation": dataset.x_val, "train": dataset.x_train}[split]
    y = {"test": dataset.y_test, "validation": dataset.y_val, "train": dataset.y_train}[split]
    return x, y


def benchmark_pieces(dataset, split: str):
    """Whole pieces of a benchmark set's split (train, split), or None for other sources."""
    from core.catalog.data import SOURCE_INDEX
    from core.data.benchmark_sets import DATASET_SPLITS, load_benchmark_set

    source = SOURCE_INDEX.get(dataset.metadata.get("source", dataset.name))
    if source is None or source.reader != "benchmark":
        return None
    sets = load_benchmark_set(source.name)
    limit = max(dataset.metadata["piece_counts"].values())
    return sets["train"][:limit], sets[DATASET_SPLITS[split]][:limit]
