"""How answers are cut into stream fragments: deterministic, several per answer."""

from __future__ import annotations

import re

_WORDS_RE = re.compile(r"\s*\S+\s*")


def text_fragments(text: str, words: int = 3) -> list[str]:
    """`text` in pieces of a few words; "".join(result) == text."""
    pieces = _WORDS_RE.findall(text)
    if "".join(pieces) != text:  # leading/trailing whitespace only
        pieces = [text]
    return ["".join(pieces[i : i + words]) for i in range(0, len(pieces), words)] or []


def json_fragments(text: str, size: int = 12) -> list[str]:
    """A JSON string in fixed-size slices (tool arguments arrive split mid-token on the wire)."""
    return [text[i : i + size] for i in range(0, len(text), size)]
