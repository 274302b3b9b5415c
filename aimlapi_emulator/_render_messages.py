"""/messages output: Anthropic's message shape (Anthropic README.md "Response") and its SSE.

The whole body keeps the documented key order and extras (stop_details, cache_creation,
service_tier, inference_geo) plus the gateway's `meta.usage`. The stream is Anthropic's:
message_start (input usage), ping, content_block_start/delta/stop per block (text_delta,
thinking_delta + signature_delta, input_json_delta fragments), message_delta (stop reason and
output usage), message_stop.
"""

from __future__ import annotations

import json
from typing import Any

from ._answer import Answer
from ._fragments import json_fragments, text_fragments


def _content(reply: Answer, signature: str | None) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.thinking is not None:
        blocks.append({"type": "thinking", "thinking": reply.thinking, "signature": signature})
    if reply.web_search is not None:  # the search, then the text citing it
        blocks += reply.web_search.blocks()
        citations = [reply.web_search.citation()]
        blocks.append({"type": "text", "text": reply.text, "citations": citations})
    elif reply.citations:  # the text citing the request's search results (_grounded.py)
        blocks.append({"type": "text", "text": reply.text, "citations": reply.citations})
    elif reply.text:
        blocks.append({"type": "text", "text": reply.text})
    for call in reply.tool_calls:
        blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": call.input})
    return blocks


def _usage(reply: Answer, output_tokens: int) -> dict[str, Any]:
    usage = {
        "input_tokens": reply.input_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": output_tokens,
        "service_tier": "standard",
        "inference_geo": "not_available",
    }
    if reply.cache is not None:
        reply.cache.messages_usage(usage)
    return usage


def messages_whole(
    reply: Answer, model: str, msg_id: str, signature: str | None, cost: dict[str, Any]
) -> dict[str, Any]:
    return {
        "model": model,
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "content": _content(reply, signature),
        "stop_reason": reply.stop_reason,
        "stop_sequence": reply.stop_sequence,
        "stop_details": None,
        "usage": _usage(reply, reply.output_tokens),
        "meta": {"usage": cost},
    }


def messages_stream(
    reply: Answer, model: str, msg_id: str, signature: str | None, cost: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """Every (event name, data) of the stream, in order."""
    start: dict[str, Any] = {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": _usage(reply, 1),
    }
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start}),
        ("ping", {"type": "ping"}),
    ]
    for index, block in enumerate(_content(reply, signature)):
        kind = block["type"]
        if kind == "thinking":
            opening: dict[str, Any] = {"type": "thinking", "thinking": "", "signature": ""}
            deltas = [
                {"type": "thinking_delta", "thinking": p} for p in text_fragments(block["thinking"])
            ]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind == "text":
            opening = {"type": "text", "text": ""}
            deltas = [{"type": "text_delta", "text": p} for p in text_fragments(block["text"])]
            if "citations" in block:
                opening["citations"] = []
                cited = [{"type": "citations_delta", "citation": c} for c in block["citations"]]
                deltas = cited + deltas
        elif kind == "web_search_tool_result":
            opening, deltas = block, []
        elif kind == "server_tool_use":
            opening = {**block, "input": {}}
            deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
        else:
            opening = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            pieces = ["", *json_fragments(json.dumps(block["input"]))]
            deltas = [{"type": "input_json_delta", "partial_json": p} for p in pieces]
        events.append(
            (
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": opening},
            )
        )
        for d in deltas:
            events.append(
                ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d})
            )
        events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    events.append(
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": reply.stop_reason, "stop_sequence": reply.stop_sequence},
                "usage": {"output_tokens": reply.output_tokens},
            },
        )
    )
    # request-tracing-and-cost.md: a stream's cost arrives in its final event under meta.usage.
    events.append(("message_stop", {"type": "message_stop", "meta": {"usage": cost}}))
    return events
