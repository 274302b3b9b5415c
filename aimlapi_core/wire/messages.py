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
    CostDelta,
    Finish,
    MessageStart,
    Part,
    RedactedThinkingDelta,
    RedactedThinkingPart,
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


def decode_blocks(blocks: list[Any]) -> list[Part]:
    """Anthropic response content blocks → parts, in wire order; empty text blocks dropped.

    An unknown block type raises rather than vanish: an answer is never silently shortened.
    """
    parts: list[Part] = []
    for block in blocks:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            text = _str(block, "text")
            if text:
                parts.append(TextPart(text=text))
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
        else:
            raise ResponseValidationError(
                f"the response holds a content block this client cannot read: {excerpt(block)}"
            )
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

    __slots__ = ("_blocks", "_input", "_next_index", "finished")

    def __init__(self) -> None:
        self.finished = False
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
        else:
            raise ResponseValidationError(
                f"the stream holds a content block this client cannot read: {excerpt(block)}"
            )

    def _delta(self, obj: dict[str, Any], out: list[StreamEvent]) -> None:
        delta = obj.get("delta") or {}
        kind = delta.get("type")
        wire = obj.get("index")
        if kind == "text_delta":
            if delta.get("text"):
                out.append(TextDelta(self._index(wire), delta["text"]))
        elif kind == "input_json_delta":
            out.append(ToolCallDelta(self._index(wire), None, None, delta.get("partial_json", "")))
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
