"""The ``/messages`` dialect: Anthropic's Messages API as the AI/ML API serves it.

Requests carry ``cache_control``, document titles and signed thinking blocks (``encode.py``).
Whole responses are Anthropic messages; streams are Anthropic SSE (``message_start``,
``content_block_start/delta/stop``, ``message_delta``, ``message_stop``, ``ping``, ``error``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from aimlapi_core._json import excerpt, loads_text
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
from aimlapi_core.errors import AIMLAPIError, ResponseValidationError

from ._common import (
    SHAPE_ERRORS,
    as_int,
    cost_from_body,
    cost_of,
    ids_of,
    opt_dict,
    opt_str,
    require_object,
    shape_error,
    stop_reason,
    usage_fields,
    usage_from_wire,
    usage_object,
)
from .encode import encode_request
from .envelope import error_from_body, raise_if_error_envelope, stream_error

_CONTENT = DIALECT_CONTENT["messages"]


class MessagesDialect:
    name: Literal["chat_completions", "messages"] = "messages"
    path = "/messages"

    def encode(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        return encode_request(request, stream=stream, dialect_content=_CONTENT)

    def decode(self, body: Any, headers: Mapping[str, str]) -> ChatResult:
        try:
            return decode_message(body, headers)
        except AIMLAPIError:
            raise
        except SHAPE_ERRORS as exc:  # the one boundary: see _common.SHAPE_ERRORS
            raise shape_error("the message", body, exc) from None

    def stream_decoder(self) -> MessagesStreamDecoder:
        return MessagesStreamDecoder()


def _server_call_ids(block: Mapping[str, Any]) -> tuple[str, str]:
    """A ``server_tool_use`` block's ``id`` and ``name``, whole or streamed (its
    ``content_block_start`` carries both): the block is sent back as received (docs/wire.md
    "Server tools"), so one without them could only be replayed altered and is refused."""
    call_id, name = block.get("id"), block.get("name")
    if not (isinstance(call_id, str) and call_id and isinstance(name, str) and name):
        raise ResponseValidationError(
            f"a server_tool_use block without its id and name, which could not be sent back "
            f"as received: {excerpt(block)}"
        )
    return call_id, name


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
            text = block.get("text")
            if not isinstance(text, str):
                text = _str(block, "text")  # raises, naming the block
            citations = _citations(block) if "citations" in block else None
            if text or citations:
                parts.append(TextPart(text=text, citations=citations))
        elif kind == "thinking":
            signature = opt_str(block, "signature", "a thinking block")
            thinking = _str(block, "thinking")
            parts.append(ThinkingPart(thinking=thinking, signature=signature or None))
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
            call_id, name = _server_call_ids(block)
            parts.append(ServerToolCallPart(id=call_id, name=name, arguments=arguments))
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
    raw = opt_str(body, "stop_reason", "the message")
    if body.get("error") is not None or raw == "error":
        # An error object next to the content, or stop_reason "error": an error, not an answer.
        raise error_from_body(body, headers)
    sequence = opt_str(body, "stop_sequence", "the message")
    request_id, inference_id = ids_of(body, headers)
    mid, model = body.get("id"), body.get("model")
    return ChatResult(
        parts=parts,
        id=mid if isinstance(mid, str) and mid else None,
        model=model if isinstance(model, str) else None,
        stop_reason=stop_reason(raw),
        raw_stop_reason=raw,
        stop_sequence=sequence,
        usage=usage_from_wire(usage_object(body.get("usage"), "the message's")),
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
        self._blocks: dict[int | None, int] = {}  # wire block index → part index
        self._input: dict[str, int] = {}  # latest input_tokens / cache_* reported

    def _index(self, wire: Any) -> int:
        index = self._blocks.get(wire)  # an unhashable index: TypeError, at the boundary
        if index is None:
            # A new block: its index is checked once, here (a string or float index would
            # otherwise open a part of its own).
            if wire is not None and as_int(wire) is None:
                raise ResponseValidationError(f"a content block index is not an integer: {wire!r}")
            index = self._blocks[wire] = self._next_index
            self._next_index += 1
        return index

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """One event's neutral events. Every failure to read it is a library error: the one
        boundary converting shape errors (_common.SHAPE_ERRORS) keeps the hot path cheap."""
        data = event.data
        if not data or data == "[DONE]":
            return []
        try:
            return self._feed(event, data)
        except AIMLAPIError:
            raise
        except SHAPE_ERRORS as exc:
            raise shape_error("a stream event", data, exc) from None

    def _feed(self, event: ServerSentEvent, data: str) -> list[StreamEvent]:
        try:
            obj = loads_text(data)
        except ValueError:
            raise ResponseValidationError(f"a stream event is not JSON: {excerpt(data)}") from None
        if not isinstance(obj, dict):
            raise ResponseValidationError(f"a stream event is not an object: {excerpt(data)}")
        kind = obj.get("type") or event.event
        if obj.get("error") is not None and kind != "error":
            # An error object riding on another event: an error, never part of an answer.
            raise stream_error(obj)
        out: list[StreamEvent] = []
        if kind == "content_block_delta":
            self._delta(obj, out)
        elif kind == "content_block_start":
            self._start(obj, out)
        elif kind == "message_start":
            message = opt_dict(obj, "message", "message_start") or {}
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
            delta = opt_dict(obj, "delta", "message_delta") or {}
            raw = opt_str(delta, "stop_reason", "message_delta.delta")
            if raw == "error":
                raise stream_error(obj)
            if raw and not self.finished:
                self.finished = True
                sequence = opt_str(delta, "stop_sequence", "message_delta.delta")
                reason = stop_reason(raw)
                out.append(Finish(stop_reason=reason, raw_stop_reason=raw, stop_sequence=sequence))
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
        block = opt_dict(obj, "content_block", "content_block_start") or {}
        kind = block.get("type")
        wire = obj.get("index")
        what = f"a {kind} block"
        if kind == "text":
            text = opt_str(block, "text", what)
            if text:
                out.append(TextDelta(self._index(wire), text))
            for citation in _citations(block) or []:
                out.append(CitationDelta(self._index(wire), citation))
        elif kind == "thinking":
            thinking = opt_str(block, "thinking", what)
            signature = opt_str(block, "signature", what)
            if thinking:
                out.append(ThinkingDelta(self._index(wire), thinking))
            if signature:
                out.append(SignatureDelta(self._index(wire), signature))
        elif kind == "tool_use":
            arguments = opt_dict(block, "input", what)
            out.append(
                ToolCallDelta(
                    self._index(wire),
                    opt_str(block, "id", what),
                    opt_str(block, "name", what),
                    json.dumps(arguments) if arguments else "",
                )
            )
        elif kind == "redacted_thinking":
            out.append(RedactedThinkingDelta(self._index(wire), opt_str(block, "data", what) or ""))
        elif kind == "server_tool_use":
            arguments = opt_dict(block, "input", what)
            self._server.add(wire)
            call_id, name = _server_call_ids(block)
            out.append(
                ServerToolCallDelta(
                    self._index(wire), call_id, name, json.dumps(arguments) if arguments else ""
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
        delta = obj.get("delta") or {}  # not a dict: AttributeError below, at the boundary
        kind = delta.get("type")
        wire = obj.get("index")
        what = "a content delta"
        if kind == "text_delta":  # the hot path: the check inlined
            text = delta.get("text")
            if text:
                if not isinstance(text, str):
                    raise ResponseValidationError(f"{what}.text is not a string: {excerpt(obj)}")
                out.append(TextDelta(self._index(wire), text))
        elif kind == "input_json_delta":
            fragment = opt_str(delta, "partial_json", what) or ""
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
            thinking = opt_str(delta, "thinking", what)
            if thinking:
                out.append(ThinkingDelta(self._index(wire), thinking))
        elif kind == "signature_delta":
            signature = opt_str(delta, "signature", what) or ""
            out.append(SignatureDelta(self._index(wire), signature))
        else:
            raise ResponseValidationError(f"unknown content delta {kind!r}: {excerpt(obj)}")

    def _usage(self, usage: Any, out: list[StreamEvent]) -> None:
        usage = usage_object(usage, "a stream event's")
        if usage is None:
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
