"""Neutral results and stream events → LlamaIndex ``ChatResponse`` / ``CompletionResponse``.

Whole and streamed answers end in the same place: the last streamed response is built from the
core's accumulated ``ChatResult`` by :func:`chat_response`, exactly as a whole answer is, so the
message an agent stores is the same whichever way it was produced.

``raw`` holds the neutral result as a plain dict. Its ``usage`` has ``input_tokens`` /
``output_tokens``, the keys ``TokenCountingHandler`` reads
(``llama_index.core.callbacks.token_counting.get_tokens_from_response``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from typing_extensions import assert_never

from aimlapi_core import (
    ChatResult,
    CostDelta,
    Finish,
    MessageStart,
    RedactedThinkingDelta,
    SignatureDelta,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCallDelta,
    Usage,
    UsageDelta,
)

from ._convert import REDACTED_KEY, SIGNATURE_KEY, from_core_parts


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
        "cost": asdict(result.cost) if result.cost is not None else None,
        "request_id": result.request_id,
        "inference_id": result.inference_id,
        "body": result.raw,  # the wire body for whole answers; None for streams
    }


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
    return ChatResponse(
        message=ChatMessage(
            role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=message_kwargs(blocks)
        ),
        raw=raw,
        delta=delta,
        additional_kwargs={"usage": raw["usage"], "stop_reason": result.stop_reason},
    )


def completion_response(response: ChatResponse) -> CompletionResponse:
    return CompletionResponse(
        text=response.message.content or "",
        delta=response.delta,
        raw=response.raw,
        additional_kwargs=response.additional_kwargs,
    )


class StreamState:
    """Folds stream events into the blocks of the message so far, one block per part index
    (parallel tool calls keep their own index, so they stay distinct).

    ``on_event`` returns a ``ChatResponse`` for events that add content, ``None`` for the rest
    (ids, usage, cost, finish: those reach the caller on the last response, built by
    :func:`chat_response` from the core's accumulated result).
    """

    __slots__ = ("_blocks",)

    def __init__(self) -> None:
        self._blocks: dict[int, Any] = {}

    def _message(self) -> ChatMessage:
        blocks = [self._blocks[i] for i in sorted(self._blocks)]
        # Blocks are rebuilt, never mutated, so earlier responses keep their own snapshot;
        # model_construct skips re-validating blocks that were built validated.
        return ChatMessage.model_construct(
            role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=message_kwargs(blocks)
        )

    def on_event(self, event: StreamEvent) -> ChatResponse | None:
        blocks = self._blocks
        if isinstance(event, TextDelta):
            old = blocks.get(event.index)
            text = old.text + event.text if isinstance(old, TextBlock) else event.text
            blocks[event.index] = TextBlock(text=text)
            return ChatResponse(message=self._message(), delta=event.text)
        if isinstance(event, ThinkingDelta):
            old = blocks.get(event.index)
            content = (old.content or "") if isinstance(old, ThinkingBlock) else ""
            info = dict(old.additional_information) if isinstance(old, ThinkingBlock) else {}
            blocks[event.index] = ThinkingBlock(
                content=content + event.thinking, additional_information=info
            )
            return ChatResponse(
                message=self._message(),
                delta="",
                additional_kwargs={"thinking_delta": event.thinking},
            )
        if isinstance(event, SignatureDelta):
            old = blocks.get(event.index)
            content = (old.content or "") if isinstance(old, ThinkingBlock) else ""
            info = dict(old.additional_information) if isinstance(old, ThinkingBlock) else {}
            info[SIGNATURE_KEY] = info.get(SIGNATURE_KEY, "") + event.signature
            blocks[event.index] = ThinkingBlock(content=content, additional_information=info)
            return None
        if isinstance(event, RedactedThinkingDelta):
            info = {"type": REDACTED_KEY, "data": event.data}
            blocks[event.index] = ThinkingBlock(content="", additional_information=info)
            return None
        if isinstance(event, ToolCallDelta):
            old = blocks.get(event.index)
            if isinstance(old, ToolCallBlock):
                args = str(old.tool_kwargs) + event.arguments
                call_id, name = old.tool_call_id, old.tool_name
            else:
                args, call_id, name = event.arguments, event.id, event.name or ""
            # Arguments stay raw JSON text until the stream ends; get_tool_calls_from_response
            # parses the (possibly partial) text leniently on every chunk.
            blocks[event.index] = ToolCallBlock(
                tool_call_id=call_id, tool_name=name, tool_kwargs=args
            )
            return ChatResponse(message=self._message(), delta="")
        if isinstance(event, MessageStart | UsageDelta | CostDelta | Finish):
            return None
        assert_never(event)
