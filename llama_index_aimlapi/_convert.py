"""LlamaIndex chat messages → the core's neutral types. Nothing here does I/O or knows the wire.

Inbound (``to_core_messages``): every LlamaIndex role maps to a neutral role through
``_ROLES``; every content block goes through ``_BLOCK_CONVERTERS``. A block with no converter,
or one the core's rules refuse (``aimlapi_core/_rules/``), raises
:class:`UnsupportedContentError` naming the block and the message it sits in, before any
request is made. Nothing is dropped silently.

Outbound, a result's parts → LlamaIndex blocks, is ``_responses.from_core_parts``; the keys
both directions share (where a thinking signature or a server tool block is kept) are here.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from io import IOBase
from typing import Any, Literal, NoReturn

from llama_index.core.base.llms.types import (
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from aimlapi_core import (
    DocumentPart,
    ImagePart,
    Message,
    Part,
    RawPart,
    RedactedThinkingPart,
    Role,
    SearchResultPart,
    ServerToolCallPart,
    ServerToolResultPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from aimlapi_core.adapter import rules
from aimlapi_core.errors import (
    InvalidRequestError,
    UnsupportedContentError,
)

from ._citations import wire_citation

_Side = Literal["system", "user", "assistant", "tool"]

# Which neutral side each LlamaIndex role lands on. Tool results travel in user turns on the
# wire; the system prompt is not a message (it is ``ChatRequest.system``).
_ROLES: dict[MessageRole, _Side] = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "system",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}

# DocumentBlock fills an empty title with this placeholder; sending it would only add noise.
_PLACEHOLDER_TITLE = "input_document"

# Signed thinking and the redacted form live in ThinkingBlock.additional_information.
SIGNATURE_KEY = "signature"
REDACTED_KEY = "redacted_thinking"


@dataclass(slots=True)
class _Ctx:
    """Where a block sits, for error messages."""

    side: _Side
    message_index: int
    parts: list[Part] = field(default_factory=list)

    def where(self, block: object) -> str:
        return f"{type(block).__name__} in message {self.message_index} (role {self.side})"


def _unsupported(ctx: _Ctx, block: object, why: str) -> UnsupportedContentError:
    return UnsupportedContentError(f"{ctx.where(block)} cannot be sent: {why}")


# --------------------------------------------------------------------------- blocks → parts


def _text(block: TextBlock, ctx: _Ctx) -> None:
    # Empty text parts get a 400 (docs/wire.md "Content parts"); an empty block carries nothing.
    if block.text:
        ctx.parts.append(TextPart(text=block.text))


def _image_data(block: ImageBlock) -> str | None:
    if isinstance(block.image, bytes):
        # ImageBlock's own validator has already base64-encoded raw bytes.
        return block.image.decode("ascii")
    if isinstance(block.image, IOBase):
        block.image.seek(0)
        return base64.b64encode(block.image.read()).decode("ascii")
    if block.path is not None:
        return base64.b64encode(block.path.read_bytes()).decode("ascii")
    return None


def _image(block: ImageBlock, ctx: _Ctx) -> None:
    if ctx.side not in ("user", "tool"):
        raise _unsupported(ctx, block, "images can only be sent in user turns or tool results")
    media_type = block.image_mimetype
    data = _image_data(block)
    url = str(block.url) if block.url is not None and data is None else None
    if url is not None and url.startswith("data:"):
        uri = rules.parse_data_uri(url, ctx.where(block))
        media_type, data, url = uri.media_type or media_type, uri.data, None
    if data is None and url is None:
        raise _unsupported(ctx, block, "it has no image, path or url")
    if data is not None:
        rules.check_image_media_type(media_type, ctx.where(block))
    # A remote url is fetched and inlined as base64 by the core client before encoding.
    ctx.parts.append(ImagePart(media_type=media_type, data=data, url=url))


def _document(block: DocumentBlock, ctx: _Ctx) -> None:
    if ctx.side not in ("user", "tool"):
        raise _unsupported(ctx, block, "documents can only be sent in user turns")
    if block.url and block.data is None and block.path is None:
        # Fetched by the API where the model's schema lists URL sources (the core's rule,
        # docs/wire.md "Content parts"); DocumentBlock guesses a media type from the URL.
        url = rules.document_url(str(block.url), block.document_mimetype, ctx.where(block))
        title = block.title if block.title != _PLACEHOLDER_TITLE else None
        ctx.parts.append(DocumentPart(media_type="application/pdf", url=url, title=title))
        return
    media_type = rules.check_document_media_type(block.document_mimetype, ctx.where(block))
    raw = block.resolve_document().read()
    try:
        data = raw.decode("utf-8") if media_type == "text/plain" else base64.b64encode(raw).decode()
    except UnicodeDecodeError as exc:
        raise _unsupported(ctx, block, f"a text/plain document must be UTF-8 ({exc})") from None
    title = block.title if block.title != _PLACEHOLDER_TITLE else None
    ctx.parts.append(DocumentPart(media_type=media_type, data=data, title=title))


def _cache_point(block: CachePoint, ctx: _Ctx) -> None:
    # Which model takes cache_control on which endpoint is the core's per-model rule
    # (_model_rules.py: every model on /messages; the 5-series and -latest on chat).
    target = ctx.parts[-1] if ctx.parts else None
    if not isinstance(target, TextPart | ImagePart | DocumentPart | ToolResultPart):
        raise _unsupported(ctx, block, "it must follow a text, image or document block")
    control: dict[str, Any] = {"type": block.cache_control.type}
    if block.cache_control.ttl != "5m":  # 5m is the API's default; only send a change
        control["ttl"] = block.cache_control.ttl
    target.cache_control = control


def _thinking(block: ThinkingBlock, ctx: _Ctx) -> None:
    if ctx.side != "assistant":
        raise _unsupported(ctx, block, "thinking belongs to assistant turns only")
    info = block.additional_information
    if info.get("type") == REDACTED_KEY:
        ctx.parts.append(RedactedThinkingPart(data=str(info["data"])))
        return
    signature = info.get(SIGNATURE_KEY) or None
    ctx.parts.append(ThinkingPart(thinking=block.content or "", signature=signature))


def _tool_call(block: ToolCallBlock, ctx: _Ctx) -> None:
    if ctx.side != "assistant":
        raise _unsupported(ctx, block, "tool calls belong to assistant turns only")
    if not block.tool_call_id:
        raise _unsupported(ctx, block, "it has no tool_call_id, so no tool result can match it")
    ctx.parts.append(
        ToolCallPart(
            id=block.tool_call_id,  # made wire-safe by the core's encoder
            name=block.tool_name,
            arguments=_arguments(block.tool_kwargs, ctx, block),
        )
    )


def _arguments(raw: object, ctx: _Ctx, block: object) -> dict[str, Any]:
    try:
        return rules.tool_arguments(raw, "")
    except UnsupportedContentError as exc:
        raise _unsupported(ctx, block, str(exc).removeprefix(": ")) from None


def _citable(block: CitableBlock, ctx: _Ctx) -> None:
    """Citable input is a ``search_result`` block (docs/wire.md "Citations"): source, title,
    its text blocks as what the model quotes, citations enabled (the block's purpose). Which
    model takes search results is the core's rule (``_model_rules.py``)."""
    if ctx.side not in ("user", "tool"):
        raise _unsupported(ctx, block, "citable sources go in user turns or tool results")
    if other := [type(b).__name__ for b in block.content if not isinstance(b, TextBlock)]:
        raise _unsupported(ctx, block, f"it holds a {other[0]}; a search_result holds text only")
    texts = [TextPart(text=b.text) for b in block.content if isinstance(b, TextBlock) and b.text]
    if not texts:
        raise _unsupported(ctx, block, "it has no text to cite; give it content")
    part = SearchResultPart(source=block.source, title=block.title, content=texts, citations=True)
    ctx.parts.append(part)


def _citation(block: CitationBlock, ctx: _Ctx) -> None:
    """An answer's citation, replayed on the text it follows (``_citations.py``); the core
    sends it where the model's schema types text with citations (docs/wire.md "Citations")."""
    if ctx.side != "assistant":
        raise _unsupported(ctx, block, "citations belong to the model's answers")
    text = ctx.parts[-1] if ctx.parts else None
    if not isinstance(text, TextPart):
        raise _unsupported(ctx, block, "a citation follows the TextBlock it supports")
    if (citation := wire_citation(block)) is not None:
        text.citations = [*(text.citations or []), citation]


_BLOCK_CONVERTERS: dict[type, Callable[[Any, _Ctx], None]] = {
    TextBlock: _text,
    ImageBlock: _image,
    DocumentBlock: _document,
    CachePoint: _cache_point,
    ThinkingBlock: _thinking,
    ToolCallBlock: _tool_call,
    CitableBlock: _citable,
    CitationBlock: _citation,
}


def _convert_block(block: object, ctx: _Ctx) -> None:
    converter = _BLOCK_CONVERTERS.get(type(block))
    if converter is None:
        # AudioBlock, VideoBlock, or anything newer.
        raise _unsupported(ctx, block, "Claude on the AI/ML API has no such content type")
    try:
        converter(block, ctx)
    except Exception as exc:
        _reraise_as_caller_input(exc, ctx.where(block))


def _reraise_as_caller_input(exc: Exception, where: str) -> NoReturn:
    """Raise ``exc`` through the core's net for malformed caller values
    (``rules.caller_input``: our own errors pass unchanged, a bare KeyError/TypeError/... becomes
    ``UnsupportedContentError`` naming ``where``, anything else passes unchanged).

    Entered only once something failed, rather than around every block: the context manager
    and the description of the block cost more than converting a text block does."""
    with rules.caller_input(where):
        raise exc


def _legacy_tool_calls(message: ChatMessage, ctx: _Ctx) -> None:
    """OpenAI-shaped ``additional_kwargs["tool_calls"]`` (histories written by ``OpenAILike``),
    as dicts or as the OpenAI SDK's pydantic objects, which is what that integration stores."""
    calls = message.additional_kwargs.get("tool_calls") or ()
    if not isinstance(calls, (list, tuple)):
        raise _unsupported(ctx, calls, "additional_kwargs['tool_calls'] must be a list")
    for call in calls:
        if hasattr(call, "model_dump"):  # the OpenAI SDK's ChatCompletionMessageToolCall
            call = call.model_dump()
        fn = call.get("function", {}) if isinstance(call, dict) else {}
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            fn = {}
        if not isinstance(call, dict) or not call.get("id") or not fn.get("name"):
            raise _unsupported(ctx, call, "expected {'id', 'function': {'name', 'arguments'}}")
        args = _arguments(fn.get("arguments"), ctx, call)
        ctx.parts.append(ToolCallPart(id=str(call["id"]), name=fn["name"], arguments=args))


def _tool_result(message: ChatMessage, ctx: _Ctx) -> ToolResultPart:
    call_id = message.additional_kwargs.get("tool_call_id")
    if not call_id:
        raise InvalidRequestError(
            f"message {ctx.message_index} has role {message.role.value!r} but no "
            "additional_kwargs['tool_call_id']; set it to the id of the tool call it answers"
        )
    inner = _Ctx(side="tool", message_index=ctx.message_index)
    for block in message.blocks:
        _convert_block(block, inner)
    content: list[TextPart | ImagePart | DocumentPart | SearchResultPart] = []
    for part in inner.parts:
        if not isinstance(part, TextPart | ImagePart | DocumentPart | SearchResultPart):
            raise _unsupported(  # pragma: no cover - the converters make no other part here
                ctx, part, "a tool result holds text, images, documents and citable sources"
            )
        content.append(part)
    return ToolResultPart(
        tool_call_id=str(call_id),
        content=content,
        is_error=bool(message.additional_kwargs.get("is_error", False)),
    )


# Server tool blocks (server_tool_use, web_search_tool_result, ...) and blocks newer than this
# library have no LlamaIndex block: an answer carries them in additional_kwargs under this key,
# Claude-shaped, each with the position among the message's blocks where it stood, so the user
# sees them and a later turn replays the answer in its order.
SERVER_BLOCKS_KEY = "server_tool_blocks"


def _server_blocks(message: ChatMessage) -> dict[int, list[Part]]:
    entries = message.additional_kwargs.get(SERVER_BLOCKS_KEY) or []
    out: dict[int, list[Part]] = {}
    for entry in entries:
        block = entry.get("block") if isinstance(entry, dict) else None
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise UnsupportedContentError(
                f"additional_kwargs[{SERVER_BLOCKS_KEY!r}] holds {entry!r}; each entry is "
                "{'position': int, 'block': <a Claude content block>} as answers carry them"
            )
        kind = block["type"]
        part: Part
        if kind == "server_tool_use":
            part = ServerToolCallPart(
                id=str(block.get("id", "")),
                name=str(block.get("name", "")),
                arguments=dict(block.get("input") or {}),
            )
        elif kind.endswith("_tool_result") and kind != "tool_result":
            part = ServerToolResultPart(
                type=kind, tool_call_id=str(block.get("tool_use_id", "")),
                content=block.get("content"),
            )  # fmt: skip
        else:
            part = RawPart(block=dict(block))
        out.setdefault(int(entry.get("position", len(message.blocks))), []).append(part)
    return out


def to_core_messages(messages: Sequence[ChatMessage]) -> tuple[list[TextPart], list[Message]]:
    """Split LlamaIndex messages into the system prompt and neutral turns.

    Consecutive messages that land on the same side are merged into one turn (tool results
    become ``tool_result`` parts of one user turn, as the API requires). The input is not
    modified.
    """
    system_parts: list[Part] = []  # text only (checked below), with cache points applied
    turns: list[Message] = []
    for index, message in enumerate(messages):
        side = _ROLES.get(message.role)
        if side is None:  # pragma: no cover - every MessageRole is in the table
            raise InvalidRequestError(f"message {index} has unknown role {message.role!r}")
        ctx = _Ctx(side=side, message_index=index)
        if side == "system":
            system_ctx = _Ctx(side="system", message_index=index, parts=system_parts)
            for block in message.blocks:
                if not isinstance(block, TextBlock | CachePoint):
                    raise _unsupported(ctx, block, "the system prompt takes text only")
                _convert_block(block, system_ctx)
            continue
        if side == "tool":
            try:
                ctx.parts.append(_tool_result(message, ctx))
            except Exception as exc:
                _reraise_as_caller_input(exc, f"message {index} (role tool)")
        else:
            server = _server_blocks(message) if side == "assistant" else {}
            for position, block in enumerate(message.blocks):
                if server:
                    ctx.parts.extend(server.pop(position, []))
                _convert_block(block, ctx)
            for rest in server.values():
                ctx.parts.extend(rest)
            if side == "assistant" and not any(isinstance(p, ToolCallPart) for p in ctx.parts):
                try:
                    _legacy_tool_calls(message, ctx)
                except Exception as exc:
                    where = f"message {index} additional_kwargs['tool_calls']"
                    _reraise_as_caller_input(exc, where)
        role: Role = "assistant" if side == "assistant" else "user"
        if turns and turns[-1].role == role:
            turns[-1].parts.extend(ctx.parts)
        elif ctx.parts:
            turns.append(Message(role=role, parts=ctx.parts))
        else:
            raise InvalidRequestError(
                f"message {index} (role {message.role.value}) has no content to send; "
                "the API refuses empty turns"
            )
    system = [part for part in system_parts if isinstance(part, TextPart)]
    return system, turns
