"""Neutral results and stream events → LangChain messages and chunks.

Content uses Claude's block shapes (``text``, ``thinking`` with its ``signature``,
``redacted_thinking``) so a message — whole or aggregated from a stream — can be sent back
unchanged on a later turn; tool calls live in ``tool_calls`` / ``tool_call_chunks`` (with the
event's part index, so parallel calls stay apart). ``content_blocks`` reads those messages
through ``_content_blocks.py``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import tool_call_chunk
from typing_extensions import assert_never  # typing.assert_never is 3.11+

import aimlapi_core as t
from aimlapi_core.errors import UnsupportedContentError

PROVIDER = "aimlapi"

# --------------------------------------------------------------------------- outbound


_FINISH_REASONS: dict[str, str] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
    "pause_turn": "stop",
}


def part_block(part: t.Part) -> dict[str, Any] | None:
    """One neutral result part → its content block (``None``: it lives in ``tool_calls``)."""
    match part:
        case t.TextPart():
            text: dict[str, Any] = {"type": "text", "text": part.text}
            if part.citations:
                text["citations"] = list(part.citations)
            return text
        case t.ThinkingPart():
            block = {"type": "thinking", "thinking": part.thinking}
            if part.signature is not None:
                block["signature"] = part.signature
            return block
        case t.RedactedThinkingPart():
            return {"type": "redacted_thinking", "data": part.data}
        case t.ToolCallPart():
            return None
        case t.ServerToolCallPart():
            # Claude's own block, as langchain-anthropic writes it: content_blocks shows it as
            # a standard server_tool_call, and it is sent back as is on the next turn.
            return {
                "type": "server_tool_use",
                "id": part.id,
                "name": part.name,
                "input": part.arguments,
            }
        case t.ServerToolResultPart():
            return {"type": part.type, "tool_use_id": part.tool_call_id, "content": part.content}
        case t.RawPart():
            return dict(part.block)
        case t.ImagePart() | t.DocumentPart() | t.ToolResultPart() | t.SearchResultPart():
            raise UnsupportedContentError(
                f"the response carried a {type(part).__name__}, which an assistant turn cannot hold"
            )
        case _:
            assert_never(part)


def usage_metadata(usage: t.Usage) -> UsageMetadata:
    meta = UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
    )
    inputs = InputTokenDetails()
    if usage.cache_read_tokens is not None:
        inputs["cache_read"] = usage.cache_read_tokens
    if usage.cache_creation_tokens is not None:
        inputs["cache_creation"] = usage.cache_creation_tokens
    if inputs:
        meta["input_token_details"] = inputs
    if usage.reasoning_tokens is not None:
        meta["output_token_details"] = OutputTokenDetails(reasoning=usage.reasoning_tokens)
    return meta


def response_metadata(result: t.ChatResult, requested_model: str) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "model_provider": PROVIDER,
        "model_name": result.model or requested_model,
        "finish_reason": _FINISH_REASONS.get(result.stop_reason or "", result.stop_reason),
        # The core's word (Anthropic's vocabulary), the same from invoke and stream on both
        # dialects: /chat/completions streams say "stop"/"tool_calls"/"length" where whole
        # answers say "end_turn"/"tool_use"/"max_tokens" (docs/wire.md "Response on
        # /chat/completions"). A word the core does not know is passed through; the wire's own
        # word is kept as raw_stop_reason.
        "stop_reason": result.stop_reason or result.raw_stop_reason,
        "raw_stop_reason": result.raw_stop_reason,
        "stop_sequence": result.stop_sequence,
        "id": result.id,
        "request_id": result.request_id,
        "inference_id": result.inference_id,
    }
    if result.cost is not None:
        meta["credits_used"] = result.cost.credits_used
        meta["usd_spent"] = result.cost.usd_spent
    return {k: v for k, v in meta.items() if v is not None}


def to_ai_message(result: t.ChatResult, requested_model: str) -> AIMessage:
    parts = result.parts
    content: str | list[str | dict[Any, Any]]
    if len(parts) == 1 and type(parts[0]) is t.TextPart and not parts[0].citations:
        content = parts[0].text  # the common answer: one plain text, no block list to build
    else:
        blocks = [b for b in map(part_block, parts) if b]
        if not blocks:
            content = ""
        elif len(blocks) == 1 and blocks[0]["type"] == "text" and len(blocks[0]) == 2:
            content = blocks[0]["text"]
        else:
            content = list(blocks)
    return AIMessage(
        content=content,
        tool_calls=[
            {"type": "tool_call", "id": c.id, "name": c.name, "args": c.arguments}
            for c in parts
            if isinstance(c, t.ToolCallPart)
        ],
        usage_metadata=usage_metadata(result.usage),
        response_metadata=response_metadata(result, requested_model),
        id=result.id,
    )


def to_chunk(
    event: t.StreamEvent, message_id: str | None = None, *, blocks: bool = True
) -> AIMessageChunk | None:
    """One stream event → a chunk (``None`` for events folded into the final chunk only).

    With ``blocks`` (the default) content is a list of indexed Claude blocks; without, a text
    delta's content is its plain string and a tool-call chunk's content is ``""`` (see
    :class:`ChunkStream` for when each is used). Every chunk carries the API's message id once
    the stream has announced it, so consumers that group chunks by id see one message, and the
    aggregate has the id ``invoke`` returns."""
    meta = {"model_provider": PROVIDER}
    match event:
        case t.TextDelta(index=i, text=text):
            if not text:
                return None
            if not blocks:
                return AIMessageChunk(content=text, response_metadata=meta, id=message_id)
            block = {"type": "text", "text": text, "index": i}
        case t.ThinkingDelta(index=i, thinking=thinking):
            block = {"type": "thinking", "thinking": thinking, "index": i}
        case t.SignatureDelta(index=i, signature=signature):
            block = {"type": "thinking", "thinking": "", "signature": signature, "index": i}
        case t.RedactedThinkingDelta(index=i, data=data):
            block = {"type": "redacted_thinking", "data": data, "index": i}
        case t.ToolCallDelta(index=i, id=call_id, name=name, arguments=args):
            return AIMessageChunk(
                content=[] if blocks else "",
                tool_call_chunks=[tool_call_chunk(name=name, args=args, id=call_id, index=i)],
                response_metadata=meta,
                id=message_id,
            )
        case t.ServerToolCallDelta(index=i, id=call_id, name=name, arguments=args):
            if call_id is not None or name is not None:
                block = {"type": "server_tool_use", "id": call_id or "", "name": name or "",
                         "input": {}, "index": i}  # fmt: skip
                if args:
                    block["partial_json"] = args
            else:
                # Merged into the server_tool_use block of the same index by LangChain's
                # chunk addition (langchain-anthropic's form).
                block = {"type": "input_json_delta", "partial_json": args, "index": i}
        case t.PartDelta(index=i, part=part):
            whole = part_block(part)
            if whole is None:
                return None
            block = {**whole, "index": i}
        case t.CitationDelta(index=i, citation=citation):
            block = {"type": "text", "text": "", "citations": [citation], "index": i}
        case t.MessageStart() | t.UsageDelta() | t.CostDelta() | t.Finish():
            return None
        case _:
            assert_never(event)
    return AIMessageChunk(content=[block], response_metadata=meta, id=message_id)


# Events folded into the final chunk: no chunk of their own.
_FOLDED = frozenset({t.MessageStart, t.UsageDelta, t.CostDelta, t.Finish})


class ChunkStream:
    """The chunks of one stream, content as plain strings while that loses nothing.

    langchain-core adds string contents in linear time, but adding list contents copies the
    accumulated list and the text of every indexed block on each addition: quadratic in the
    answer's size (a 100 MB answer took ~688 s through ``stream`` with blocks). So while the
    answer is a single text part (tool calls live in ``tool_call_chunks``, not in content),
    each text delta is its plain string. At the first thinking, signature or redacted-thinking
    delta, server tool or whole block, citation, or a second text part, the stream switches to
    indexed blocks for the rest, which keep parts apart and thinking signatures and citations
    attached (content that came as a string stays the first element of the aggregated list).
    Per event the work is constant.
    """

    __slots__ = ("_text_index", "blocks", "message_id")

    def __init__(self) -> None:
        self.message_id: str | None = None
        self.blocks = False
        self._text_index: int | None = None

    def on_event(self, event: t.StreamEvent) -> AIMessageChunk | None:
        if isinstance(event, t.TextDelta) and not self.blocks:
            # The hot path (most events of most answers): the same chunk as to_chunk's.
            if self._text_index is None:
                self._text_index = event.index
            elif event.index != self._text_index:
                self.blocks = True
                return to_chunk(event, self.message_id, blocks=True)
            if not event.text:
                return None
            return AIMessageChunk(
                content=event.text,
                response_metadata={"model_provider": PROVIDER},
                id=self.message_id,
            )
        if type(event) in _FOLDED:  # only in the final chunk
            if isinstance(event, t.MessageStart):
                self.message_id = event.id
            return None
        if not self.blocks:
            if isinstance(event, t.TextDelta):
                if self._text_index is None:
                    self._text_index = event.index
                self.blocks = event.index != self._text_index
            elif isinstance(
                event,
                t.ThinkingDelta
                | t.SignatureDelta
                | t.RedactedThinkingDelta
                | t.ServerToolCallDelta
                | t.PartDelta
                | t.CitationDelta,
            ):
                # Server tool blocks, whole blocks and citations need indexed blocks too.
                self.blocks = True
        return to_chunk(event, self.message_id, blocks=self.blocks)

    def final(
        self, result: t.ChatResult, requested_model: str, *, with_usage: bool
    ) -> AIMessageChunk:
        return final_chunk(result, requested_model, with_usage=with_usage, blocks=self.blocks)


def final_chunk(
    result: t.ChatResult, requested_model: str, *, with_usage: bool, blocks: bool = True
) -> AIMessageChunk:
    """The closing chunk: usage (exactly once) and response metadata, from the accumulated
    result, so an aggregated stream carries what ``invoke`` returns. Its empty content has the
    stream's shape (a string stream stays a string when aggregated)."""
    return AIMessageChunk(
        content=[] if blocks else "",
        usage_metadata=usage_metadata(result.usage) if with_usage else None,
        response_metadata=response_metadata(result, requested_model),
        chunk_position="last",
        id=result.id,
    )
