"""The ``/messages`` dialect: Anthropic's Messages API as the AI/ML API serves it.

Requests carry ``cache_control``, document titles and signed thinking blocks (``encode.py``).
Whole responses are Anthropic messages; streams are Anthropic SSE (``message_start``,
``content_block_start/delta/stop``, ``message_delta``, ``message_stop``, ``ping``, ``error``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from aimlapi_core._json import excerpt
from aimlapi_core._rules import DIALECT_CONTENT
from aimlapi_core._sse import ServerSentEvent
from aimlapi_core._types import (
    ChatRequest,
    ChatResult,
    CitationDelta,
    CostDelta,
    Finish,
    MessageStart,
    Part,
    PartDelta,
    RawPart,
    RedactedThinkingDelta,
    RedactedThinkingPart,
    ServerToolCallDelta,
    ServerToolCallPart,
    ServerToolResultPart,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    UsageDelta,
)
from aimlapi_core.errors import ResponseValidationError

from ._common import (
    as_int,
    cost_from_body,
    cost_of,
    ids_of,
    require_object,
    stop_reason,
    usage_fields,
    usage_from_wire,
)
from .encode import encode_request
from .envelope import raise_if_error_envelope, stream_error

_FLAVOR = DIALECT_CONTENT["messages"]


class MessagesDialect:
    name: Literal["chat_completions", "messages"] = "messages"
    path = "/messages"

    def encode(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        return encode_request(request, stream=stream, flavor=_FLAVOR)

    def decode(self, body: Any, headers: Mapping[str, str]) -> ChatResult:
        return decode_message(body, headers)

    def stream_decoder(self) -> MessagesStreamDecoder:
        return MessagesStreamDecoder()


def _str(block: Mapping[str, Any], key: str) -> str:
    value = block.get(key)
    if not isinstance(value, str):
        raise ResponseValidationError(f"a {block.get('type')} block has no {key}: {excerpt(block)}")
    return value


def _citations(block: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    cites = block.get("citations")
    if cites is None:
        return None
    if not isinstance(cites, list) or not all(isinstance(c, dict) for c in cites):
        raise ResponseValidationError(f"text citations are not a list of objects: {excerpt(block)}")
    return [dict(c) for c in cites] or None


def is_server_tool_result(kind: object) -> bool:
    """``web_search_tool_result``, ``web_fetch_tool_result``, ``code_execution_tool_result``,
    ``bash_code_execution_tool_result``, ... (docs/wire.md "Server tools"): every server tool's
    result block is ``<tool>_tool_result`` with ``tool_use_id`` and ``content``."""
    return isinstance(kind, str) and kind.endswith("_tool_result") and kind != "tool_result"


def _server_tool_result(block: Mapping[str, Any]) -> ServerToolResultPart:
    return ServerToolResultPart(
        type=block["type"], tool_call_id=_str(block, "tool_use_id"), content=block.get("content")
    )


def decode_blocks(blocks: list[Any]) -> list[Part]:
    """Anthropic response content blocks → parts, in wire order; empty text blocks dropped.

    A block type this client has no part for is kept whole as a :class:`RawPart` (shown to the
    caller, sent back as is): an answer is never silently shortened, and a new block type
    does not break every answer that holds one (docs/wire.md "/messages").
    """
    parts: list[Part] = []
    for block in blocks:
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            raise ResponseValidationError(f"a content block has no type: {excerpt(block)}")
        kind = block["type"]
        if kind == "text":
            text = _str(block, "text")
            citations = _citations(block)
            if text or citations:
                parts.append(TextPart(text=text, citations=citations))
        elif kind == "thinking":
            signature = block.get("signature")
            parts.append(
                ThinkingPart(
                    thinking=_str(block, "thinking"),
                    signature=signature if isinstance(signature, str) and signature else None,
                )
            )
        elif kind == "redacted_thinking":
            parts.append(RedactedThinkingPart(data=_str(block, "data")))
        elif kind == "tool_use":
            arguments = block.get("input")
            if arguments is None:
                arguments = {}
            if not isinstance(arguments, dict):
                raise ResponseValidationError(f"tool_use input is not an object: {excerpt(block)}")
            parts.append(
                ToolCallPart(id=_str(block, "id"), name=_str(block, "name"), arguments=arguments)
            )
        elif kind == "server_tool_use":
            arguments = block.get("input") or {}
            if not isinstance(arguments, dict):
                raise ResponseValidationError(
                    f"server_tool_use input is not an object: {excerpt(block)}"
                )
            parts.append(
                ServerToolCallPart(
                    id=_str(block, "id"), name=_str(block, "name"), arguments=arguments
                )
            )
        elif is_server_tool_result(kind):
            parts.append(_server_tool_result(block))
        else:
            parts.append(RawPart(block=dict(block)))
    return parts


def decode_message(body: Any, headers: Mapping[str, str]) -> ChatResult:
    body = require_object(body, "a message")
    content = body.get("content")
    if body.get("type") == "error" or (content is None and "error" in body):
        raise_if_error_envelope(body, headers)
    if not isinstance(content, list):
        raise_if_error_envelope(body, headers)
        raise ResponseValidationError(
            f"the response has no content list to read a message from: {excerpt(body)}"
        )
    parts = decode_blocks(content)
    raw = body.get("stop_reason")
    raw = raw if isinstance(raw, str) else None
    sequence = body.get("stop_sequence")
    request_id, inference_id = ids_of(body, headers)
    mid, model = body.get("id"), body.get("model")
    return ChatResult(
        parts=parts,
        id=mid if isinstance(mid, str) and mid else None,
        model=model if isinstance(model, str) else None,
        stop_reason=stop_reason(raw),
        raw_stop_reason=raw,
        stop_sequence=sequence if isinstance(sequence, str) else None,
        usage=usage_from_wire(body.get("usage")),
        cost=cost_of(body, headers),
        request_id=request_id,
        inference_id=inference_id,
        raw=body,
    )


class MessagesStreamDecoder:
    """Anthropic SSE events → neutral stream events.

    Part indexes are given in order of first content, so a block that never carries anything
    (an empty text block) leaves no gap. Usage is cumulative on the wire: ``message_start``
    reports input tokens, ``message_delta`` output tokens and sometimes input tokens again; the
    decoder keeps the latest of each and reports totals, never sums of reports.
    """

    __slots__ = ("_blocks", "_input", "_next_index", "_raw", "_server", "finished")

    def __init__(self) -> None:
        self.finished = False
        self._server: set[Any] = set()  # wire indexes of server_tool_use blocks
        self._raw: set[Any] = set()  # wire indexes of blocks kept raw
        self._next_index = 0
        self._blocks: dict[int, int] = {}  # wire block index → part index
        self._input: dict[str, int] = {}  # latest input_tokens / cache_* reported

    def _index(self, wire: Any) -> int:
        index = self._blocks.get(wire)
        if index is None:
            index = self._blocks[wire] = self._next_index
            self._next_index += 1
        return index

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        data = event.data
        if not data or data == "[DONE]":
            return []
        try:
            obj = json.loads(data)
        except ValueError:
            raise ResponseValidationError(f"a stream event is not JSON: {excerpt(data)}") from None
        if not isinstance(obj, dict):
            raise ResponseValidationError(f"a stream event is not an object: {excerpt(data)}")
        kind = obj.get("type") or event.event
        out: list[StreamEvent] = []
        if kind == "content_block_delta":
            self._delta(obj, out)
        elif kind == "content_block_start":
            self._start(obj, out)
        elif kind == "message_start":
            message = obj.get("message") or {}
            mid, model = message.get("id"), message.get("model")
            out.append(
                MessageStart(
                    mid if isinstance(mid, str) and mid else None,
                    model if isinstance(model, str) and model else None,
                )
            )
            self._usage(message.get("usage"), out)
        elif kind == "message_delta":
            self._usage(obj.get("usage"), out)
            delta = obj.get("delta") or {}
            raw = delta.get("stop_reason")
            if raw and not self.finished:
                self.finished = True
                sequence = delta.get("stop_sequence")
                out.append(
                    Finish(
                        stop_reason=stop_reason(raw),
                        raw_stop_reason=raw,
                        stop_sequence=sequence if isinstance(sequence, str) else None,
                    )
                )
        elif kind == "error":
            raise stream_error(obj)
        elif kind not in ("content_block_stop", "message_stop", "ping"):
            raise ResponseValidationError(f"unknown stream event {kind!r}: {excerpt(data)}")
        if "meta" in obj:
            cost = cost_from_body(obj)
            if cost is not None:
                out.append(CostDelta(cost))
        return out

    def _start(self, obj: dict[str, Any], out: list[StreamEvent]) -> None:
        block = obj.get("content_block") or {}
        kind = block.get("type")
        wire = obj.get("index")
        if kind == "text":
            if block.get("text"):
                out.append(TextDelta(self._index(wire), block["text"]))
            for citation in _citations(block) or []:
                out.append(CitationDelta(self._index(wire), citation))
        elif kind == "thinking":
            if block.get("thinking"):
                out.append(ThinkingDelta(self._index(wire), block["thinking"]))
            if block.get("signature"):
                out.append(SignatureDelta(self._index(wire), block["signature"]))
        elif kind == "tool_use":
            arguments = block.get("input")
            out.append(
                ToolCallDelta(
                    self._index(wire),
                    block.get("id"),
                    block.get("name"),
                    json.dumps(arguments) if arguments else "",
                )
            )
        elif kind == "redacted_thinking":
            out.append(RedactedThinkingDelta(self._index(wire), block.get("data") or ""))
        elif kind == "server_tool_use":
            self._server.add(wire)
            arguments = block.get("input")
            out.append(
                ServerToolCallDelta(
                    self._index(wire),
                    block.get("id"),
                    block.get("name"),
                    json.dumps(arguments) if arguments else "",
                )
            )
        elif is_server_tool_result(kind):
            # Result blocks arrive whole in content_block_start (Anthropic streams them so).
            out.append(PartDelta(self._index(wire), _server_tool_result(block)))
        elif isinstance(kind, str):
            self._raw.add(wire)
            out.append(PartDelta(self._index(wire), RawPart(block=dict(block))))
        else:
            raise ResponseValidationError(f"a content block has no type: {excerpt(block)}")

    def _delta(self, obj: dict[str, Any], out: list[StreamEvent]) -> None:
        delta = obj.get("delta") or {}
        kind = delta.get("type")
        wire = obj.get("index")
        if kind == "text_delta":
            if delta.get("text"):
                out.append(TextDelta(self._index(wire), delta["text"]))
        elif kind == "input_json_delta":
            fragment = delta.get("partial_json", "")
            if wire in self._server:
                out.append(ServerToolCallDelta(self._index(wire), None, None, fragment))
            else:
                out.append(ToolCallDelta(self._index(wire), None, None, fragment))
        elif kind == "citations_delta":
            citation = delta.get("citation")
            if not isinstance(citation, dict):
                raise ResponseValidationError(f"citations_delta without a citation: {excerpt(obj)}")
            out.append(CitationDelta(self._index(wire), dict(citation)))
        elif kind == "thinking_delta":
            if delta.get("thinking"):
                out.append(ThinkingDelta(self._index(wire), delta["thinking"]))
        elif kind == "signature_delta":
            out.append(SignatureDelta(self._index(wire), delta.get("signature", "")))
        else:
            raise ResponseValidationError(f"unknown content delta {kind!r}: {excerpt(obj)}")

    def _usage(self, usage: Any, out: list[StreamEvent]) -> None:
        if not isinstance(usage, dict):
            return
        for key in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"):
            value = as_int(usage.get(key))
            if value is not None:
                self._input[key] = value
        # The latest input counts seen so far with this event's output count, read as a whole
        # usage object would be (usage_fields: input_tokens includes cache reads and writes).
        out.append(
            UsageDelta(**usage_fields({**self._input, "output_tokens": usage.get("output_tokens")}))
        )
