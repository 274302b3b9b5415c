"""Request content on the wire: the system prompt, the messages, their turns and blocks.

The half of request encoding that walks the caller's content (``encode.py`` assembles the body
around it and checks the request-level rules). Both dialects send Anthropic-shaped blocks; what
one endpoint may carry is its :class:`DialectContent` (``_rules/content.py``,
``DIALECT_CONTENT``, as ``encode.py`` narrows it per model): the chat-completions specs forbid
extra keys on content blocks (``additionalProperties: false`` in
``docs/schemas/claude-4-sonnet.json``), so
``cache_control`` and document titles are refused there, never dropped. Empty text is not sent
(docs/wire.md "Content parts").
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from aimlapi_core import _rules as rules
from aimlapi_core._rules import DialectContent
from aimlapi_core._types import (
    DocumentPart,
    ImagePart,
    Message,
    Part,
    RawPart,
    RedactedThinkingPart,
    SearchResultPart,
    ServerToolCallPart,
    ServerToolResultPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError

__all__ = ["encode_messages", "encode_system", "with_cache"]

# Anthropic's tool_use id rule (tool_use.id: ^[a-zA-Z0-9_-]+$). Histories from other providers
# carry ids with ':' '.' or '/' (Bedrock "tooluse:…", Gemini, …).
_TOOL_ID = re.compile(r"^[a-zA-Z0-9_-]+$")


def encode_system(
    parts: list[TextPart], dialect_content: DialectContent
) -> str | list[dict[str, Any]] | None:
    """``system``: one string, or text blocks where one carries a cache hint or citations."""
    if not parts:
        return None
    texts = [p for p in parts if p.text]
    if not texts:
        return None
    if any(p.cache_control for p in texts):
        # Only /messages takes a list of system blocks (the chat-completions specs type
        # ``system`` as a string), so caching the system prompt needs that dialect.
        return [_text_block(p, dialect_content, "the system prompt", system=True) for p in texts]
    if any(p.citations for p in texts):
        return [_text_block(p, dialect_content, "the system prompt", system=True) for p in texts]
    return "\n\n".join(p.text for p in texts)


def encode_messages(
    messages: list[Message], dialect_content: DialectContent
) -> list[dict[str, Any]]:
    """``messages``: roles checked, consecutive turns of one role merged, each part a block."""
    out: list[dict[str, Any]] = []
    role: str | None = None
    turn: list[dict[str, Any] | str] = []  # the blocks of the turn being built
    for i, message in enumerate(messages):
        if message.role != "user" and message.role != "assistant":
            raise InvalidRequestError(
                f"messages[{i}] has role {message.role!r}: only 'user' and 'assistant' are "
                "sent as messages; put system text in ChatRequest.system"
            )
        blocks: list[dict[str, Any] | str] = []
        for part in message.parts:
            if type(part) is TextPart and not part.citations and not part.cache_control:
                # Plain text, the common case, kept as its string until the turn is complete
                # (_turn): most turns are one text, sent as a string. Empty text is dropped
                # (docs/wire.md "Content parts").
                if part.text:
                    blocks.append(part.text)
            elif (block := _block(part, dialect_content, i)) is not None:
                blocks.append(block)
        if not blocks:
            raise InvalidRequestError(
                f"messages[{i}] ({message.role}) has no content once empty text (and unsigned "
                "thinking, which cannot be replayed) is removed; "
                "the API refuses empty messages: drop it or give it text"
            )
        if message.role == role:
            # Anthropic requires alternating roles; consecutive turns of one role are one turn.
            turn.extend(blocks)
        else:
            if role is not None:
                out.append(_turn(role, turn))
            role, turn = message.role, blocks
    if role is not None:
        out.append(_turn(role, turn))
    return out


def _turn(role: str, blocks: list[dict[str, Any] | str]) -> dict[str, Any]:
    """One wire message: a turn of one plain text block is sent as its string."""
    if len(blocks) == 1:
        block = blocks[0]
        if isinstance(block, str):
            return {"role": role, "content": block}
        if block["type"] == "text" and len(block) == 2:
            return {"role": role, "content": block["text"]}
    content = [{"type": "text", "text": b} if isinstance(b, str) else b for b in blocks]
    return {"role": role, "content": content}


def _text_block(
    part: TextPart, dialect_content: DialectContent, where: str, *, system: bool = False
) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "text", "text": part.text}
    if part.citations and system:
        block["citations"] = [dict(c) for c in part.citations]  # _model_rules checked them
    elif part.citations and dialect_content.replay_citations:
        claude = [dict(c) for c in part.citations if str(c.get("type", "")).endswith("_location")]
        if claude:
            block["citations"] = claude
    return with_cache(block, part.cache_control, dialect_content, where)


def with_cache(
    block: dict[str, Any], cache_control: Any, dialect_content: DialectContent, where: str
) -> dict[str, Any]:
    """``block`` with the caller's ``cache_control`` where the endpoint takes it, else refused."""
    if not cache_control:
        return block
    if not dialect_content.block_cache_control:
        # A cache hint the endpoint cannot take is refused, not dropped: dropping it would
        # silently turn a cached prompt into a full-price one.
        raise UnsupportedContentError(
            f"cache_control on {where} is not accepted by /chat/completions (its spec allows no "
            "cache_control); use api='messages' for prompt caching, or remove cache_control"
        )
    if not isinstance(cache_control, dict):
        # Found by fuzzing the adapters (tests/e2e/test_malformed_inputs.py): cache_control "0"
        # raised a bare ValueError.
        raise UnsupportedContentError(
            f"cache_control on {where} must be a dict such as {{'type': 'ephemeral'}}, got "
            f"{type(cache_control).__name__} {cache_control!r:.40}"
        )
    block["cache_control"] = dict(cache_control)
    return block


