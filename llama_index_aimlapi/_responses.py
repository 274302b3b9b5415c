"""Neutral results and stream events → LlamaIndex ``ChatResponse`` / ``CompletionResponse``.

The outbound half of the conversion (the inbound half, messages → parts, is ``_convert.py``):
a result's parts become LlamaIndex blocks (:func:`from_core_parts`). A thinking block keeps its
signature in ``ThinkingBlock.additional_information["signature"]``, where
``llama-index-llms-anthropic`` keeps it, so histories move between the two integrations; server
tool and raw blocks go to ``additional_kwargs`` (:func:`server_blocks`), which ``_convert``
reads back on a later turn.

Whole and streamed answers end in the same place: the last streamed response is built from the
core's accumulated ``ChatResult`` by :func:`chat_response`, exactly as a whole answer is, so the
message an agent stores is the same whichever way it was produced.

``raw`` holds the neutral result as a plain dict. Its ``usage`` has ``input_tokens`` /
``output_tokens``, the keys ``TokenCountingHandler`` reads
(``llama_index.core.callbacks.token_counting.get_tokens_from_response``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any, ClassVar

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitationBlock,
    CompletionResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from pydantic import PrivateAttr
from typing_extensions import assert_never

from aimlapi_core import (
    ChatResult,
    CitationDelta,
    Cost,
    DocumentPart,
    ImagePart,
    Part,
    RawPart,
    RedactedThinkingPart,
    SearchResultPart,
    ServerToolCallPart,
    ServerToolResultPart,
    StreamAccumulator,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
    Usage,
)
from aimlapi_core.adapter import PartialPart
from aimlapi_core.errors import ResponseValidationError

from ._citations import citation_block
from ._construct import chat_message, constructor
from ._convert import REDACTED_KEY, SERVER_BLOCKS_KEY, SIGNATURE_KEY

_COST_FIELDS = tuple(f.name for f in fields(Cost))


# --------------------------------------------------------------------------- parts → blocks


def server_blocks(parts: Sequence[Part]) -> list[dict[str, Any]]:
    """The answer's server tool and raw blocks with their positions among the LlamaIndex
    blocks :func:`from_core_parts` gives (see ``SERVER_BLOCKS_KEY``)."""
    out: list[dict[str, Any]] = []
    position = 0
    for part in parts:
        if isinstance(part, ServerToolCallPart | ServerToolResultPart | RawPart):
            out.append({"position": position, "block": claude_block(part)})
        else:
            position += 1 + (len(_citation_blocks(part)) if isinstance(part, TextPart) else 0)
    return out


def _citation_blocks(part: TextPart) -> list[CitationBlock]:
    """A text part's citations as LlamaIndex CitationBlocks (``_citations.py``)."""
    blocks = (citation_block(c, part.text) for c in part.citations or [])
    return [b for b in blocks if b is not None]


def from_core_parts(parts: Sequence[Part]) -> list[Any]:
    """The LlamaIndex blocks for a neutral result's parts, in order."""
    blocks: list[Any] = []
    for part in parts:
        if isinstance(part, TextPart):
            blocks.append(TextBlock(text=part.text))
            if part.citations:
                blocks.extend(_citation_blocks(part))
        elif isinstance(part, ThinkingPart):
            info = {SIGNATURE_KEY: part.signature} if part.signature else {}
            blocks.append(ThinkingBlock(content=part.thinking, additional_information=info))
        elif isinstance(part, RedactedThinkingPart):
            info = {"type": REDACTED_KEY, "data": part.data}
            blocks.append(ThinkingBlock(content="", additional_information=info))
        elif isinstance(part, ToolCallPart):
            blocks.append(
                ToolCallBlock(tool_call_id=part.id, tool_name=part.name, tool_kwargs=part.arguments)
            )
        elif isinstance(part, ServerToolCallPart | ServerToolResultPart | RawPart):
            continue  # in additional_kwargs (server_blocks)
        elif isinstance(part, ImagePart | DocumentPart | ToolResultPart | SearchResultPart):
            raise ResponseValidationError(
                f"the model answered with a {type(part).__name__}, which only requests carry"
            )
        else:
            assert_never(part)
    return blocks


