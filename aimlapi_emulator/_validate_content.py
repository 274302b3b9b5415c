"""Content-block validation for both dialects (docs/wire.md "Content parts").

Shared by `_validate`: the block types each role may carry, their keys, and the per-type rules
(non-empty text, base64-only image sources, well-formed tool_use / tool_result / thinking).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._envelopes import schema_error, upstream_error
from ._prompt_cache import check_cache_control
from ._server_tools import check_server_block, is_server_block

if TYPE_CHECKING:
    from aimlapi_core.catalog import Capabilities

_IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_DOC_TYPES = ("application/pdf", "text/plain")

_BLOCK_KEYS: dict[str, frozenset[str]] = {
    "text": frozenset({"type", "text", "cache_control", "citations"}),
    "image": frozenset({"type", "source", "cache_control"}),
    "document": frozenset({"type", "source", "title", "context", "citations", "cache_control"}),
    "tool_use": frozenset({"type", "id", "name", "input", "cache_control"}),
    "tool_result": frozenset({"type", "tool_use_id", "content", "is_error", "cache_control"}),
    "thinking": frozenset({"type", "thinking", "signature"}),
    "redacted_thinking": frozenset({"type", "data"}),
}
# The chat-completions spec (docs/schemas/claude-4-sonnet.json) closes these blocks with
# `additionalProperties: false`: no cache_control, citations, title or context there.
_CHAT_BLOCK_KEYS: dict[str, frozenset[str]] = {
    **_BLOCK_KEYS,
    "text": frozenset({"type", "text"}),
    "image": frozenset({"type", "source"}),
    "document": frozenset({"type", "source"}),
    "thinking": frozenset({"type", "thinking", "signature"}),
}
_USER_BLOCKS = frozenset({"text", "image", "document", "tool_result"})
_ASSISTANT_BLOCKS = frozenset({"text", "tool_use", "thinking", "redacted_thinking"})


_TOOL_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


def check_content(
    content: Any, i: int, role: str, count: int, dialect: str, caps: Capabilities | None = None
) -> list[dict[str, Any]]:
    """The blocks of message ``i`` (none for a string); APIError(400) for the first problem.

    ``caps``: the model's schema for this endpoint; search results and replayed server tool
    blocks need it to list them (None: an unknown id, refused by the model rules later).
    """
    if isinstance(content, str):
        if not content and not (role == "assistant" and i == count - 1):
            raise upstream_error(
                f"messages.{i}: all messages must have non-empty content except for the "
                "optional final assistant message"
            )
        return []
    if not isinstance(content, list):
        raise schema_error(f"messages[{i}].content: Expected string or array of content blocks")
    if not content:
        raise upstream_error(
            f"messages.{i}: all messages must have non-empty content except for the optional "
            "final assistant message"
        )
    allowed = _USER_BLOCKS if role == "user" else _ASSISTANT_BLOCKS
    server_ids: set[str] = set()
    for j, block in enumerate(content):
        path = f"messages[{i}].content[{j}]"
        dotted = f"messages.{i}.content.{j}"
        if not isinstance(block, dict):
            raise schema_error(f"{path}: Expected object")
        kind = block.get("type")
        if not isinstance(kind, str):
            raise schema_error(f"{path}.type: Required (a string naming the block type)")
        if is_server_block(kind):
            check_server_block(block, role, dotted, caps, server_ids)
            continue
        if kind == "search_result":
            if caps is not None and not caps.search_results:
                raise schema_error(f"{dotted}.type: Invalid enum value, received 'search_result'")
            _check_search_result(block, path, dialect, caps)
            continue
        if kind not in _BLOCK_KEYS:
            raise schema_error(f"{path}.type: Invalid content block type {kind!r}")
        if kind not in allowed:
            raise upstream_error(
                f"messages.{i}.content.{j}: `{kind}` blocks are not allowed in `{role}` messages"
            )
        check_block_keys(block, path, dialect, caps)
        if kind == "tool_result":
            _check_tool_result(block, path, dotted, dialect, caps)
        elif kind == "thinking" and dialect == "chat_completions" and "signature" not in block:
            # Required by the chat-completions spec, as by Anthropic's API.
            raise schema_error(f"{path}.signature: Required (a string)")
        else:
            _check_block(block, path, dotted, caps)
    return content


def check_block_keys(
    block: dict[str, Any], path: str, dialect: str = "messages", caps: Capabilities | None = None
) -> None:
    keys = _CHAT_BLOCK_KEYS if dialect == "chat_completions" else _BLOCK_KEYS
    allowed = keys[block["type"]]
    if dialect == "chat_completions":
        # The 5-series and -latest chat schemas take cache_control (caps.cache_control); a
        # text block replayed with its citations is read for its text.
        if caps is not None and caps.cache_control:
            allowed = allowed | {"cache_control"}
        if block["type"] == "text":
            allowed = allowed | {"citations"}
    extra = set(block) - allowed
    if extra:
        raise schema_error(f"{path}: Unrecognized key(s) in object: {sorted(extra)}")
    if "cache_control" in block:
        check_cache_control(block["cache_control"], f"{path}.cache_control")


def _check_search_result(
    block: dict[str, Any], path: str, dialect: str, caps: Capabilities | None
) -> None:
    """docs/wire.md "Citations": {source, title, content, citations: {enabled}}; content is
    Anthropic's list of text blocks (the schemas' single text object is taken too)."""
    extra = set(block) - {"type", "source", "title", "content", "citations", "cache_control"}
    if extra:
        raise schema_error(f"{path}: Unrecognized key(s) in object: {sorted(extra)}")
    _require_str(block, "source", path)
    _require_str(block, "title", path)
    content = block.get("content")
    parts = content if isinstance(content, list) else [content]
    if not parts:
        raise schema_error(f"{path}.content: Array must contain at least 1 element(s)")
    for k, part in enumerate(parts):
        where = f"{path}.content[{k}]"
        if not isinstance(part, dict) or part.get("type") != "text":
            raise schema_error(f"{where}: Expected a text block {{'type': 'text', 'text': ...}}")
        check_block_keys(part, where, dialect, caps)
        _require_str(part, "text", where)
    citations = block.get("citations", {"enabled": False})
    if not isinstance(citations, dict) or not isinstance(citations.get("enabled"), bool):
        raise schema_error(f"{path}.citations: Expected {{'enabled': boolean}}")
    if set(citations) - {"enabled"}:
        raise schema_error(f"{path}.citations: Unrecognized key(s) in object")
    if "cache_control" in block:
        check_cache_control(block["cache_control"], f"{path}.cache_control")


def _require_str(block: dict[str, Any], key: str, path: str, *, empty_ok: bool = False) -> str:
    value = block.get(key)
    if not isinstance(value, str):
        raise schema_error(f"{path}.{key}: Required (a string)")
    if not value and not empty_ok:
        raise schema_error(f"{path}.{key}: String must contain at least 1 character(s)")
    return value


def _check_text(block: dict[str, Any], path: str, dotted: str) -> None:
    if not isinstance(block.get("text"), str):
        raise schema_error(f"{path}.text: Required (a string)")
    if not block["text"]:
        raise upstream_error(f"{dotted}.text: text content blocks must be non-empty")


def _check_base64(data: str, path: str) -> int:
    try:
        return len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        raise schema_error(f"{path}.data: not valid base64") from None


def _check_image(block: dict[str, Any], path: str, dotted: str) -> None:
    source = block.get("source")
    if not isinstance(source, dict):
        raise schema_error(f"{path}.source: Required (an object)")
    if source.get("type") != "base64":
        # The Claude pages: "API only support BASE64 String as Image input".
        raise schema_error(
            f"{path}.source.type: API only support BASE64 String as Image input; received "
            f"{source.get('type')!r} (inline the image as {{'type': 'base64', 'media_type', "
            "'data'}})"
        )
    if source.get("media_type") not in _IMAGE_TYPES:
        raise schema_error(
            f"{path}.source.media_type: Invalid enum value. Expected "
            f"{' | '.join(_IMAGE_TYPES)}, received {source.get('media_type')!r}"
        )
    _check_base64(_require_str(source, "data", f"{path}.source"), f"{path}.source")


def _check_document(block: dict[str, Any], path: str, dotted: str) -> None:
    source = block.get("source")
    if not isinstance(source, dict):
        raise schema_error(f"{path}.source: Required (an object)")
    kind = source.get("type")
    if kind == "base64":
        if source.get("media_type") not in _DOC_TYPES:
            raise schema_error(
                f"{path}.source.media_type: Invalid enum value. Expected "
                f"{' | '.join(_DOC_TYPES)}, received {source.get('media_type')!r}"
            )
        _check_base64(_require_str(source, "data", f"{path}.source"), f"{path}.source")
    elif kind == "text":
        if source.get("media_type", "text/plain") != "text/plain":
            raise schema_error(
                f"{path}.source.media_type: Invalid enum value. Expected 'text/plain', "
                f"received {source.get('media_type')!r}"
            )
        _require_str(source, "data", f"{path}.source")
    else:
        raise schema_error(f"{path}.source.type: Expected 'base64' | 'text', received {kind!r}")


def _check_block(block: dict[str, Any], path: str, dotted: str, caps: Capabilities | None) -> None:
    source = block.get("source")
    if block["type"] == "document" and isinstance(source, dict) and source.get("type") == "url":
        # Fetched by the API where the model's schema lists URL sources
        # (docs/schemas/claude-sonnet-5.json: source.type "url", url format uri).
        if caps is not None and not caps.document_urls:
            raise schema_error(f"{path}.source.type: Expected 'base64' | 'text', received 'url'")
        url = _require_str(source, "url", f"{path}.source")
        if not url.startswith(("https://", "http://")):
            raise schema_error(f"{path}.source.url: Invalid url")
        return
    _BLOCK_CHECKS[block["type"]](block, path, dotted)


def _check_tool_use(block: dict[str, Any], path: str, dotted: str) -> None:
    # Anthropic refuses ids from other providers (OpenAI "call_…" are fine, "fc/x.1" is not).
    if not _TOOL_ID.match(_require_str(block, "id", path)):
        raise upstream_error(f"{dotted}.id: String should match pattern '^[a-zA-Z0-9_-]+$'")
    _require_str(block, "name", path)
    if not isinstance(block.get("input"), dict):
        raise schema_error(f"{path}.input: Required (an object of arguments)")


def _check_tool_result(
    block: dict[str, Any], path: str, dotted: str, dialect: str, caps: Capabilities | None
) -> None:
    if not _TOOL_ID.match(_require_str(block, "tool_use_id", path)):
        raise upstream_error(
            f"{dotted}.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'"
        )
    content = block.get("content", "")
    # The Claude 4 chat spec allows text and image parts in a tool result; the /messages spec
    # (claude-sonnet-4-MESSAGES.json) also allows documents, as Anthropic does.
    kinds: tuple[str, ...] = ("text", "image")
    kinds += ("document",) if dialect == "messages" else ()
    # A retrieval tool's search results, where the schema lists search_result blocks (in
    # tool_result content too: docs/schemas/claude-sonnet-5.json).
    kinds += ("search_result",) if caps is None or caps.search_results else ()
    if isinstance(content, list):
        for k, part in enumerate(content):
            if not isinstance(part, dict) or part.get("type") not in kinds:
                raise schema_error(
                    f"{path}.content[{k}]: Expected one of {' | '.join(kinds)} blocks in a "
                    "tool_result on this endpoint"
                )
            if part["type"] == "search_result":
                _check_search_result(part, f"{path}.content[{k}]", dialect, caps)
                continue
            check_block_keys(part, f"{path}.content[{k}]", dialect, caps)
            _check_block(part, f"{path}.content[{k}]", f"{dotted}.content.{k}", caps)
    elif not isinstance(content, str):
        raise schema_error(f"{path}.content: Expected string or array of {' | '.join(kinds)}")
    if "is_error" in block and not isinstance(block["is_error"], bool):
        raise schema_error(f"{path}.is_error: Expected boolean")


def _check_thinking_block(block: dict[str, Any], path: str, dotted: str) -> None:
    _require_str(block, "thinking", path, empty_ok=True)
    if "signature" in block:
        _require_str(block, "signature", path, empty_ok=True)


def _check_redacted(block: dict[str, Any], path: str, dotted: str) -> None:
    _require_str(block, "data", path)


_BLOCK_CHECKS: dict[str, Callable[[dict[str, Any], str, str], None]] = {
    "text": _check_text,
    "image": _check_image,
    "document": _check_document,
    "tool_use": _check_tool_use,
    "thinking": _check_thinking_block,
    "redacted_thinking": _check_redacted,
}
