"""Data sources and the project's data settings, declared once like the blocks.

The inspector builds its data form from these declarations, the validator and the loader
check a project's "data" section against them, and ``layerwise datasets`` lists the sources.
Pure Python: nothing here loads numpy, music21 or Keras.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from core.catalog.types import Param, defaults_of
from core.limits import MAX_SEED, MAX_TRANSPOSE, MAX_WINDOW_STEPS


@dataclass(frozen=True)
class DataSource:
    """Where a project's pieces (or images) come from."""

    name: str
    label: str
    help: str
    reader: str  # which loader reads it: "corpus", "digits", "midi-folder", "npz",
    # "benchmark", "arrays", "audio-folder" or "gm-instruments"
    music: bool = True  # the piano-roll representation applies to its data
    path: str | None = None  # what data.path must name, for a source that reads the user's files
    # A benchmark set's own time step (steps per quarter note): such a set always comes as 88
    # keys from A0 on its own grid, whatever the project's representation says, so figures
    # on it compare with the literature's.
    time_step: int | None = None
    shape: tuple[int, ...] | None = None  # one sample's shape, for a source without piano rolls
    audio: bool = False  # sound turned into spectral frames (the data.audio settings apply)
    labelled: bool = False  # its samples carry class labels (the arrays source: when it has y)
    classes: int | None = None  # how many classes, when the source fixes it

    @property
    def builtin(self) -> bool:
        """Ships with Layerwise (no file of the user's to name)."""
        return self.path is None


SOURCES: tuple[DataSource, ...] = (
    DataSource(
        "bach-chorales",
        "Bach chorales",
        "J. S. Bach's chorale harmonisations from music21's corpus (about 400), all voices merged",
        reader="corpus",
    ),
    DataSource(
        "folk-tunes",
        "Folk tunes",
        "Folk fiddle tunes from Ryan's Mammoth Collection (1883) in music21's corpus "
        "(about 1,000 reels, jigs and hornpipes)",
        reader="corpus",
    ),
    DataSource(
        "maple-leaf-rag",
        "Maple Leaf Rag",
        "Scott Joplin's Maple Leaf Rag (one piece, split into 8-bar sections)",
        reader="corpus",
    ),
    DataSource(
        "digits",
        "Handwritten digits",
        "scikit-learn's 1,797 handwritten digits, 8×8 pixels, labels 0-9",
        reader="digits",
        music=False,
        shape=(8, 8),
        labelled=True,
        classes=10,
    ),
    *(
        DataSource(
            name,
            label,
            f"{what}; the official train / valid / test split of Boulanger-Lewandowski, Bengio "
            "and Vincent (2012), 88 keys",
            reader="benchmark",
            time_step=steps,
        )
        for name, label, what, steps in (
            ("jsb-chorales", "JSB Chorales", "382 Bach chorales, one step per quarter note", 1),
            ("nottingham", "Nottingham", "1,037 British and American folk tunes, eighth notes", 2),
            ("musedata", "MuseData", "783 orchestral and piano pieces, eighth notes", 2),
            ("piano-midi", "Piano-midi.de", "124 classical piano pieces, eighth notes", 2),
        )
    ),
    DataSource(
        "gm-instruments",
        "GM instruments",
        "short excerpts of the built-in corpus pieces rendered by FluidSynth with General MIDI "
        "programs of seven families (bass, brass, guitar, organ, piano, strings, woodwind), "
        "labelled by family; rendered once, then cached",
        reader="gm-instruments",
        music=False,
        audio=True,
        labelled=True,
        classes=7,
    ),
    DataSource(
        "audio-folder",
        "Audio folder",
        "a folder of your audio files (WAV, FLAC, OGG, MP3), one subfolder per class",
        reader="audio-folder",
        music=False,
        path="a folder of audio files with one subfolder per class",
        audio=True,
        labelled=True,
    ),
    DataSource(
        "midi-folder",
        "MIDI folder",
        "every MIDI file in a folder of yours (searched recursively)",
        reader="midi-folder",
        path="a folder of MIDI files",
    ),
    DataSource(
        "npz",
        "Piece file",
        "a .npz piece file written by `layerwise datasets import`",
        reader="npz",
        path="a .npz piece file",
    ),
    DataSource(
        "arrays",
        "Array file",
        "a .npz of your own arrays: x (one sample per row) and optionally y (integer labels)",
        reader="arrays",
        music=False,
        path="a .npz file holding an x array",
        labelled=True,
    ),
)

SOURCE_INDEX: dict[str, DataSource] = {s.name: s for s in SOURCES}

DATA_PARAMS: tuple[Param, ...] = (
    Param(
        "source",
        "choice",
        "bach-chorales",
        "where the training pieces come from",
        choices=tuple(s.name for s in SOURCES),
    ),
    Param(
        "limit",
        "int",
        None,
        "use at most this many pieces (all: every piece)",
        minimum=1,
        maximum=1_000_000,
        unset="all",
    ),
    Param(
        "path",
        "text",
        None,
        "the MIDI folder, audio folder or .npz file (for the sources that read your files)",
        unset="",
    ),
    Param(
        "shifted_copies",
        "bool",
        False,
        "digits: also train on each training image moved one pixel up, down, left and right "
        "(five times the training images; validation and test images stay as they are)",
    ),
)

