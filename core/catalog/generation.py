"""Generation methods and their options, declared once.

The ``layerwise generate`` parser, :class:`core.music.generation.GenerationRequest` and the
audition panel's controls all read these tables: an option's type, default, range and help
text are written here and nowhere else. Pure Python, like the rest of the catalog.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

from core.limits import MAX_CLASSES, MAX_SEED

# The objectives (model kinds) a run can have, as core.music.generation infers them.
MODEL_KINDS = ("autoencoder", "rbm", "vae", "sequence", "classifier", "wake-sleep")


@dataclass(frozen=True)
class GenerationOption:
    """One option of a generation request.

    ``kind`` is "int", "float", "choice", "floats" (a code), "piece" or "pieces" (PianoRolls;
    MIDI files on the command line). ``optional``: None is a valid value (it then means what
    ``help`` says, e.g. "the project's tempo"). ``minimum``/``maximum`` bound numbers.
    """

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    optional: bool = False
    label: str = ""
    metavar: str | None = None

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def is_default(self, value: Any) -> bool:
        """Whether ``value`` is this option's default (so leaving it is never an error)."""
        if value is None or self.default is None:
            return value is None and self.default is None
        if isinstance(value, bool) or not isinstance(value, numbers.Number | str):
            return False
        return bool(value == self.default)

    def normalise(self, value: Any) -> Any:
        """``value`` as the plain Python type of the option; ValueError says what is wrong."""
        if value is None:
            if self.optional:
                return None
            raise ValueError(f"{self.name} must be given")
        if self.kind == "choice":
            if value not in self.choices:
                options = ", ".join(str(c) for c in self.choices)
                raise ValueError(f"unknown {self.name} {value!r} (one of: {options})")
            return value
        if self.kind in ("int", "float"):
            return self._number(value)
        return value  # codes and pieces are checked against the model by the method

    def _number(self, value: Any) -> int | float:
        whole = self.kind == "int"
        if isinstance(value, bool) or not isinstance(
            value, numbers.Integral if whole else numbers.Real
        ):
            what = "a whole number" if whole else "a number"
            raise ValueError(f"{self.name} must be {what}, not {value!r}")
        number: int | float = int(value) if whole else float(value)
        if not math.isfinite(number):
            raise ValueError(f"{self.name} must be a finite number, not {value!r}")
        low, high = self.minimum, self.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"{self.name} must be {self.range_text()}; got {number:g}")
        return number

    def range_text(self) -> str:
        what = "a whole number" if self.kind == "int" else "a number"
        low, high = self.minimum, self.maximum
        if low is not None and high is not None:
            return f"{what} from {low:g} to {high:g}"
        if low is not None:
            return f"{what} of at least {low:g}"
        if high is not None:
            return f"{what} of at most {high:g}"
        return what


@dataclass(frozen=True)
class GenerationMethod:
    """One way to make music from a model: which model kinds it serves, which options it
    reads (besides the ones every method reads, :data:`COMMON_OPTIONS`)."""

    name: str
    label: str
    help: str
    model_kinds: tuple[str, ...]
    options: tuple[str, ...] = ()

    def takes(self, option: str) -> bool:
        return option in COMMON_OPTIONS or option in self.options


MAX_BARS = 1024
ATTRIBUTE_NAMES = ("density", "polyphony", "pitch")

OPTIONS: tuple[GenerationOption, ...] = (
    GenerationOption(
        "seed", "int", 0, "random seed (same seed, same piece)", minimum=0, maximum=MAX_SEED
    ),
    GenerationOption("bars", "int", 4, "length in 4-quarter bars", minimum=1, maximum=MAX_BARS),
    GenerationOption(
        "temperature",
        "float",
        1.0,
        "sampling temperature (0: most likely notes)",
        minimum=0.0,
    ),
    GenerationOption(
        "threshold",
        "float",
        0.5,
        "note probability above which a note sounds",
        minimum=0.0,
        maximum=1.0,
        optional=True,  # None: each note is sampled from its probability
    ),
    GenerationOption(
        "code",
        "floats",
        None,
        "decode / vae-prior: code values, comma-separated",
        optional=True,
    ),
    GenerationOption(
        "start",
        "piece",
        None,
        "start from this piece (gibbs, fixed-point, vae-attribute) or continue it (next-step)",
        optional=True,
        metavar="MIDI",
    ),
    GenerationOption(
        "pieces",
        "pieces",
        None,
        "vae-interpolate: two pieces; vae-attribute: example pieces",
        optional=True,
        metavar="MIDI",
    ),
    GenerationOption(
        "steps",
        "int",
        8,
        "vae-interpolate: points on the path",
        minimum=2,
        maximum=256,
        label="Points",
    ),
    GenerationOption(
        "attribute",
        "choice",
        "density",
        "vae-attribute: density, polyphony or pitch",
        choices=ATTRIBUTE_NAMES,
    ),
    GenerationOption("amount", "float", 1.0, "vae-attribute: how far along the attribute vector"),
    GenerationOption(
        "iterations",
        "int",
        None,
        "gibbs / dbn-memory / fixed-point: number of steps; rnn-rbm-gibbs: Gibbs steps per "
        "time step",
        minimum=1,
        maximum=100000,
        optional=True,
    ),
    GenerationOption(
        "clamp",
        "int",
        0,
        "dbn-memory: time steps at the start of each window held to the start piece's, "
        "the rest completed around them (0: none)",
        minimum=0,
        maximum=4096,
        label="Clamp steps",
    ),
    GenerationOption(
        "label",
        "int",
        None,
        "dbn-memory: the class to generate (0, 1, …), held in the top RBM's label units "
        "while the memory settles; only for a run whose top RBM joins labels (none: the "
        "memory samples the class too)",
        minimum=0,
        maximum=MAX_CLASSES - 1,
        optional=True,
        label="Class",
    ),
    GenerationOption(
        "tempo",
        "float",
        None,
        "quarter notes per minute (default: the project's)",
        minimum=1.0,
        maximum=1000.0,
        optional=True,
    ),
    GenerationOption(
        "program",
        "int",
        None,
        "General MIDI program (default: the project's)",
        minimum=0,
        maximum=127,
        optional=True,
    ),
)

