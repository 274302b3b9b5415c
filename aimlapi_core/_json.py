"""JSON text helpers that belong to no wire dialect: shared by the wire layer and the accumulator.

``parse_arguments`` lives here rather than in ``wire/`` because tool-call arguments are JSON text
in the neutral stream events as well (``ToolCallDelta.arguments``): the accumulator parses them
once at the end of a stream without knowing which dialect produced them.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ResponseValidationError

__all__ = ["excerpt", "loads_text", "parse_arguments"]

_raw_decode = json.JSONDecoder().raw_decode
_JSON_SPACE = " \t\n\r"


def loads_text(text: str) -> Any:
    """``json.loads(text)`` for a ``str``: the same value, and the same error for what is not
    JSON, at about half the cost on a stream event (it skips ``loads``' wrappers and the two
    whitespace regex matches when there is no whitespace to skip).

    Example:
        >>> loads_text('{"a": 1} '), loads_text(' [2]')
        ({'a': 1}, [2])
    """
    try:
        value, end = _raw_decode(text)
    except ValueError:  # leading whitespace (valid) or not JSON: json.loads decides and words it
        return json.loads(text)
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        return json.loads(text)  # "Extra data"
    return value


def excerpt(body: Any, limit: int = 300) -> str:
    """``body`` (a string, or anything JSON-serialisable) cut to ``limit`` characters, for error
    messages that show what was received without flooding the terminal."""
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_arguments(text: str, tool_name: str) -> dict[str, Any]:
    """Tool arguments from their JSON text: empty means no arguments."""
    if not text or text.isspace():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise ResponseValidationError(
            f"the arguments of tool call {tool_name!r} are not valid JSON: {excerpt(text)}"
        ) from None
    if not isinstance(value, dict):
        raise ResponseValidationError(
            f"the arguments of tool call {tool_name!r} are not a JSON object: {excerpt(text)}"
        )
    return value
