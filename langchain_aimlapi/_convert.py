"""LangChain messages → the core's neutral request parts (results go back in ``_results.py``).

Every LangChain content shape people actually send — strings, OpenAI
chat blocks, LangChain v1 standard blocks, native Anthropic blocks — becomes neutral parts by
one lookup table per role; a block the table does not know raises ``UnsupportedContentError``
naming it, before any request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

import aimlapi_core as t
from aimlapi_core import _rules as rules
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError

# --------------------------------------------------------------------------- inbound


def _tool_id(raw: str | None, where: str) -> str:
    """The call's id, or for a call without one a stable id derived from where it sits. Ids
    from other providers are made wire-safe by the core's encoder, the same for every turn."""
    return raw or f"toolu_{hashlib.sha256(where.encode()).hexdigest()[:12]}"


def _inline_image(media_type: Any, data: Any, where: str, cache: Any = None) -> t.ImagePart:
    return t.ImagePart(
        media_type=rules.check_image_media_type(media_type, where),
        data=data,
        cache_control=cache,
    )


def _image_from_url(url: str, where: str, extra: dict[str, Any]) -> t.ImagePart:
    if url.startswith("data:"):
        uri = rules.parse_data_uri(url, where)
        return _inline_image(uri.media_type, uri.data, where, extra.get("cache_control"))
    if url.startswith(("http://", "https://")):
        # The API takes base64 only; the core client fetches and inlines URLs before encoding.
        return t.ImagePart(url=url, cache_control=extra.get("cache_control"))
    raise UnsupportedContentError(f"{where}: image url {url[:40]!r} is neither http(s) nor data:")


def _text(block: dict[str, Any], where: str) -> t.TextPart | None:
    text = block.get("text")
    if not isinstance(text, str):
        raise UnsupportedContentError(f"{where}: text block without a string 'text'")
    # The API answers 400 to empty text blocks (docs/wire.md "Content parts").
    if not text:
        return None
    citations = block.get("citations") or None  # Claude's own form, as our answers carry it
    return t.TextPart(text=text, cache_control=block.get("cache_control"), citations=citations)


def _image(block: dict[str, Any], where: str) -> t.ImagePart:
    source = block.get("source")
    if isinstance(source, dict):  # native Anthropic
        if source.get("type") == "base64":
            return _inline_image(
                source.get("media_type"), source.get("data"), where, block.get("cache_control")
            )
        if source.get("type") == "url":
            return _image_from_url(source["url"], where, block)
        raise UnsupportedContentError(f"{where}: image source type {source.get('type')!r}")
    if block.get("base64"):  # LangChain v1 standard block
        return _inline_image(
            block.get("mime_type"), block["base64"], where, block.get("cache_control")
        )
    if block.get("url"):
        return _image_from_url(block["url"], where, block)
    if block.get("source_type") == "base64" and block.get("data"):  # LangChain v0 block
        return _inline_image(block.get("mime_type"), block["data"], where)
    if block.get("source_type") == "url" and block.get("url"):
        return _image_from_url(block["url"], where, block)
    raise UnsupportedContentError(
        f"{where}: image block needs base64 data or a URL (file ids are not supported by the API)"
    )


def _image_url(block: dict[str, Any], where: str) -> t.ImagePart:
    ref = block.get("image_url")
    url = ref.get("url") if isinstance(ref, dict) else ref
    if not isinstance(url, str):
        raise UnsupportedContentError(f"{where}: image_url block without a url")
    return _image_from_url(url, where, block)


def _document(block: dict[str, Any], where: str) -> t.DocumentPart:
    part = _document_part(block, where)
    rules.check_document_media_type(part.media_type, where)
    return part


def _document_part(block: dict[str, Any], where: str) -> t.DocumentPart:
    extra = {"title": block.get("title"), "context": block.get("context")}
    cache = block.get("cache_control")
    source = block.get("source")
    if isinstance(source, dict) and source.get("type") in ("base64", "text"):  # Anthropic
        return t.DocumentPart(
            media_type=source.get("media_type", "application/pdf"),
            data=source["data"],
            cache_control=cache,
            **extra,
        )
    if block.get("base64"):  # LangChain v1 file / text-plain block
        mime = block.get("mime_type") or (
            "text/plain" if block.get("type") == "text-plain" else "application/pdf"
        )
        return t.DocumentPart(
            media_type=mime,
            data=_document_data(mime, block["base64"], where),
            title=(block.get("extras") or {}).get("filename") or block.get("filename"),
            cache_control=cache,
        )
    file = block.get("file")
    if isinstance(file, dict) and isinstance(file.get("file_data"), str):  # OpenAI chat format
        uri = rules.parse_data_uri(file["file_data"], where)
        mime = uri.media_type or "application/pdf"
        return t.DocumentPart(
            media_type=mime, data=_document_data(mime, uri.data, where), title=file.get("filename")
        )
    if block.get("type") == "text-plain" and isinstance(block.get("text"), str):
        return t.DocumentPart(media_type="text/plain", data=block["text"], cache_control=cache)
    raise UnsupportedContentError(
        f"{where}: document block needs inline data (base64 PDF or plain text); the API does not "
        "fetch document URLs or file ids"
    )