OPTION_INDEX: dict[str, GenerationOption] = {o.name: o for o in OPTIONS}

# Read by every method: the seed, how notes are read off, and the sound.
COMMON_OPTIONS = ("seed", "threshold", "tempo", "program")

METHOD_LIST: tuple[GenerationMethod, ...] = (
    GenerationMethod(
        "decode",
        "Decode codes",
        "decode random or chosen codes through the autoencoder's decoder (DeepHear)",
        ("autoencoder", "wake-sleep"),
        ("bars", "code"),
    ),
    GenerationMethod(
        "gibbs",
        "Gibbs sampling",
        "Gibbs sampling in the top RBM from noise or a piece, then down through the DBN",
        ("rbm", "autoencoder", "classifier"),  # any run whose input feeds a stack of RBMs
        ("bars", "temperature", "start", "iterations"),
    ),
    GenerationMethod(
        "dbn-memory",
        "DBN associative memory",
        "alternating Gibbs sampling in the top RBM (the associative memory), from noise or a "
        "piece, then one down-pass through the generative weights (Hinton et al. 2006)",
        ("wake-sleep", "rbm"),
        ("bars", "temperature", "start", "iterations", "clamp", "label"),
    ),
    GenerationMethod(
        "vae-prior",
        "VAE prior",
        "decode codes sampled from the VAE's prior N(0, I)",
        ("vae",),
        ("bars", "temperature", "code"),
    ),
    GenerationMethod(
        "vae-interpolate",
        "VAE interpolation",
        "decode points on the spherical path between two pieces' VAE codes",
        ("vae",),
        ("pieces", "steps"),
    ),
    GenerationMethod(
        "vae-attribute",
        "VAE attribute vector",
        "shift VAE codes along an attribute vector (e.g. note density)",
        ("vae",),
        ("bars", "temperature", "start", "pieces", "attribute", "amount"),
    ),
    GenerationMethod(
        "fixed-point",
        "Fixed point",
        "feed the autoencoder its own output until it stops changing",
        ("autoencoder", "vae", "wake-sleep"),
        ("bars", "start", "iterations"),
    ),
    GenerationMethod(
        "next-step",
        "Next step",
        "sample a sequence model one time step at a time, with a temperature",
        ("sequence",),
        ("bars", "temperature", "start"),
    ),
    GenerationMethod(
        "rnn-rbm-gibbs",
        "RNN-RBM Gibbs",
        "sample an RNN-RBM one time step at a time: Gibbs steps in each step's RBM",
        ("sequence",),
        ("bars", "temperature", "start", "iterations"),
    ),
)

AUTO = "auto"
AUTO_HELP = "the natural method for the run's objective"

METHOD_INDEX: dict[str, GenerationMethod] = {m.name: m for m in METHOD_LIST}

# Every name a request may carry as its method, "auto" first, with its help text.
METHODS: dict[str, str] = {AUTO: AUTO_HELP, **{m.name: m.help for m in METHOD_LIST}}


def method(name: str) -> GenerationMethod:
    """The declaration of method ``name``; KeyError names the unknown method."""
    try:
        return METHOD_INDEX[name]
    except KeyError:
        raise KeyError(f"unknown generation method {name!r}") from None


def methods_taking(option_name: str) -> tuple[str, ...]:
    """The methods that read option ``option_name``, in declaration order."""
    return tuple(m.name for m in METHOD_LIST if m.takes(option_name))


def option(name: str) -> GenerationOption:
    """The declaration of option ``name``; KeyError names the unknown option."""
    try:
        return OPTION_INDEX[name]
    except KeyError:
        raise KeyError(f"unknown generation option {name!r}") from None
