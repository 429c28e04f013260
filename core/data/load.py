"""``load_dataset``: the project's "data" section in, a split and windowed Dataset out.

The catalog declares the sources; each declaration names the reader below that loads it.
"""

from __future__ import annotations

from pathlib import Path

from core.budget import check_windows
from core.catalog.data import SOURCES, DataSource, data_source
from core.data import cache, corpus
from core.data.dataset import Dataset
from core.data.pieces import load_pieces
from core.data.representation import check_data, representation_of, split_of
from core.data.windows import SECTION_QUARTERS, make_samples, sections, split_pieces
from core.errors import DataError

_IMPORT_KEYS = ("steps_per_quarter", "lowest_pitch", "pitch_count", "velocity")


# What a built-in set's pieces are called when its conversion is counted.
PIECE_NOUNS = {"bach-chorales": "chorales", "folk-tunes": "tunes"}


def counted_progress(progress, noun: str):
    """``progress`` told "converting 37 of 400 chorales" on each piece a reader reports."""
    if progress is None:
        return None

    def report(done: int, total: int, _message: str = "") -> None:
        progress(done, total, f"converting {done} of {total} {noun}")

    return report


def list_builtin_datasets() -> list[tuple[str, str]]:
    """(name, description) of each data set that ships with Layerwise."""
    return [(s.name, s.help) for s in SOURCES if s.builtin]


def _corpus_pieces(source, data, rep, limit, progress, use_cache):
    """Pieces of a built-in set, from the cache when it holds them (the full set serves a limit)."""
    full = cache.cache_path(source.name, rep, None)
    wanted = cache.cache_path(source.name, rep, limit)
    for path in (full, wanted) if use_cache else ():
        if path.exists():
            try:
                rolls, names, info = load_pieces(path)
            except DataError:
                continue  # a damaged cache file is rebuilt below
            n = len(rolls) if limit is None else limit
            return rolls[:n], names[:n], info["skipped"], True
    rolls, names, skipped = corpus.convert_builtin(source.name, rep, limit, progress)
    if use_cache:
        cache.keep(wanted, rolls, names, rep, skipped)
    return rolls, names, skipped, False


def _npz_pieces(source, data, rep, limit, progress, use_cache):
    path = data["path"]
    rolls, names, info = load_pieces(Path(path))
    for key in _IMPORT_KEYS:
        if info[key] != rep[key]:
            raise DataError(
                f"{path} was imported with {key} {info[key]} but the project asks for "
                f"{rep[key]}; re-import it or change data.representation.{key}"
            )
    n = len(rolls) if limit is None else limit
    return rolls[:n], names[:n], info["skipped"], False


def _midi_folder_pieces(source, data, rep, limit, progress, use_cache):
    from core.data.midi_folder import load_midi_folder

    rolls, names, skipped, from_cache = load_midi_folder(data["path"], rep, progress, use_cache)
    n = len(rolls) if limit is None else limit
    return rolls[:n], names[:n], skipped, from_cache


_PIECE_READERS = {
    "corpus": _corpus_pieces,
    "npz": _npz_pieces,
    "midi-folder": _midi_folder_pieces,
}