def claude_block(part: ServerToolCallPart | ServerToolResultPart | RawPart) -> dict[str, Any]:
    if isinstance(part, ServerToolCallPart):
        return {"type": "server_tool_use", "id": part.id, "name": part.name,
                "input": part.arguments}  # fmt: skip
    if isinstance(part, ServerToolResultPart):
        return {"type": part.type, "tool_use_id": part.tool_call_id, "content": part.content}
    return dict(part.block)


# --------------------------------------------------------------------------- responses


def usage_dict(usage: Usage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }
    for name in ("cache_read_tokens", "cache_creation_tokens", "reasoning_tokens"):
        value = getattr(usage, name)
        if value is not None:
            out[name] = value
    return out


def raw_dict(result: ChatResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "model": result.model,
        "stop_reason": result.stop_reason,
        "raw_stop_reason": result.raw_stop_reason,
        "stop_sequence": result.stop_sequence,
        "usage": usage_dict(result.usage),
        # dataclasses.asdict, for a flat dataclass of numbers, without its deep copy.
        "cost": _cost_dict(result.cost) if result.cost is not None else None,
        "request_id": result.request_id,
        "inference_id": result.inference_id,
        "body": result.raw,  # the wire body for whole answers; None for streams
    }


def _cost_dict(cost: Cost) -> dict[str, Any]:
    return {name: getattr(cost, name) for name in _COST_FIELDS}


def message_kwargs(blocks: list[Any]) -> dict[str, Any]:
    """``additional_kwargs`` for an assistant message: tool calls are mirrored under
    ``"tool_calls"`` in OpenAI's shape because LlamaIndex's streaming structured output
    (``program.utils.process_streaming_objects``) only looks for tool calls when that list exists.
    The blocks stay the source of truth; ``_convert`` reads the list only when blocks are absent.
    """
    calls = [
        {
            "id": block.tool_call_id,
            "type": "function",
            "function": {
                "name": block.tool_name,
                "arguments": block.tool_kwargs
                if isinstance(block.tool_kwargs, str)
                else json.dumps(block.tool_kwargs),
            },
        }
        for block in blocks
        if isinstance(block, ToolCallBlock)
    ]
    return {"tool_calls": calls} if calls else {}


def chat_response(result: ChatResult, *, delta: str | None = None) -> ChatResponse:
    raw = raw_dict(result)
    blocks = from_core_parts(result.parts)
    kwargs = message_kwargs(blocks)
    if server := server_blocks(result.parts):
        kwargs[SERVER_BLOCKS_KEY] = server
    return ChatResponse(
        # Built without validation (_construct.py): the blocks and the dict are our own.
        message=chat_message(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=kwargs),
        raw=raw,
        delta=delta,
        additional_kwargs={"usage": raw["usage"], "stop_reason": result.stop_reason},
    )


def completion_response(response: ChatResponse) -> CompletionResponse:
    if isinstance(response, PartialChatResponse):
        return _partial_completion(
            {"_response": response},
            delta=response.delta,
            raw=None,
            additional_kwargs=response.additional_kwargs,
        )
    return CompletionResponse(
        text=response.message.content or "",
        delta=response.delta,
        raw=response.raw,
        additional_kwargs=response.additional_kwargs,
    )


class _Lazy:
    """A streamed response whose one expensive field (the answer so far) is built the first
    time it is read, then kept: taking a response costs the same for any answer size, and a
    consumer that reads only ``delta`` never pays for the text so far. Everything that reads
    fields wholesale (dump, equality, repr) builds it first. One gap: a parent pydantic model
    that serializes such a response (an instrumentation event dumped to JSON) sees it without
    the field unless it was read before."""

    _LAZY: ClassVar[str]

    def _build(self) -> Any:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name == self._LAZY:
            value = self._build()
            self.__dict__[name] = value
            return value
        return super().__getattr__(name)  # type: ignore[misc]

    def _materialize(self) -> None:
        getattr(self, self._LAZY)

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        self._materialize()
        return super().model_dump(**kwargs)  # type: ignore[misc,no-any-return]

    def model_dump_json(self, **kwargs: Any) -> str:
        self._materialize()
        return super().model_dump_json(**kwargs)  # type: ignore[misc,no-any-return]

    def __eq__(self, other: object) -> bool:
        self._materialize()
        if isinstance(other, _Lazy):
            other._materialize()
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr_args__(self) -> Any:
        self._materialize()
        return super().__repr_args__()  # type: ignore[misc]


