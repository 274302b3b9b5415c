"""Content a caller sends → the core's neutral parts: user turns, tool results, the system prompt.

Every LangChain content shape people actually send — strings, OpenAI chat blocks, LangChain v1
standard blocks, native Anthropic blocks — becomes neutral parts by one lookup table
(:data:`USER_BLOCKS`, and a narrower one inside tool results); a block the table does not know
raises ``UnsupportedContentError`` naming it, before any request. ``_convert.py`` walks the
messages and reads assistant turns back; it calls this module, never the other way round.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

import aimlapi_core as t
from aimlapi_core.adapter import rules
from aimlapi_core.errors import UnsupportedContentError

__all__ = [
    "USER_BLOCKS",
    "Handler",
    "convert_blocks",
    "result_content",
    "text_block",
    "tool_id",
    "unsupported",
]


def tool_id(raw: str | None, where: str) -> str:
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


def text_block(block: dict[str, Any], where: str) -> t.TextPart | None:
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
    if isinstance(source, dict) and source.get("type") == "url":  # Anthropic, fetched by the API
        url = rules.document_url(source.get("url"), None, where)
        return t.DocumentPart(
            media_type="application/pdf",
            url=url,
            title=extra["title"],
            context=extra["context"],
            cache_control=cache,
        )
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
    if block.get("url"):  # LangChain v1 file block with a URL: fetched by the API
        url = rules.document_url(block["url"], block.get("mime_type"), where)
        return t.DocumentPart(media_type="application/pdf", url=url, cache_control=cache)
    raise UnsupportedContentError(
        f"{where}: document block needs inline data (base64 PDF or plain text) or a PDF url; "
        "the API takes no file ids"
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
        tool_call_id=tool_id(block.get("tool_use_id"), where),
        content=result_content(content, where),
        is_error=bool(block.get("is_error", False)),
        cache_control=block.get("cache_control"),
    )


def unsupported(block: dict[str, Any], where: str) -> Any:
    raise UnsupportedContentError(
        f"{where}: content block of type {block.get('type')!r} cannot be sent to the AI/ML API "
        "(it takes text, images, PDF/plain-text documents, tool calls and results, thinking)"
    )


Handler = Callable[[dict[str, Any], str], Any]


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
        content=[p for p in (text_block(x, where) for x in texts) if p is not None],
        citations=citations.get("enabled") if isinstance(citations, dict) else None,
        cache_control=block.get("cache_control"),
    )


# What a tool result may hold (a retrieval tool returns search results: docs/citations.md); a
# user turn takes those and tool results.
_RESULT_BLOCKS: dict[str, Handler] = {
    "text": text_block,
    "image": _image,
    "image_url": _image_url,
    "document": _document,
    "file": _document,
    "text-plain": _document,
    "search_result": _search_result,
}

USER_BLOCKS: dict[str, Handler] = {**_RESULT_BLOCKS, "tool_result": _tool_result}


def convert_blocks(content: str | list[Any], table: dict[str, Handler], where: str) -> list[Any]:
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
        handler = table.get(kind, unsupported) if isinstance(kind, str) else unsupported
        with rules.caller_input(f"{where} block {i}"):
            part = handler(block, f"{where} block {i}")
        if part is not None:
            parts.append(part)
    return parts


def result_content(
    content: Any, where: str
) -> list[t.TextPart | t.ImagePart | t.DocumentPart | t.SearchResultPart]:
    if content is None:
        content = ""
    if not isinstance(content, (str, list)):
        raise UnsupportedContentError(
            f"{where}: tool_result content must be a string or a list of blocks, got "
            f"{type(content).__name__} {content!r:.60}"
        )
    return convert_blocks(content, _RESULT_BLOCKS, where)