def load_dataset(data: dict, *, progress=None, use_cache: bool = True) -> Dataset:
    """Build the Dataset a project's "data" section describes.

    ``progress`` is an optional ``callable(done, total, message)``; the message counts the
    pieces ("converting 37 of 400 chorales").
    """
    check_data(data)
    source = data_source(data["source"])
    split = split_of(data)
    limit = data.get("limit")
    whole = _DATASET_READERS.get(source.reader)
    if whole is not None:
        return whole(source, data, split, limit, progress, use_cache)
    rep = representation_of(data)
    read = _PIECE_READERS[source.reader]
    noun = PIECE_NOUNS.get(
        source.name, "MIDI files" if source.reader == "midi-folder" else "pieces"
    )
    progress = counted_progress(progress, noun)
    rolls, names, skipped, from_cache = read(source, data, rep, limit, progress, use_cache)
    if not rolls:
        raise DataError(f"data source {source.name!r} gave no pieces with notes in the pitch range")
    x, pieces, split_unit = _windows(rolls, names, rep, split)
    metadata = {
        "source": source.name,
        "description": source.help if source.builtin else str(data.get("path")),
        **{k: rep[k] for k in _IMPORT_KEYS},
        "window_steps": rep["window_steps"],
        "hop_steps": rep["hop_steps"],
        "transpose": list(rep["transpose"]),
        "split": dict(split),
        "split_unit": split_unit,
        "piece_counts": {k: len(v) for k, v in pieces.items()},
        "pieces": pieces,
        "sample_counts": {k: len(v) for k, v in x.items()},
        "skipped": [list(s) for s in skipped],
        "from_cache": from_cache,
    }
    return Dataset(
        name=_name(source, data),
        kind="pianoroll",
        x_train=x["train"],
        x_val=x["validation"],
        x_test=x["test"],
        y_train=None,
        y_val=None,
        y_test=None,
        sample_shape=(rep["window_steps"], rep["pitch_count"]),
        num_classes=None,
        metadata=metadata,
    )


def _audio_dataset(source, data, split, limit, progress, use_cache) -> Dataset:
    """An audio source's clips as windows of spectral frames, split by file."""
    from core.audio.representation import SpectralFrames
    from core.data.audio_dataset import clips_dataset
    from core.data.audio_folder import load_audio_folder

    rep = SpectralFrames.of_data(data)
    if source.reader == "gm-instruments":
        from core.data.gm_instruments import rendered_folder

        folder = rendered_folder(progress)
    else:
        folder = data["path"]
    progress = counted_progress(progress, "audio files")
    clips, from_cache = load_audio_folder(folder, rep, progress, use_cache)
    return clips_dataset(
        clips,
        rep,
        split,
        name=_name(source, data),
        source=source.name,
        description=source.help if source.builtin else str(data.get("path")),
        limit=limit,
        from_cache=from_cache,
    )


def _digits_dataset(source, data, split, limit, progress, use_cache) -> Dataset:
    from core.data.digits import load_digits_dataset

    return load_digits_dataset(split, limit, bool(data.get("shifted_copies")))


def _arrays_dataset(source, data, split, limit, progress, use_cache) -> Dataset:
    from core.data.arrays import load_arrays_dataset

    return load_arrays_dataset(data["path"], split, limit)


def _benchmark_dataset(source, data, split, limit, progress, use_cache) -> Dataset:
    from core.data.benchmark_sets import load_benchmark_dataset

    return load_benchmark_dataset(source, representation_of(data), limit)


# Readers that make the whole Dataset themselves (the others give pieces to window here).
_DATASET_READERS = {
    "digits": _digits_dataset,
    "arrays": _arrays_dataset,
    "benchmark": _benchmark_dataset,
    "audio-folder": _audio_dataset,
    "gm-instruments": _audio_dataset,
}


def _windows(rolls, names, rep, split):
    """Training, validation and test windows, split by piece (or by section of a lone piece);
    only the training windows are transposed."""
    split_unit = "piece"
    if len(rolls) < 3 and (split["validation"] > 0 or split["test"] > 0):
        # One piece cannot be split by piece; its 8-bar sections can, without overlap.
        rolls, names = sections(rolls, names, rep["steps_per_quarter"])
        split_unit = f"{SECTION_QUARTERS}-quarter section"
    parts = split_pieces(len(rolls), split["validation"], split["test"], split["seed"])
    window, hop, count = rep["window_steps"], rep["hop_steps"], rep["pitch_count"]
    low, high = rep["transpose"]
    shifts = sorted(set(range(low, high + 1)) | {0})
    check_windows([len(r) for r in rolls], window, hop, count, len(shifts))
    x, pieces = {}, {}
    for key, indices in zip(("train", "validation", "test"), parts, strict=True):
        chosen = [rolls[i] for i in indices]
        x[key] = make_samples(chosen, window, hop, count, shifts if key == "train" else (0,))
        pieces[key] = [names[i] for i in indices]
    return x, pieces, split_unit


def _name(source: DataSource, data: dict) -> str:
    return source.name if source.builtin else Path(str(data.get("path"))).name
