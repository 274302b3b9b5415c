"""Every decoder path yields a neutral event or raises an error of the family.

Wrong-shaped JSON, an error riding next to ``choices`` (``finish_reason: "error"``), invalid
UTF-8 in a stream: each is a library error on both dialects, whole and streamed — never an
AttributeError/TypeError/KeyError, never a finished answer, never silently altered text.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_core._sse import ServerSentEvent
from aimlapi_core.errors import (
    APIStatusError,
    InternalServerError,
    ResponseValidationError,
    StreamError,
)
from aimlapi_core.wire import get_dialect

KEY = "sk-shapes-test-5e6f7a8b"
H = httpx.Headers({"x-request-id": "rid-1"})


def feed_all(api: str, chunks: list[Any]) -> list[Any]:
    decoder = get_dialect(api).stream_decoder()
    out: list[Any] = []
    for chunk in chunks:
        data = chunk if isinstance(chunk, str) else json.dumps(chunk)
        event = chunk.get("type") if isinstance(chunk, dict) and api == "messages" else None
        out.extend(decoder.feed(ServerSentEvent(event, data)))
    return out


# --------------------------------------------------------------------------- wrong shapes


def _fragments(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value[:20]]
    found = [json.dumps(value)[:40]]
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    )
    for child in children:
        found.extend(_fragments(child))
    return found


CC_STREAM_SHAPES = [
    {"choices": [[1]]},
    {"choices": {"0": {}}},
    {"choices": "abc"},
    {"usage": 7},
    {"choices": [{"delta": "x"}]},
    {"choices": [{"delta": {"content": 5}}]},
    {"choices": [{"delta": {"content": {"text": "x"}}}]},
    {"choices": [{"delta": {"reasoning_content": ["x"]}}]},
    {"choices": [{"delta": {"tool_calls": {"0": {}}}}]},
    {"choices": [{"delta": {"tool_calls": [{"index": [1]}]}}]},
    {"choices": [{"delta": {"tool_calls": [{"index": "0", "id": "a"}]}}]},
    {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": "f"}]}}]},
    {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"name": 5}}]}}]},
    {"choices": [{"delta": {"tool_calls": [{"index": 0, "id": 7}]}}]},
    {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": 5}}]}}]},
    {"choices": [{"delta": {}, "finish_reason": 5}]},
    {"choices": [{"delta": {}, "finish_reason": ["stop"]}]},
    {"choices": [{"delta": {"content": [{"type": "text", "text": 5}]}}]},
    {"event": {"choices": [[1]]}, "state": {}},
    "[" * 100_000,  # deeper than the interpreter's stack
]

MSG_STREAM_SHAPES = [
    {"type": "message_start", "message": [1]},
    {"type": "message_start", "message": "x"},
    {"type": "content_block_start", "index": [0], "content_block": {"type": "text", "text": "x"}},
    {"type": "content_block_start", "index": "0", "content_block": {"type": "text", "text": "x"}},
    {"type": "content_block_start", "index": 0, "content_block": [1]},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": 5}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "name": 5}},
    {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "tool_use", "input": [1]},
    },
    {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "thinking", "signature": 1},
    },
    {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "redacted_thinking", "data": 1},
    },
    {
        "type": "content_block_delta",
        "index": {"a": 1},
        "delta": {"type": "text_delta", "text": "x"},
    },
    {"type": "content_block_delta", "index": 0, "delta": [1]},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": 5}},
    {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "input_json_delta", "partial_json": 5},
    },
    {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": 5}},
    {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "signature_delta", "signature": 5},
    },
    {"type": "message_delta", "usage": 7, "delta": {"stop_reason": "end_turn"}},
    {"type": "message_delta", "delta": {"stop_reason": 5}},
    {"type": "message_delta", "delta": "end_turn"},
    {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": 5}},
    {"type": ["message_start"]},
    "[" * 100_000,
]


@pytest.mark.parametrize("chunk", CC_STREAM_SHAPES, ids=lambda c: json.dumps(c)[:60])
def test_chat_completions_stream_shapes_raise_response_validation_error(chunk: Any) -> None:
    with pytest.raises(ResponseValidationError) as info:
        feed_all("chat_completions", [chunk])
    # The offending excerpt is shown: the chunk, or the member of it that was wrong.
    assert any(f in str(info.value) for f in _fragments(chunk))


@pytest.mark.parametrize("chunk", MSG_STREAM_SHAPES, ids=lambda c: json.dumps(c)[:60])
def test_messages_stream_shapes_raise_response_validation_error(chunk: Any) -> None:
    with pytest.raises(ResponseValidationError):
        feed_all("messages", [chunk])


def _cc(message: Any = None, **extra: Any) -> dict[str, Any]:
    choice = {"index": 0, "finish_reason": "stop", "message": message or {"content": "hi"}}
    return {"id": "c1", "choices": [choice], **extra}


CC_WHOLE_SHAPES = [
    {"choices": [[1]]},
    {"choices": {"0": {}}},
    _cc(usage=7),
    _cc(usage=[1, 2]),
    _cc({"content": 5}),
    _cc({"content": "x", "reasoning_content": 5}),
    _cc({"content": "x", "tool_calls": [{"id": 5, "function": {"name": "f"}}]}),
    _cc({"content": "x", "tool_calls": [{"function": {"name": "f", "arguments": 5}}]}),
    _cc({"content": [{"type": "text", "text": 5}]}),
    {"choices": [{"index": 0, "finish_reason": 5, "message": {"content": "x"}}]},
]

MSG_WHOLE_SHAPES = [
    {"content": [{"type": "text", "text": 5}]},
    {"content": [[1]]},
    {"content": [], "usage": 7},
    {"content": [{"type": "thinking", "thinking": "x", "signature": 5}]},
    {"content": [], "stop_reason": 5},
    {"content": [], "stop_reason": "end_turn", "stop_sequence": 5},
    {"content": [{"type": "tool_use", "id": "t", "name": "f", "input": [1]}]},
]


@pytest.mark.parametrize(
    ("api", "body"),
    [("chat_completions", b) for b in CC_WHOLE_SHAPES]
    + [("messages", b) for b in MSG_WHOLE_SHAPES],
    ids=lambda v: json.dumps(v)[:50] if not isinstance(v, str) else v,
)
def test_whole_shapes_raise_response_validation_error(api: str, body: Any) -> None:
    with pytest.raises(ResponseValidationError):
        get_dialect(api).decode(body, H)


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_a_null_usage_or_delta_is_still_read_as_absent(api: str) -> None:
    # The checks refuse wrong types, not the documented absence of a member.
    if api == "chat_completions":
        events = feed_all(
            api, [{"choices": [{"delta": None, "finish_reason": "stop"}], "usage": None}]
        )
    else:
        events = feed_all(
            api, [{"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": None}]
        )
    assert events[-1].raw_stop_reason in ("stop", "end_turn")


# --------------------------------------------------------------------------- finish_reason "error"

ERROR = {"message": "upstream provider disconnected", "type": "upstream_error"}


def test_chat_completions_chunk_with_finish_reason_error_raises_stream_error() -> None:
    chunks = [
        {"id": "c1", "choices": [{"index": 0, "delta": {"content": "Half an ans"}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "error"}], "error": ERROR},
    ]
    with pytest.raises(StreamError, match="upstream provider disconnected"):
        feed_all("chat_completions", chunks)


def test_chat_completions_finish_reason_error_without_error_object_raises() -> None:
    chunks = [{"choices": [{"index": 0, "delta": {}, "finish_reason": "error"}]}]
    with pytest.raises(StreamError):
        feed_all("chat_completions", chunks)


def test_chat_completions_error_object_next_to_choices_raises_even_without_finish() -> None:
    chunks = [{"choices": [{"index": 0, "delta": {"content": "x"}}], "error": ERROR}]
    with pytest.raises(StreamError, match="upstream_error: upstream provider disconnected"):
        feed_all("chat_completions", chunks)


def test_legacy_wrapped_chunk_with_error_raises() -> None:
    inner = {"choices": [{"index": 0, "delta": {}, "finish_reason": "error"}], "error": ERROR}
    with pytest.raises(StreamError, match="disconnected"):
        feed_all("chat_completions", [{"event": inner, "state": {}}])


def test_messages_delta_with_stop_reason_error_raises_stream_error() -> None:
    chunks = [
        {"type": "message_start", "message": {"id": "m", "model": "x", "usage": {}}},
        {"type": "message_delta", "delta": {"stop_reason": "error"}, "error": ERROR},
    ]
    with pytest.raises(StreamError, match="disconnected"):
        feed_all("messages", chunks)


def test_whole_completion_with_finish_reason_error_raises_the_status_error() -> None:
    body = _cc({"content": "Half an ans"}, error={**ERROR, "code": 502})
    body["choices"][0]["finish_reason"] = "error"
    with pytest.raises(InternalServerError) as info:
        get_dialect("chat_completions").decode(body, H)
    assert info.value.message == "upstream provider disconnected"
    assert info.value.request_id == "rid-1"


def test_whole_completion_with_error_status_in_body_gets_that_class() -> None:
    body = _cc({"content": "x"}, error={"message": "slow down"}, statusCode=429)
    with pytest.raises(APIStatusError) as info:
        get_dialect("chat_completions").decode(body, H)
    assert info.value.status_code == 429


def test_whole_message_with_stop_reason_error_raises() -> None:
    body = {
        "type": "message",
        "content": [{"type": "text", "text": "Half"}],
        "stop_reason": "error",
        "error": ERROR,
    }
    with pytest.raises(InternalServerError, match="disconnected"):
        get_dialect("messages").decode(body, H)


# --------------------------------------------------------------------------- through the client


def _client(handler: Any, api: str = "chat_completions") -> AIMLAPIClient:
    return AIMLAPIClient(
        api_key=KEY,
        api=api,
        base_url="http://gateway.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=0,
        sleep=lambda _: None,
    )


def _req() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=16,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
    )


def _sse(*objs: dict[str, Any], raw: bytes = b"") -> bytes:
    return b"".join(b"data: " + json.dumps(o).encode() + b"\n\n" for o in objs) + raw


def test_invalid_utf8_in_a_streamed_delta_raises_like_the_whole_body() -> None:
    bad_delta = b'data: {"choices":[{"index":0,"delta":{"content":"caf\xff"}}]}\n\n'
    finish = _sse({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    stream_body = (
        _sse({"id": "c", "choices": [{"index": 0, "delta": {"content": "ok "}}]})
        + bad_delta
        + finish
    )
    whole = (
        b'{"id":"c","choices":[{"index":0,"finish_reason":"stop","message":{"content":"caf\xff"}}]}'
    )

    def handler(req: httpx.Request) -> httpx.Response:
        if b'"stream":true' in req.content:
            return httpx.Response(
                200, content=stream_body, headers={"content-type": "text/event-stream"}
            )
        return httpx.Response(200, content=whole, headers={"content-type": "application/json"})

    client = _client(handler)
    with pytest.raises(ResponseValidationError):
        client.create(_req())
    with pytest.raises(ResponseValidationError, match="UTF-8"), client.stream(_req()) as stream:
        for _ in stream:
            pass


def test_stream_error_carries_the_partial_result() -> None:
    body = _sse(
        {"id": "c9", "model": "m", "choices": [{"index": 0, "delta": {"content": "Half an "}}]},
        {"choices": [{"index": 0, "delta": {"content": "answer"}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "error"}], "error": ERROR},
    )

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=body, headers={"content-type": "text/event-stream", "x-request-id": "r7"}
        )

    with pytest.raises(StreamError) as info:
        _client(handler).stream(_req()).get_final_result()
    partial = info.value.partial
    assert partial is not None
    assert (partial.text, partial.id, partial.stop_reason, partial.request_id) == (
        "Half an answer",
        "c9",
        None,
        "r7",
    )


def test_a_cut_stream_carries_the_partial_result_without_the_cut_tool_call() -> None:
    body = _sse(
        {
            "type": "message_start",
            "message": {"id": "m1", "model": "x", "usage": {"input_tokens": 3}},
        },
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "text_delta", "text": "Let me look."},
        },
        {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "t", "name": "f"},
        },
        {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": '{"ci'},
        },
    )

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    with pytest.raises(StreamError) as info:
        _client(handler, "messages").stream(_req()).get_final_result()
    partial = info.value.partial
    assert partial is not None
    assert partial.text == "Let me look."
    assert partial.tool_calls == []
    assert partial.usage.input_tokens == 3


def test_a_stream_that_sent_nothing_has_no_partial() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b": keep-alive\n\n", headers={"content-type": "text/event-stream"}
        )

    with pytest.raises(StreamError) as info:
        _client(handler).stream(_req()).get_final_result()
    assert info.value.partial is None