def _block(part: Part, dialect_content: DialectContent, i: int) -> dict[str, Any] | None:
    if isinstance(part, TextPart):
        if not part.text:
            return None  # a 400 for empty text (docs/wire.md "Content parts")
        return _text_block(part, dialect_content, f"a text block of messages[{i}]")
    if isinstance(part, ImagePart):
        return _image(part, dialect_content, i)
    if isinstance(part, DocumentPart):
        return _document(part, dialect_content, i)
    if isinstance(part, ToolCallPart):
        wire_id = _wire_tool_id(part.id)
        return {"type": "tool_use", "id": wire_id, "name": part.name, "input": dict(part.arguments)}
    if isinstance(part, ToolResultPart):
        return _tool_result(part, dialect_content, i)
    if isinstance(part, ThinkingPart):
        if part.signature is None:
            # The API verifies signatures and the specs require one; /chat/completions never
            # returns one (docs/wire.md "Thinking"), so its thinking cannot be replayed.
            # Anthropic ignores the thinking of earlier turns anyway; signed round-trips need
            # api="messages".
            return None
        return {"type": "thinking", "thinking": part.thinking, "signature": part.signature}
    if isinstance(part, RedactedThinkingPart):
        return {"type": "redacted_thinking", "data": part.data}
    if isinstance(part, SearchResultPart):
        return _search_result(part, dialect_content, i)
    if isinstance(part, ServerToolCallPart):
        # Sent back as received (docs/wire.md "Server tools"): the id is the API's own.
        return {
            "type": "server_tool_use",
            "id": part.id,
            "name": part.name,
            "input": dict(part.arguments),
        }
    if isinstance(part, ServerToolResultPart):
        return {"type": part.type, "tool_use_id": part.tool_call_id, "content": part.content}
    if isinstance(part, RawPart):
        return dict(part.block)  # a block newer than this library, replayed verbatim
    raise UnsupportedContentError(
        f"messages[{i}]: content of type {type(part).__name__} cannot be sent"
    )


