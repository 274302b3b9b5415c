"""/chat/completions output: the whole body and the 2026 stream, in the documented shapes.

Whole (claude-4-sonnet.md "Response"): key order id, object, model, choices, created, usage;
`finish_reason` keeps Anthropic's stop reasons ("end_turn"), `message.reasoning_content` is ""
when unused. Stream (same page, "Streaming Mode", format since 2026-02-13): only the first chunk
has an id, every delta repeats the role, usage comes in the second-to-last chunk, the last chunk
has no delta, and there is no `[DONE]`. The stream's finish_reason speaks OpenAI ("stop").
"""

from __future__ import annotations

import json
from typing import Any

from ._answer import Answer
from ._fragments import json_fragments, text_fragments

# The stream's vocabulary (the documented stream ends with "stop" where the whole says
# "end_turn").
_STREAM_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "tool_use": "tool_calls",
}


def _usage(reply: Answer) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.input_tokens + reply.output_tokens,
    }
    if reply.reasoning_tokens:
        usage["completion_tokens_details"] = {"reasoning_tokens": reply.reasoning_tokens}
    if reply.cache is not None:
        reply.cache.chat_usage(usage)
    return usage


def chat_whole(
    reply: Answer, model: str, msg_id: str, created: int, cost: dict[str, Any]
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "reasoning_content": reply.thinking or "",
        "content": reply.text,
        "role": "assistant",
    }
    if (annotations := reply.annotations()) is not None:
        message["annotations"] = annotations
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.input)},
            }
            for call in reply.tool_calls
        ]
    return {
        "id": msg_id,
        "object": "chat.completion",
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": reply.stop_reason, "logprobs": None}
        ],
        "created": created,
        "usage": _usage(reply),
        "meta": {"usage": cost},
    }


def chat_stream(
    reply: Answer, model: str, msg_id: str, created: int, cost: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every chunk of the stream, in order (each becomes one `data:` line)."""

    def chunk(choice: dict[str, Any], usage: Any = None, first: bool = False) -> dict[str, Any]:
        return {
            "id": msg_id if first else "",
            "choices": [{"index": 0, **choice}],
            "created": created,
            "model": model,
            "object": "chat.completion.chunk",
            "usage": usage,
        }

    def delta(**fields: Any) -> dict[str, Any]:
        return {"delta": {**fields, "role": "assistant", "refusal": None}}

    chunks = [chunk(delta(content=""), first=True)]
    for piece in text_fragments(reply.thinking or ""):
        chunks.append(chunk(delta(reasoning_content=piece)))
    annotations = reply.annotations()
    for n, piece in enumerate(text_fragments(reply.text)):
        if n == 0 and annotations is not None:  # the annotations come with the text
            annotated = delta(content=piece)
            annotated["delta"]["annotations"] = annotations
            chunks.append(chunk(annotated))
        else:
            chunks.append(chunk(delta(content=piece)))
    for index, call in enumerate(reply.tool_calls):
        head: dict[str, Any] = {"index": index, "id": call.id, "type": "function"}
        head["function"] = {"name": call.name, "arguments": ""}
        chunks.append(chunk(delta(tool_calls=[head])))
        for piece in json_fragments(json.dumps(call.input)):
            frag = {"index": index, "function": {"arguments": piece}}
            chunks.append(chunk(delta(tool_calls=[frag])))
    finish = _STREAM_FINISH[reply.stop_reason]
    chunks.append(chunk({**delta(content=""), "finish_reason": finish}, usage=_usage(reply)))
    last = chunk({"finish_reason": finish})
    # request-tracing-and-cost.md: on streams "the cost arrives in the final SSE chunk instead,
    # under meta.usage".
    last["meta"] = {"usage": cost}
    chunks.append(last)
    return chunks


def legacy_wrap(chunks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pre-2026-02-13 format: `{"event": <chunk>, "state": {...}}`, usage in Anthropic
    names inside `state` (claude-4-sonnet.md: "the `state` structure is no longer used,
    input_tokens → prompt_tokens ...")."""
    usage = next(c["usage"] for c in chunks if c.get("usage"))
    tokens = {"input_tokens": usage["prompt_tokens"], "output_tokens": usage["completion_tokens"]}
    wrapped = []
    for chunk in chunks:
        event = {k: v for k, v in chunk.items() if k not in ("usage", "meta")}
        state = {
            "id": chunk["id"] or chunks[0]["id"],
            "usage": tokens,
        }
        line: dict[str, Any] = {"event": event, "state": state}
        if "meta" in chunk:  # the cost still came last (request-tracing-and-cost.md)
            line["meta"] = chunk["meta"]
        wrapped.append(line)
    return wrapped