def _document_data(mime: str, b64: str, where: str) -> str:
    """A document's ``data`` from base64: PDFs stay base64, but a text/plain document is sent as
    its text (the Messages spec's ``text`` source), so it is decoded here."""
    if mime != "text/plain":
        return b64
    try:
        return base64.b64decode(b64, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise UnsupportedContentError(
            f"{where}: text/plain document is not base64 of UTF-8 text ({exc})"
        ) from None


def _tool_result(block: dict[str, Any], where: str) -> t.ToolResultPart:
    content = block.get("content", [])
    return t.ToolResultPart(
        tool_call_id=_tool_id(block.get("tool_use_id"), where),
        content=_result_content(content, where),
        is_error=bool(block.get("is_error", False)),
        cache_control=block.get("cache_control"),
    )


def _unsupported(block: dict[str, Any], where: str) -> Any:
    raise UnsupportedContentError(
        f"{where}: content block of type {block.get('type')!r} cannot be sent to the AI/ML API "
        "(it takes text, images, PDF/plain-text documents, tool calls and results, thinking)"
    )


_Handler = Callable[[dict[str, Any], str], Any]


def _search_result(block: dict[str, Any], where: str) -> t.SearchResultPart:
    """Claude's ``search_result`` block (newer schemas): a source the model may cite."""
    content = block.get("content")
    texts = [content] if isinstance(content, dict) else content
    if not isinstance(block.get("source"), str) or not isinstance(texts, list):
        raise UnsupportedContentError(
            f"{where}: a search_result block needs 'source', 'title' and text 'content'"
        )
    citations = block.get("citations")
    return t.SearchResultPart(
        source=block["source"],
        title=str(block.get("title", "")),
        content=[p for p in (_text(x, where) for x in texts) if p is not None],
        citations=citations.get("enabled") if isinstance(citations, dict) else None,
        cache_control=block.get("cache_control"),
    )


_USER_BLOCKS: dict[str, _Handler] = {
    "text": _text,
    "image": _image,
    "image_url": _image_url,
    "document": _document,
    "file": _document,
    "text-plain": _document,
    "tool_result": _tool_result,
    "search_result": _search_result,
}

_RESULT_BLOCKS: dict[str, _Handler] = {
    "text": _text,
    "image": _image,
    "image_url": _image_url,
    "document": _document,
    "file": _document,
    "text-plain": _document,
}


def _thinking(block: dict[str, Any], where: str) -> t.ThinkingPart:
    return t.ThinkingPart(thinking=block.get("thinking", ""), signature=block.get("signature"))


def _reasoning(block: dict[str, Any], where: str) -> t.ThinkingPart | None:
    # LangChain v1 standard reasoning; our outbound translator keeps the signature in extras.
    extras = block.get("extras") or {}
    signature = extras.get("signature") or block.get("signature")
    text = block.get("reasoning", "")
    if not text and not signature:
        return None
    return t.ThinkingPart(thinking=text, signature=signature)


def _redacted(block: dict[str, Any], where: str) -> t.RedactedThinkingPart:
    return t.RedactedThinkingPart(
        data=rules.block_str(block, "data", where, kind="redacted_thinking")
    )


def _tool_use(block: dict[str, Any], where: str) -> t.ToolCallPart:
    kind = str(block.get("type"))
    args = block.get("input") if kind == "tool_use" else block.get("args")
    if not args and block.get("partial_json"):
        args = block["partial_json"]
    return t.ToolCallPart(
        id=_tool_id(block.get("id"), where),
        name=rules.block_str(block, "name", where, kind=kind),
        arguments=rules.tool_arguments(args, where),
    )


def _server_tool_use(block: dict[str, Any], where: str) -> t.ServerToolCallPart:
    # Claude's block (our answers' form, as langchain-anthropic's); a streamed aggregate
    # carries its input as the concatenated partial_json.
    args = block.get("input") if block.get("type") == "server_tool_use" else block.get("args")
    if not args and block.get("partial_json"):
        args = json.loads(block["partial_json"])
    name: Any = block.get("name")
    if block.get("type") == "server_tool_call" and name == "code_interpreter":
        name = "code_execution"  # LangChain's standard name for Claude's code_execution
    if not isinstance(name, str) or not isinstance(block.get("id"), str):
        raise UnsupportedContentError(f"{where}: server tool call without a name and an id")
    return t.ServerToolCallPart(id=block["id"], name=name, arguments=args or {})


def _server_tool_result(block: dict[str, Any], where: str) -> t.ServerToolResultPart:
    if block.get("type") == "server_tool_result":  # LangChain's standard form
        kind = (block.get("extras") or {}).get("block_type")
        if not isinstance(kind, str):
            raise UnsupportedContentError(
                f"{where}: server_tool_result without extras.block_type cannot be replayed"
            )
        return t.ServerToolResultPart(
            type=kind, tool_call_id=block.get("tool_call_id", ""), content=block.get("output")
        )
    return t.ServerToolResultPart(
        type=block["type"], tool_call_id=block.get("tool_use_id", ""), content=block.get("content")
    )


def _raw(block: dict[str, Any], where: str) -> t.RawPart:
    """A Claude block this library has no part for, as an answer carried it: replayed as is."""
    return t.RawPart(block={k: v for k, v in block.items() if k != "index"})


def _non_standard(block: dict[str, Any], where: str) -> Any:
    value = block.get("value")
    if isinstance(value, dict) and value.get("type") == "redacted_thinking":
        return _redacted(value, where)
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        # content_blocks' form of a block this library kept raw (_content_blocks._standard_blocks).
        return _ai_block(value, where)
    return _unsupported(block, where)


def _skip(block: dict[str, Any], where: str) -> None:
    return None


_AI_BLOCKS: dict[str, _Handler] = {
    "text": _text,
    "thinking": _thinking,
    "reasoning": _reasoning,
    "redacted_thinking": _redacted,
    "tool_use": _tool_use,
    "tool_call": _tool_use,
    # Unparsed streamed fragments: the finished call is in AIMessage.tool_calls.
    "tool_call_chunk": _skip,
    "invalid_tool_call": _skip,
    "non_standard": _non_standard,
    "server_tool_use": _server_tool_use,
    "server_tool_call": _server_tool_use,
    "server_tool_result": _server_tool_result,
    # Streamed server tool input merges into its server_tool_use block (same index); a lone
    # fragment carries nothing to replay.
    "server_tool_call_chunk": _skip,
    "input_json_delta": _skip,
}
# Block types a user or a framework may put in an assistant turn that the API cannot take
# there: refused by name. Any other type in an assistant turn came from the API (a block newer
# than this library, kept raw by the core) and is replayed as is.
_NOT_RAW = frozenset(
    {"image", "image_url", "file", "document", "text-plain", "audio", "video", "input_audio",
     "tool_result", "search_result"}
)  # fmt: skip


def _ai_block(block: dict[str, Any], where: str) -> Any:
    kind = block.get("type")
    handler = _AI_BLOCKS.get(kind) if isinstance(kind, str) else None
    if handler is not None:
        return handler(block, where)
    if isinstance(kind, str) and kind.endswith("_tool_result") and kind != "tool_result":
        return _server_tool_result(block, where)
    if isinstance(kind, str) and kind not in _NOT_RAW:
        return _raw(block, where)
    return _unsupported(block, where)


def _blocks(content: str | list[Any], table: dict[str, _Handler], where: str) -> list[Any]:
    if isinstance(content, str):
        return [t.TextPart(text=content)] if content else []
    parts = []
    for i, block in enumerate(content):
        if isinstance(block, str):
            if block:
                parts.append(t.TextPart(text=block))
            continue
        if not isinstance(block, dict):
            raise UnsupportedContentError(
                f"{where} block {i}: a content block must be a string or a dict with a 'type', "
                f"got {type(block).__name__} {block!r:.60}"
            )
        kind = block.get("type")
        handler = table.get(kind, _unsupported) if isinstance(kind, str) else _unsupported
        with rules.caller_input(f"{where} block {i}"):
            part = handler(block, f"{where} block {i}")
        if part is not None:
            parts.append(part)
    return parts


def _ai_content(content: str | list[Any], where: str) -> list[t.Part]:
    if isinstance(content, str):
        return [t.TextPart(text=content)] if content else []
    parts: list[t.Part] = []
    for i, block in enumerate(content):
        if isinstance(block, str):
            if block:
                parts.append(t.TextPart(text=block))
            continue
        part = _ai_block(block, f"{where} block {i}")
        if part is not None:
            parts.append(part)
    return parts


_CACHEABLE = (t.TextPart, t.ImagePart, t.DocumentPart, t.ToolResultPart, t.SearchResultPart)


def cache_last_block(turns: list[t.Message], cache_control: dict[str, Any]) -> None:
    """The ``cache_control=`` call argument (as ChatAnthropic takes it): a cache breakpoint on
    the last block of the last message, i.e. the whole prompt is cached up to there. Whether
    the model takes it is the core's per-model rule."""
    last = turns[-1]
    for part in reversed(last.parts):
        if isinstance(part, _CACHEABLE):
            part.cache_control = dict(cache_control)
            return
    raise UnsupportedContentError(
        f"cache_control=: the last message ({last.role}) has no block that can carry a cache "
        "breakpoint (text, image, document, tool result); put cache_control on a block instead"
    )


def _result_content(content: Any, where: str) -> list[t.TextPart | t.ImagePart | t.DocumentPart]:
    if content is None:
        content = ""
    if not isinstance(content, (str, list)):
        raise UnsupportedContentError(
            f"{where}: tool_result content must be a string or a list of blocks, got "
            f"{type(content).__name__} {content!r:.60}"
        )
    return _blocks(content, _RESULT_BLOCKS, where)


def _ai_parts(message: AIMessage, where: str) -> list[t.Part]:
    parts: list[t.Part] = _ai_content(message.content, where)
    calls = {p.id: p for p in parts if isinstance(p, t.ToolCallPart)}
    # AIMessage.tool_calls is authoritative for arguments (content blocks may hold stale or
    # partial input); calls present only in tool_calls (OpenAI style) are appended in order.
    for n, call in enumerate(message.tool_calls):
        call_id = _tool_id(call.get("id"), f"{where} tool call {n}")
        part = t.ToolCallPart(id=call_id, name=call["name"], arguments=call["args"])
        if call_id in calls:
            calls[call_id].arguments = call["args"]
        else:
            parts.append(part)
    return parts


def to_neutral(messages: Sequence[BaseMessage]) -> tuple[list[t.TextPart], list[t.Message]]:
    """LangChain messages → (system parts, user/assistant turns).

    Every system message, wherever it appears, joins the top-level ``system`` (the API has no
    system role in ``messages``: docs/wire.md). Consecutive turns of one role are merged into one
    turn, so tool results that follow each other form a single user turn.
    """
    system: list[t.TextPart] = []
    turns: list[t.Message] = []
    for i, message in enumerate(messages):
        where = f"message {i} ({message.type})"
        role: t.Role
        if isinstance(message, SystemMessage) or (
            isinstance(message, ChatMessage) and message.role == "system"
        ):
            system.extend(p for p in _blocks(message.content, {"text": _text}, where))
            continue
        if isinstance(message, AIMessage) or (
            isinstance(message, ChatMessage) and message.role == "assistant"
        ):
            role = "assistant"
            parts = (
                _ai_parts(message, where)
                if isinstance(message, AIMessage)
                else _ai_content(message.content, where)
            )
        elif isinstance(message, ToolMessage):
            role = "user"
            parts = [
                t.ToolResultPart(
                    tool_call_id=_tool_id(message.tool_call_id, where),
                    content=_result_content(message.content, where),
                    is_error=message.status == "error",
                )
            ]
        elif isinstance(message, HumanMessage) or (
            isinstance(message, ChatMessage) and message.role == "user"
        ):
            role = "user"
            parts = _blocks(message.content, _USER_BLOCKS, where)
        else:
            raise UnsupportedContentError(
                f"{where}: messages of type {type(message).__name__} cannot be sent; use "
                "System/Human/AI/Tool messages"
            )
        if not parts:
            continue  # an empty turn (e.g. AIMessage("")) carries nothing the API accepts
        if turns and turns[-1].role == role:
            turns[-1].parts.extend(parts)
        else:
            turns.append(t.Message(role=role, parts=parts))
    if not turns:
        raise InvalidRequestError(
            "no user or assistant message to send: the API needs at least one user message "
            "besides the system prompt"
        )
    return system, turns
