"""What one generation asks for: a frozen request checked against the declarations.

The CLI and the audition panel build a :class:`GenerationRequest`; every method reads the
fields it declares (``core.catalog.generation``) and nothing else. A field's default, type
and range come from its declaration, so they are written once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from core.catalog import generation as declared
from core.music.generation.errors import GenerationError


def _default(name: str) -> Any:
    return field(default=declared.option(name).default)


@dataclass(frozen=True)
class GenerationRequest:
    """One piece to make; see ``core.catalog.generation.OPTIONS`` for each field.

    ``method`` is a declared method or "auto" (the run's natural one). Construction checks
    every value (GenerationError says which and why) and turns numpy scalars into plain
    numbers.
    """

    method: str = declared.AUTO
    seed: int = _default("seed")
    bars: int = _default("bars")
    temperature: float = _default("temperature")
    threshold: float | None = _default("threshold")
    code: Any = _default("code")
    start: Any = _default("start")
    pieces: Any = _default("pieces")
    steps: int = _default("steps")
    attribute: str = _default("attribute")
    amount: float = _default("amount")
    iterations: int | None = _default("iterations")
    clamp: int = _default("clamp")
    label: int | None = _default("label")
    tempo: float | None = _default("tempo")
    program: int | None = _default("program")

    def __post_init__(self) -> None:
        if self.method not in declared.METHODS:
            raise GenerationError(
                f"unknown generation method {self.method!r} (one of: {', '.join(declared.METHODS)})"
            )
        for option in declared.OPTIONS:
            try:
                value = option.normalise(getattr(self, option.name))
            except ValueError as exc:
                raise GenerationError(str(exc)) from None
            object.__setattr__(self, option.name, value)

    @classmethod
    def of(cls, request: GenerationRequest | None = None, **options: Any) -> GenerationRequest:
        """``request`` with ``options`` laid over it (or a new request from ``options``);
        an option no method declares is a GenerationError naming it."""
        unknown = sorted(set(options) - {"method", *declared.OPTION_INDEX})
        if unknown:
            names = ", ".join(("method", *declared.OPTION_INDEX))
            raise GenerationError(f"unknown generation option {unknown[0]!r} (options: {names})")
        if request is None:
            return cls(**options)
        return dataclasses.replace(request, **options) if options else request

    @classmethod
    def for_method(cls, method: str, values: dict[str, Any]) -> GenerationRequest:
        """A request for ``method`` from a form's ``values``: only the options the method
        reads are kept (a form holds a value for every control, used or not)."""
        taken = declared.method(method)
        return cls(method=method, **{k: v for k, v in values.items() if taken.takes(k)})

    def given(self) -> list[str]:
        """Names of the options set to something other than their default."""
        return [o.name for o in declared.OPTIONS if not o.is_default(getattr(self, o.name))]

    def check_applies(self, method: str) -> None:
        """GenerationError when an option set away from its default is one ``method``
        does not read: asking for it would silently do nothing."""
        taken = declared.method(method)
        ignored = [name for name in self.given() if not taken.takes(name)]
        if ignored:
            reads = [o.name for o in declared.OPTIONS if taken.takes(o.name)]
            raise GenerationError(
                f"option {ignored[0]!r} does not apply to {method}; it reads: {', '.join(reads)}"
            )
