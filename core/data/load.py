"""``load_dataset``: the project's "data" section in, a split and windowed Dataset out."""

from __future__ import annotations

from pathlib import Path

from core.data import cache, corpus
from core.data.dataset import Dataset
from core.data.pieces import load_pieces, save_pieces
from core.data.representation import limit_of, representation_of, source_of, split_of
from core.data.windows import SECTION_QUARTERS, make_samples, sections, split_pieces
from core.errors import DataError

DESCRIPTIONS = {
    **corpus.BUILTIN,
    "digits": "scikit-learn's 1,797 handwritten digits, 8×8 pixels, labels 0-9",
}


def list_builtin_datasets() -> list[tuple[str, str]]:
    """(name, description) of each data set that ships with Layerwise."""
    return list(DESCRIPTIONS.items())


def _builtin_pieces(source, rep, limit, progress, use_cache):
    """Pieces of a built-in set, from the cache when it holds them (the full set serves a limit)."""
    full = cache.cache_path(source, rep, None)
    wanted = cache.cache_path(source, rep, limit)
    for path in (full, wanted) if use_cache else ():
        if path.exists():
            try:
                rolls, names, info = load_pieces(path)
            except DataError:
                continue  # a damaged cache file is rebuilt below
            n = len(rolls) if limit is None else limit
            return rolls[:n], names[:n], info["skipped"], True
    rolls, names, skipped = corpus.convert_builtin(source, rep, limit, progress)
    if use_cache:
        try:
            wanted.parent.mkdir(parents=True, exist_ok=True)
            save_pieces(wanted, rolls, names, rep, skipped)
        except (OSError, DataError):
            pass  # an unwritable cache only costs time next run
    return rolls, names, skipped, False


def _npz_pieces(path, rep, limit):
    if not path:
        raise DataError('data.path must name a .npz piece file for source "npz"')
    rolls, names, info = load_pieces(Path(path))
    for key in ("steps_per_quarter", "lowest_pitch", "pitch_count", "velocity"):
        if info[key] != rep[key]:
            raise DataError(
                f"{path} was imported with {key} {info[key]} but the project asks for "
                f"{rep[key]}; re-import it or change data.representation.{key}"
            )
    n = len(rolls) if limit is None else limit
    return rolls[:n], names[:n], info["skipped"]


def load_dataset(data: dict, *, progress=None, use_cache: bool = True) -> Dataset:
    """Build the Dataset a project's "data" section describes.

    ``progress`` is an optional ``callable(done, total, message)``.
    """
    source = source_of(data)
    split = split_of(data)
    limit = limit_of(data)
    if source == "digits":
        from core.data.digits import load_digits_dataset

        return load_digits_dataset(split, limit)

    rep = representation_of(data)
    from_cache = False
    if source in corpus.BUILTIN:
        rolls, names, skipped, from_cache = _builtin_pieces(source, rep, limit, progress, use_cache)
    elif source == "npz":
        rolls, names, skipped = _npz_pieces(data.get("path"), rep, limit)
    else:
        if not data.get("path"):
            raise DataError('data.path must name a folder of MIDI files for source "midi-folder"')
        from core.data.midi_folder import import_midi_folder

        rolls, names, skipped = import_midi_folder(data["path"], rep, progress)
        if limit is not None:
            rolls, names = rolls[:limit], names[:limit]
    if not rolls:
        raise DataError(f"data source {source!r} gave no pieces with notes in the pitch range")

    split_unit = "piece"
    if len(rolls) < 3 and (split["validation"] > 0 or split["test"] > 0):
        # One piece cannot be split by piece; its 8-bar sections can, without overlap.
        rolls, names = sections(rolls, names, rep["steps_per_quarter"])
        split_unit = f"{SECTION_QUARTERS}-quarter section"
    train_idx, val_idx, test_idx = split_pieces(
        len(rolls), split["validation"], split["test"], split["seed"]
    )
    window, hop = rep["window_steps"], rep["hop_steps"]
    low, high = rep["transpose"]
    shifts = sorted(set(range(low, high + 1)) | {0})
    count = rep["pitch_count"]
    x_train = make_samples([rolls[i] for i in train_idx], window, hop, count, shifts)
    x_val = make_samples([rolls[i] for i in val_idx], window, hop, count)
    x_test = make_samples([rolls[i] for i in test_idx], window, hop, count)
    pieces = {
        "train": [names[i] for i in train_idx],
        "validation": [names[i] for i in val_idx],
        "test": [names[i] for i in test_idx],
    }
    metadata = {
        "source": source,
        "description": DESCRIPTIONS.get(source, str(data.get("path"))),
        **{k: rep[k] for k in ("steps_per_quarter", "lowest_pitch", "pitch_count", "velocity")},
        "window_steps": window,
        "hop_steps": hop,
        "transpose": [low, high],
        "split": dict(split),
        "split_unit": split_unit,
        "piece_counts": {k: len(v) for k, v in pieces.items()},
        "pieces": pieces,
        "sample_counts": {"train": len(x_train), "validation": len(x_val), "test": len(x_test)},
        "skipped": [list(s) for s in skipped],
        "from_cache": from_cache,
    }
    return Dataset(
        name=source if source in DESCRIPTIONS else Path(str(data.get("path"))).name,
        kind="pianoroll",
        x_train=x_train,
        x_val=x_val,
        x_test=x_test,
        y_train=None,
        y_val=None,
        y_test=None,
        sample_shape=(window, rep["pitch_count"]),
        num_classes=None,
        metadata=metadata,
    )