class PartialChatResponse(_Lazy, ChatResponse):
    """A streamed ``ChatResponse`` before the last: ``message`` is the answer so far, as blocks
    (tool-call arguments as raw, possibly partial, JSON text), built from a snapshot of the
    core's accumulator when first read."""

    _LAZY: ClassVar[str] = "message"
    _parts: list[PartialPart] = PrivateAttr(default_factory=list)

    @classmethod
    def of(cls, parts: list[PartialPart], delta: str, **kwargs: Any) -> PartialChatResponse:
        return _partial_chat({"_parts": parts}, delta=delta, additional_kwargs=kwargs)

    def _build(self) -> ChatMessage:
        blocks = [b for part in self._parts for b in _partial_blocks(part)]
        return chat_message(
            role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=message_kwargs(blocks)
        )


class PartialCompletionResponse(_Lazy, CompletionResponse):
    """``stream_complete``'s counterpart: ``text`` (the text so far) is read from the chat
    response's message when first read."""

    _LAZY: ClassVar[str] = "text"
    _response: Any = PrivateAttr(default=None)

    def _build(self) -> str:
        return str(self._response.message.content or "")


# Each streamed chunk is one of these: made as model_construct would, at a fraction of its cost.
_partial_chat = constructor(PartialChatResponse, lazy="message")
_partial_completion = constructor(PartialCompletionResponse, lazy="text")


def _partial_blocks(part: PartialPart) -> list[Any]:
    # The blocks the last response will hold (from_core_parts), but for tool-call arguments,
    # which stay raw JSON text until the stream ends; get_tool_calls_from_response parses them
    # leniently. A text's citations follow it as they arrive (citations_delta).
    if part.kind == "text":
        text = part.text
        cited = (citation_block(c, text) for c in part.cited)
        return [TextBlock(text=text), *(b for b in cited if b is not None)]
    block = _partial_block(part)
    return [] if block is None else [block]


def _partial_block(part: PartialPart) -> Any | None:
    if part.kind == "thinking":
        info = {SIGNATURE_KEY: part.signature} if part.signature else {}
        return ThinkingBlock(content=part.text, additional_information=info)
    if part.kind == "redacted_thinking":
        return ThinkingBlock(
            content="", additional_information={"type": REDACTED_KEY, "data": part.text}
        )
    if part.kind != "tool_call":
        # Server tool calls and whole blocks (server tool results, raw blocks) reach the caller
        # on the last response, from the accumulated result, as a whole answer shows them; a
        # server tool call is never a ToolCallBlock the agent would run.
        return None
    return ToolCallBlock(tool_call_id=part.id, tool_name=part.name or "", tool_kwargs=part.text)


class StreamResponses:
    """Stream events → the streamed responses before the last, read from the core's accumulator.

    ``on_event`` returns a response for events that add content (text, thinking, tool-call
    deltas, a text's citation) and ``None`` for the rest (ids, usage, cost, finish reach the
    caller on the last response, built by :func:`chat_response` from the accumulated result).
    Each response holds
    a snapshot of the answer so far from ``partial_parts``: a core stream's
    (``ChatStream.partial_parts``), whose accumulator has already folded the event, so each
    event is folded once. Without a stream (events from elsewhere), the events are folded here,
    into an accumulator of its own. Per event the work is constant in the answer's size.
    """

    __slots__ = ("_fold", "_partial_parts")

    def __init__(self, partial_parts: Callable[[], list[PartialPart]] | None = None) -> None:
        self._fold: Callable[[StreamEvent], None] | None = None
        if partial_parts is None:
            acc = StreamAccumulator()
            self._fold, partial_parts = acc.add, acc.partial_parts
        self._partial_parts = partial_parts

    def on_event(self, event: StreamEvent) -> PartialChatResponse | None:
        if self._fold is not None:
            self._fold(event)
        if isinstance(event, TextDelta):
            return PartialChatResponse.of(self._partial_parts(), event.text)
        if isinstance(event, ThinkingDelta):
            return PartialChatResponse.of(self._partial_parts(), "", thinking_delta=event.thinking)
        if isinstance(event, ToolCallDelta | CitationDelta):
            return PartialChatResponse.of(self._partial_parts(), "")
        return None
