"""The one error type of generation."""

from __future__ import annotations

from core.errors import LayerwiseError


class GenerationError(LayerwiseError):
    """A model or a request that no generation method can serve; the message says why."""
