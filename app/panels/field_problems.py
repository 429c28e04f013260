"""The validator's problems, each given to the field it is about, so the inspector can say
under that field why its value is not acceptable.

Keys are ``(section, name)`` as the inspector's editors have them: "params" and
"pretraining" for a block, "data", "representation", "audio" and "finetune" for the project.
"""

from __future__ import annotations

import re

from core.validate import Problem

FieldKey = tuple[str, str]

_BLOCK_PATTERNS = (
    (re.compile(r"^parameter '(\w+)' (.+)$"), "params"),
    (re.compile(r"^pretraining: '(\w+)' (.+)$"), "pretraining"),
)
_PROJECT_PATTERNS = (
    (re.compile(r"^data\.(source|limit|path) (.+)$"), "data"),
    (re.compile(r"^data\.representation\.(\w+) (.+)$"), "representation"),
    (re.compile(r"^data\.audio\.(\w+) (.+)$"), "audio"),
    (re.compile(r"^training\.finetune: '(\w+)' (.+)$"), "finetune"),
)
# a problem of two fields together, said under the one a user would change
_PAIRS = {
    "data.representation: lowest_pitch + pitch_count": ("representation", "pitch_count"),
    "data.audio: hop_length": ("audio", "hop_length"),
    "data.audio: n_mels": ("audio", "n_mels"),
}


def field_problems(problems: list[Problem], block_id: str | None) -> dict[FieldKey, str]:
    """The first problem of each field of block ``block_id`` (None: the project's fields),
    worded to stand under the field ("must be at least 1")."""
    found: dict[FieldKey, str] = {}
    for problem in problems:
        if problem.block != block_id:
            continue
        key_and_text = _match(problem.message, block_id is not None)
        if key_and_text and key_and_text[0] not in found:
            found[key_and_text[0]] = key_and_text[1]
    return found


def _match(message: str, of_block: bool) -> tuple[FieldKey, str] | None:
    for pattern, section in _BLOCK_PATTERNS if of_block else _PROJECT_PATTERNS:
        hit = pattern.match(message)
        if hit:
            return (section, hit.group(1)), hit.group(2)
    if not of_block:
        for prefix, key in _PAIRS.items():
            if message.startswith(prefix):
                return key, message.split(": ", 1)[1]
    return None