def _image(part: ImagePart, dialect_content: DialectContent, i: int) -> dict[str, Any]:
    if not part.data:
        where = f" (url {part.url!r} was not fetched)" if part.url else ""
        raise UnsupportedContentError(
            f"messages[{i}]: an image has no base64 data{where}; the API only takes base64 "
            "images: pass data= and media_type=, or send it through the client, which inlines URLs"
        )
    rules.check_image_media_type(part.media_type, f"messages[{i}]")
    source = {"type": "base64", "media_type": part.media_type, "data": part.data}
    return with_cache(
        {"type": "image", "source": source},
        part.cache_control,
        dialect_content,
        f"an image in messages[{i}]",
    )


def _document(part: DocumentPart, dialect_content: DialectContent, i: int) -> dict[str, Any]:
    if part.url is not None:
        # Fetched by the API (source.type "url"; which model's schema lists it is
        # _model_rules.py's check; the URL's form is _rules.document_url's).
        url = rules.document_url(part.url, part.media_type, f"messages[{i}]")
        source: dict[str, Any] = {"type": "url", "url": url}
    elif part.media_type == "application/pdf":
        source = {
            "type": "base64",
            "media_type": part.media_type,
            "data": part.data,
        }
    elif part.media_type == "text/plain":
        # media_type on both endpoints: the newest chat schemas (claude-sonnet-5.json, the
        # -latest ones) require it on a text source, and the 4.x chat schemas allow it (their
        # sources are not additionalProperties: false); tests/core/test_conformance.py.
        source = {"type": "text", "media_type": "text/plain", "data": part.data}
    else:
        rules.check_document_media_type(part.media_type, f"messages[{i}]")
    block: dict[str, Any] = {"type": "document", "source": source}
    if dialect_content.document_metadata:
        if part.title:
            block["title"] = part.title
        if part.context:
            block["context"] = part.context
    return with_cache(block, part.cache_control, dialect_content, f"a document in messages[{i}]")


def _search_result(
    part: SearchResultPart, dialect_content: DialectContent, i: int
) -> dict[str, Any]:
    texts = [p for p in part.content if p.text]
    if not texts:
        raise UnsupportedContentError(
            f"messages[{i}]: search result {part.title!r} has no text; give it content"
        )
    block: dict[str, Any] = {
        "type": "search_result",
        "source": part.source,
        "title": part.title,
        "content": [
            _text_block(p, dialect_content, f"a search result in messages[{i}]") for p in texts
        ],
    }
    if part.citations is not None:
        block["citations"] = {"enabled": part.citations}
    return with_cache(
        block, part.cache_control, dialect_content, f"a search result in messages[{i}]"
    )


def _wire_tool_id(raw: str) -> str:
    """An id the API accepts, the same for a call and its result on every turn: valid ids (all
    the API itself returns) are kept; others get their illegal characters replaced plus a
    digest of the original, so ids differing only there stay distinct."""
    if _TOOL_ID.match(raw):
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()[:12]
    cleaned = re.sub(r"[^a-zA-Z0-9_-]", "_", raw)[:40]
    return f"{cleaned}_{digest}" if cleaned else f"toolu_{digest}"


def _tool_result(part: ToolResultPart, dialect_content: DialectContent, i: int) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for item in part.content:
        if isinstance(item, DocumentPart) and not dialect_content.documents_in_tool_results:
            raise UnsupportedContentError(
                f"messages[{i}]: tool result {part.tool_call_id!r} holds a document, which "
                f"{dialect_content.name} does not accept in tool results; use api='messages'"
            )
        block = _block(item, dialect_content, i)
        if block is not None:
            content.append(block)
    wire: dict[str, Any] = {"type": "tool_result", "tool_use_id": _wire_tool_id(part.tool_call_id)}
    if len(content) == 1 and content[0]["type"] == "text" and len(content[0]) == 2:
        wire["content"] = content[0]["text"]  # one plain text: the string form
    elif content:
        wire["content"] = content
    if part.is_error:
        wire["is_error"] = True
    return with_cache(wire, part.cache_control, dialect_content, f"a tool result in messages[{i}]")