# The piano roll's settings: the one home of their defaults (the project file, the
# importer's command-line options and the inspector all read them here).
REPRESENTATION_PARAMS: tuple[Param, ...] = (
    Param("steps_per_quarter", "int", 4, "time steps per quarter note", minimum=1, maximum=96),
    Param(
        "lowest_pitch",
        "int",
        36,
        "MIDI pitch of the piano roll's lowest row",
        minimum=0,
        maximum=127,
    ),
    Param(
        "pitch_count", "int", 48, "rows of the piano roll (pitches kept)", minimum=1, maximum=128
    ),
    Param(
        "window_steps",
        "int",
        16,
        "time steps in one training window",
        minimum=1,
        maximum=MAX_WINDOW_STEPS,
    ),
    Param(
        "hop_steps",
        "int",
        4,
        "steps between the starts of two windows",
        minimum=1,
        maximum=MAX_WINDOW_STEPS,
    ),
    Param(
        "transpose",
        "interval",
        [0, 0],
        "transpose each training piece by every shift from low to high semitones",
        minimum=-MAX_TRANSPOSE,
        maximum=MAX_TRANSPOSE,
    ),
    Param("velocity", "bool", False, "keep note velocities (else notes are on or off)"),
)

PIANO_ROLL_DEFAULTS: Mapping[str, Any] = MappingProxyType(defaults_of(REPRESENTATION_PARAMS))

# How an audio source becomes samples (the "audio" section of data): sound resampled to one
# rate, cut into spectral frames (DFT magnitude or mel), windows of frames per sample.
AUDIO_PARAMS: tuple[Param, ...] = (
    Param(
        "sample_rate",
        "int",
        16000,
        "sample rate (Hz) every file is resampled to",
        minimum=4000,
        maximum=48000,
    ),
    Param(
        "kind",
        "choice",
        "mel",
        "spectral frames: 'dft' for the DFT magnitude, 'mel' for a mel spectrogram",
        choices=("mel", "dft"),
    ),
    Param("n_fft", "int", 1024, "samples per DFT frame", minimum=64, maximum=8192),
    Param("hop_length", "int", 512, "samples between two frames", minimum=16, maximum=8192),
    Param("n_mels", "int", 64, "mel bands (for kind 'mel')", minimum=8, maximum=256),
    Param("log_compression", "bool", True, "take log(1 + magnitude) of every bin"),
    Param(
        "frames_per_window",
        "int",
        32,
        "spectral frames in one training sample",
        minimum=1,
        maximum=1024,
    ),
    Param(
        "window_hop",
        "int",
        16,
        "frames between the starts of two samples of a file",
        minimum=1,
        maximum=1024,
    ),
    Param(
        "standardize",
        "bool",
        True,
        "scale every frequency bin to zero mean and unit variance over the training frames "
        "(what Gaussian visible units expect)",
    ),
    Param(
        "max_seconds_per_file",
        "float",
        30.0,
        "read at most this many seconds of each file (longer files are cut)",
        minimum=0.5,
        maximum=3600.0,
    ),
)

AUDIO_DEFAULTS: Mapping[str, Any] = MappingProxyType(defaults_of(AUDIO_PARAMS))

SPLIT_PARAMS: tuple[Param, ...] = (
    Param("validation", "float", 0.1, "fraction of the pieces held out for validation", 0.0, 1.0),
    Param("test", "float", 0.1, "fraction of the pieces held out for testing", 0.0, 1.0),
    Param("seed", "int", 0, "seed of the split", minimum=0, maximum=MAX_SEED),
)


def data_source(name: str) -> DataSource:
    """The declaration of source ``name``; KeyError names the unknown source."""
    try:
        return SOURCE_INDEX[name]
    except KeyError:
        raise KeyError(f"unknown data source {name!r}") from None


BENCHMARK_LOWEST_PITCH = 21  # A0: the benchmark sets' lowest key
BENCHMARK_KEYS = 88


def own_representation(source: DataSource) -> dict[str, Any]:
    """What a benchmark set fixes of the representation (empty for other sources)."""
    if source.time_step is None:
        return {}
    return {
        "steps_per_quarter": source.time_step,
        "lowest_pitch": BENCHMARK_LOWEST_PITCH,
        "pitch_count": BENCHMARK_KEYS,
        "velocity": False,
    }


