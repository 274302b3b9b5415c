"""Caller block fields: the required fields of a caller's content block, read with one wording.

Both adapters read a block's fields here (a dict in LangChain, ``additional_kwargs`` in
LlamaIndex), and convert under :func:`caller_input`, the net for any other malformed value.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from aimlapi_core.errors import AIMLAPIError, UnsupportedContentError

__all__ = [
    "block_str",
    "caller_input",
    "tool_arguments",
]

# --------------------------------------------------------------------------- caller block fields
# A caller's content block (a dict in LangChain, additional_kwargs in LlamaIndex) missing a field
# or holding the wrong type raised KeyError / TypeError / AttributeError from deep inside a
# converter (23 of 25 malformed inputs in tests/e2e/test_malformed_inputs.py did). Both adapters
# read required fields here.


def block_str(block: Mapping[str, Any], key: str, where: str, *, kind: str) -> str:
    """``block[key]`` if it is a non-empty string, else ``UnsupportedContentError`` naming it.

    Example:
        >>> block_str({"type": "tool_use", "name": "f"}, "name", "message 1", kind="tool_use")
        'f'
    """
    value = block.get(key)
    if not isinstance(value, str) or not value:
        got = "nothing" if value is None else f"{type(value).__name__} {value!r:.60}"
        raise UnsupportedContentError(
            f"{where}: a {kind} block needs {key!r} as a non-empty string, got {got}"
        )
    return value


def tool_arguments(raw: object, where: str) -> dict[str, Any]:
    """Tool-call arguments as a dict: a dict as is, or a JSON object in a string ("" = none).

    Example:
        >>> tool_arguments('{"city": "Oslo"}', "message 1")
        {'city': 'Oslo'}
    """
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        raise UnsupportedContentError(
            f"{where}: tool-call arguments must be a JSON object or a string holding one, "
            f"got {type(raw).__name__} {raw!r:.60}"
        )
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise UnsupportedContentError(
            f"{where}: tool-call arguments are not valid JSON ({exc})"
        ) from None
    if not isinstance(value, dict):
        raise UnsupportedContentError(
            f"{where}: tool-call arguments must be a JSON object, got {type(value).__name__}"
        )
    return value


@contextmanager
def caller_input(where: str) -> Iterator[None]:
    """Report a malformed caller value met while converting ``where`` as our own error.

    The explicit checks above name the common mistakes; this is the net under them, so that a
    shape nobody anticipated (hypothesis finds them: a list where a string goes, a number where
    a URL goes) still raises ``UnsupportedContentError`` naming the message and block, never a
    bare ``KeyError`` / ``TypeError`` / ``AttributeError`` / ``ValueError``
    (tests/e2e/test_malformed_inputs.py fuzzes both converters). The
    original exception is kept as ``__cause__``.

    Example:
        .. code-block:: python

            with caller_input("message 0 block 1"):
                name = block["name"]  # KeyError -> UnsupportedContentError naming the block
    """
    try:
        yield
    except AIMLAPIError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        raise UnsupportedContentError(
            f"{where}: malformed input ({type(exc).__name__}: {str(exc)[:120]}); check the "
            "block's fields against the adapter's documented shapes"
        ) from exc
