"""The core's neutral content parts: what a message, a system prompt or a result is made of.

Part of the neutral model (``_types.py`` re-exports every name here, and ``aimlapi_core``
exports them): text, images, documents, search results, tool calls and results, thinking, and
the blocks this library has no type for (:class:`RawPart`). Nothing here knows a wire field
name; the wire's block shapes are ``wire/blocks.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

JSONObject: TypeAlias = dict[str, Any]

__all__ = [
    "DocumentPart",
    "ImagePart",
    "JSONObject",
    "Part",
    "RawPart",
    "RedactedThinkingPart",
    "SearchResultPart",
    "ServerToolCallPart",
    "ServerToolResultPart",
    "TextPart",
    "ThinkingPart",
    "ToolCallPart",
    "ToolResultPart",
]


@dataclass(slots=True, kw_only=True)
class TextPart:
    """Text. ``citations`` are the wire's citation objects (``char_location``,
    ``web_search_result_location``, ``url_citation``, ...), kept as sent so they round-trip."""

    text: str
    cache_control: JSONObject | None = None
    citations: list[JSONObject] | None = None


@dataclass(slots=True, kw_only=True)
class ImagePart:
    """An image. The API takes base64 only, so a ``url`` is fetched and inlined by the client
    before the request is encoded (``data`` and ``media_type`` are then filled in)."""

    media_type: str | None = None
    data: str | None = None  # base64, no ``data:`` prefix
    url: str | None = None
    cache_control: JSONObject | None = None


@dataclass(slots=True, kw_only=True)
class DocumentPart:
    """A document (``application/pdf`` as base64 ``data``, or ``text/plain`` as plain ``data``),
    or a PDF the API fetches from ``url`` (``source.type: "url"``, where the model's schema lists
    it; ``data`` is then empty)."""

    media_type: str
    data: str = ""
    url: str | None = None
    title: str | None = None
    context: str | None = None
    cache_control: JSONObject | None = None


@dataclass(slots=True, kw_only=True)
class SearchResultPart:
    """A search result the caller supplies for the model to cite (``search_result`` blocks of
    the newer Claude schemas): ``source`` (usually a URL), ``title`` and its text."""

    source: str
    title: str
    content: list[TextPart]
    citations: bool | None = None  # citations.enabled
    cache_control: JSONObject | None = None


@dataclass(slots=True, kw_only=True)
class ServerToolCallPart:
    """A call of a server tool (``server_tool_use``: web search, web fetch, code execution...):
    run by the API, not by the caller; sent back as is in later turns."""

    id: str
    name: str
    arguments: JSONObject


@dataclass(slots=True, kw_only=True)
class ServerToolResultPart:
    """The API's result of a server tool call. ``type`` is the wire block type
    (``web_search_tool_result``, ``web_fetch_tool_result``, ``code_execution_tool_result``...)
    and ``content`` its content exactly as received (search results, an error object...)."""

    type: str
    tool_call_id: str
    content: Any


@dataclass(slots=True, kw_only=True)
class RawPart:
    """A content block this library has no type for (a block type newer than the library),
    kept verbatim: shown to the caller, sent back as is, never dropped."""

    block: JSONObject


@dataclass(slots=True, kw_only=True)
class ToolCallPart:
    id: str
    name: str
    arguments: JSONObject


@dataclass(slots=True, kw_only=True)
class ToolResultPart:
    tool_call_id: str
    content: list[TextPart | ImagePart | DocumentPart | SearchResultPart]
    is_error: bool = False
    cache_control: JSONObject | None = None


@dataclass(slots=True, kw_only=True)
class ThinkingPart:
    thinking: str
    signature: str | None = None  # only /messages returns one; needed to replay thinking


@dataclass(slots=True, kw_only=True)
class RedactedThinkingPart:
    data: str


Part: TypeAlias = (
    TextPart
    | ImagePart
    | DocumentPart
    | ToolCallPart
    | ToolResultPart
    | ThinkingPart
    | RedactedThinkingPart
    | SearchResultPart
    | ServerToolCallPart
    | ServerToolResultPart
    | RawPart
)
