"""JSON text helpers that belong to no wire dialect: shared by the wire layer and the accumulator.

``parse_arguments`` lives here rather than in ``wire/`` because tool-call arguments are JSON text
in the neutral stream events as well (``ToolCallDelta.arguments``): the accumulator parses them
once at the end of a stream without knowing which dialect produced them.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .errors import ResponseValidationError

__all__ = ["excerpt", "loads_text", "parse_arguments", "read_json"]

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


def read_json(content: bytes | str, what: str) -> Any:
    """A whole body (every endpoint's: chat, error statuses, embeddings, batches, models) as
    JSON, bounded as the stream decoders are: what the parser cannot read — bytes that are not
    UTF-8 (RFC 8259 §8.1), nesting past the interpreter's stack, a number past Python's digit
    limit, anything that is not JSON — is :class:`ResponseValidationError` naming ``what``
    ("the API answered 200 with a body"), never a bare ``RecursionError`` or ``ValueError``
    (docs/wire.md "Whole bodies").

    Example:
        >>> read_json(b'{"a": [1]}', "a body")
        {'a': [1]}
        >>> read_json(b"[" * 5000 + b"]" * 5000, "a body")
        Traceback (most recent call last):
        ...
        aimlapi_core.errors.ResponseValidationError: a body that nests JSON deeper than ...
    """
    try:
        return json.loads(content)
    except UnicodeDecodeError as exc:  # before ValueError: it is one
        problem = f"that is not valid UTF-8 ({exc.reason} at byte {exc.start})"
    except RecursionError:
        problem = (
            f"that nests JSON deeper than this client reads (about {sys.getrecursionlimit()} "
            "levels; no documented answer comes close)"
        )
    except ValueError as exc:  # not JSON, or a number past int_max_str_digits
        problem = f"that is not JSON ({exc})"
    head = content[:600]
    shown = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    raise ResponseValidationError(f"{what} {problem}: {excerpt(shown)!r}")


def excerpt(body: Any, limit: int = 300) -> str:
    """``body`` (a string, or anything JSON-serialisable) cut to ``limit`` characters, for error
    messages that show what was received without flooding the terminal. A value nested too
    deep to serialise is shown by its type: an error message never raises an error of its own."""
    if isinstance(body, str):
        text = body
    else:
        try:
            text = json.dumps(body, default=str)
        except (RecursionError, ValueError):
            text = f"<a {type(body).__name__} nested too deep to show>"
    return text if len(text) <= limit else text[:limit] + "…"


def parse_arguments(text: str, tool_name: str) -> dict[str, Any]:
    """Tool arguments from their JSON text: empty means no arguments."""
    if not text or text.isspace():
        return {}
    value = read_json(text, f"tool call {tool_name!r} came with arguments")
    if not isinstance(value, dict):
        raise ResponseValidationError(
            f"the arguments of tool call {tool_name!r} are not a JSON object: {excerpt(text)}"
        )
    return value