def sample_shape(data: Any) -> list[int] | None:
    """The shape of one sample of a project's data (what its Input block takes), from the
    declarations alone: a window of the piano roll for a music source (a benchmark set's own
    88 keys). None when the declarations cannot say: an unknown source, a broken
    representation, or arrays of the user's whose shape only the file knows."""
    if not isinstance(data, dict) or data.get("source") not in SOURCE_INDEX:
        return None
    source = SOURCE_INDEX[data["source"]]
    if source.audio:
        audio = _section(data.get("audio"), "audio", AUDIO_PARAMS)
        if isinstance(audio, list) or audio_problems(audio):
            return None
        return [audio["frames_per_window"], frequency_bins(audio)]
    if not source.music:
        return list(source.shape) if source.shape is not None else None
    section = _section(data.get("representation"), "representation", REPRESENTATION_PARAMS)
    if isinstance(section, list) or _value_problems(section, REPRESENTATION_PARAMS, ""):
        return None
    section.update(own_representation(source))
    return [section["window_steps"], section["pitch_count"]]


def default_data() -> dict[str, Any]:
    """A new project's "data" section (keys in the order the project file has always had)."""
    top = defaults_of(DATA_PARAMS)
    return {
        "source": top["source"],
        "path": top["path"],
        "limit": top["limit"],
        "representation": defaults_of(REPRESENTATION_PARAMS),
        "split": defaults_of(SPLIT_PARAMS),
    }


# ---- checks: one message per problem, each naming its field -------------------------------

_DATA_INDEX = {p.name: p for p in DATA_PARAMS}


def data_problems(data: Any) -> list[str]:
    """Every problem of a project's "data" section; the representation is checked only for
    a source it applies to."""
    if not isinstance(data, dict):
        return ["the data section must be an object"]
    problems = source_problems(data)
    if problems:
        return problems
    source = SOURCE_INDEX[data["source"]]
    problems += _value_problems(
        data, (_DATA_INDEX["limit"], _DATA_INDEX["path"], _DATA_INDEX["shifted_copies"]), "data"
    )
    if data.get("shifted_copies") and source.reader != "digits":
        problems.append("data.shifted_copies applies to the digits source only")
    if source.path is not None and not data.get("path"):
        problems.append(f'data.path must name {source.path} for source "{source.name}"')
    if source.music:
        problems += representation_problems(data.get("representation"))
    if source.audio:
        problems += audio_problems(data.get("audio"))
    return problems + split_problems(data.get("split"))


def source_problems(data: dict[str, Any]) -> list[str]:
    name = data.get("source")
    if name in SOURCE_INDEX:
        return []
    return [f"data.source must be one of {', '.join(SOURCE_INDEX)}; got {name!r}"]


def representation_problems(given: Any) -> list[str]:
    section = _section(given, "representation", REPRESENTATION_PARAMS)
    if isinstance(section, list):
        return section
    problems = _value_problems(section, REPRESENTATION_PARAMS, "data.representation")
    low, count = section["lowest_pitch"], section["pitch_count"]
    if not problems and low + count > 128:
        problems.append(
            "data.representation: lowest_pitch + pitch_count must not pass 128 "
            "(MIDI's top pitch is 127)"
        )
    return problems


def frequency_bins(audio: Mapping[str, Any]) -> int:
    """Values per spectral frame: mel bands, or the DFT's bins up to the Nyquist frequency."""
    return int(audio["n_mels"]) if audio["kind"] == "mel" else int(audio["n_fft"]) // 2 + 1


def audio_problems(given: Any) -> list[str]:
    section = _section(given, "audio", AUDIO_PARAMS)
    if isinstance(section, list):
        return section
    problems = _value_problems(section, AUDIO_PARAMS, "data.audio")
    if problems:
        return problems
    if section["hop_length"] > section["n_fft"]:
        problems.append("data.audio: hop_length must not pass n_fft (frames would leave gaps)")
    if section["kind"] == "mel" and section["n_mels"] > section["n_fft"] // 2 + 1:
        problems.append(
            f"data.audio: n_mels must be at most n_fft / 2 + 1 ({section['n_fft'] // 2 + 1})"
        )
    return problems


def split_problems(given: Any) -> list[str]:
    section = _section(given, "split", SPLIT_PARAMS)
    if isinstance(section, list):
        return section
    problems = _value_problems(section, SPLIT_PARAMS, "data.split")
    if not problems and section["validation"] + section["test"] >= 1:
        problems.append("data.split: validation + test must leave something to train on")
    return problems


def _section(given: Any, name: str, params: tuple[Param, ...]) -> dict[str, Any] | list[str]:
    """The section with its defaults filled in, or the problems that stop reading it."""
    given = given or {}
    if not isinstance(given, dict):
        return [f"data.{name} must be an object"]
    known = {p.name for p in params}
    unknown = sorted(set(given) - known)
    if unknown:
        return [f"data.{name} has unknown field {unknown[0]!r}"]
    return {**defaults_of(params), **given}


def _value_problems(values: dict[str, Any], params: tuple[Param, ...], where: str) -> list[str]:
    problems = []
    for param in params:
        message = param.check(values.get(param.name, param.default))
        if message:
            problems.append(f"{where}.{param.name} {message}")
    return problems
