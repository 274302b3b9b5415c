"""Fuzzing the decoders: whatever the server sends, only the library's errors escape.

Hypothesis builds JSON shaped like the wire (keys from both dialects' vocabulary, any values)
and raw bytes, and feeds them to both stream decoders (through SSE and the accumulator, as a
stream is read) and both whole decoders. The only exceptions allowed out are
:class:`AIMLAPIError` subclasses; every event produced is well-typed (text fields are strings,
indexes integers), so nothing wrong-typed reaches the adapters.

Budgets (profiles registered in tests/conftest.py): ``default`` (``make test``) runs 100
examples per test; ``make fuzz`` selects ``fuzz`` (``HYPOTHESIS_PROFILE=fuzz``, 2,500 each).
"""

from __future__ import annotations

import itertools
import json
import typing
from typing import Any

import httpx
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from aimlapi_core._accumulate import StreamAccumulator
from aimlapi_core._sse import ServerSentEvent, SSEDecoder
from aimlapi_core._types import (
    Finish,
    StreamEvent,
    ToolCallDelta,
)
from aimlapi_core.errors import AIMLAPIError
from aimlapi_core.wire import get_dialect

pytestmark = pytest.mark.fuzz

APIS = ["chat_completions", "messages"]
KEYS = [
    "choices",
    "delta",
    "message",
    "content",
    "reasoning_content",
    "reasoning",
    "reasoning_details",
    "tool_calls",
    "index",
    "id",
    "function",
    "name",
    "arguments",
    "usage",
    "prompt_tokens",
    "completion_tokens",
    "input_tokens",
    "output_tokens",
    "cache_read_input_tokens",
    "prompt_tokens_details",
    "cached_tokens",
    "finish_reason",
    "error",
    "type",
    "content_block",
    "text",
    "partial_json",
    "thinking",
    "signature",
    "data",
    "stop_reason",
    "stop_sequence",
    "input",
    "meta",
    "credits_used",
    "usd_spent",
    "event",
    "state",
    "model",
    "statusCode",
    "status",
    "requestId",
    "detail",
    "title",
]
WORDS = [
    "text",
    "thinking",
    "tool_use",
    "redacted_thinking",
    "text_delta",
    "input_json_delta",
    "thinking_delta",
    "signature_delta",
    "message_start",
    "message_delta",
    "message_stop",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "ping",
    "error",
    "stop",
    "end_turn",
    "tool_calls",
    "length",
    "max_tokens",
    "error",
    "function",
    "",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 2**40)
    | st.floats(allow_nan=True)
    | st.sampled_from(WORDS)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=6)
    ),
    max_leaves=12,
)
wire_objects = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)

# Every member of the StreamEvent union (a hand-kept list missed PartDelta, CitationDelta and
# ServerToolCallDelta: a block of an unknown type is kept whole as a PartDelta of a RawPart).
EVENT_TYPES = typing.get_args(StreamEvent)


def check_event(event: Any) -> None:
    """Every event the decoders produce has the types its class declares."""
    assert isinstance(event, EVENT_TYPES)
    index = getattr(event, "index", 0)
    assert isinstance(index, int)
    assert not isinstance(index, bool)
    for name in ("text", "thinking", "signature", "data", "arguments"):
        if hasattr(event, name):
            assert isinstance(getattr(event, name), str), (name, event)
    if isinstance(event, ToolCallDelta):
        assert event.id is None or isinstance(event.id, str)
        assert event.name is None or isinstance(event.name, str)
    if isinstance(event, Finish):
        assert event.raw_stop_reason is None or isinstance(event.raw_stop_reason, str)


def run_stream(api: str, events: list[ServerSentEvent]) -> None:
    decoder = get_dialect(api).stream_decoder()
    acc = StreamAccumulator()
    try:
        for sse in events:
            for event in decoder.feed(sse):
                check_event(event)
                acc.add(event)
        acc.result()
    except AIMLAPIError:
        pass
    acc.partial()  # never raises: what arrived, for StreamError.partial


@pytest.mark.parametrize("api", APIS)
@given(
    chunks=st.lists(
        st.tuples(st.sampled_from([None, *WORDS[9:16]]), wire_objects | json_values), max_size=5
    )
)
def test_stream_decoders_raise_only_library_errors(api: str, chunks: list[Any]) -> None:
    run_stream(api, [ServerSentEvent(event, json.dumps(obj)) for event, obj in chunks])


# A valid stream of each dialect, to be mutated one member at a time.
CC_VALID: list[dict[str, Any]] = [
    {
        "id": "c",
        "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}],
    },
    {"choices": [{"index": 0, "delta": {"reasoning_content": "hmm"}}]},
    {
        "choices": [
            {
                "index": 0,
                "delta": {
                    "tool_calls": [
                        {"index": 0, "id": "t", "function": {"name": "f", "arguments": '{"a"'}}
                    ]
                },
            }
        ]
    },
    {
        "choices": [
            {"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}}
        ]
    },
    {
        "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4},
    },
    {"choices": [], "meta": {"usage": {"credits_used": 10, "usd_spent": 0.1}}},
]
MSG_VALID: list[dict[str, Any]] = [
    {"type": "message_start", "message": {"id": "m", "model": "x", "usage": {"input_tokens": 3}}},
    {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "thinking", "thinking": ""},
    },
    {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "thinking_delta", "thinking": "hmm"},
    },
    {
        "type": "content_block_delta",
        "index": 0,
        "delta": {"type": "signature_delta", "signature": "s"},
    },
    {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Hi"}},
    {
        "type": "content_block_start",
        "index": 2,
        "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
    },
    {
        "type": "content_block_delta",
        "index": 2,
        "delta": {"type": "input_json_delta", "partial_json": '{"a": 1}'},
    },
    {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 4}},
    {"type": "message_stop"},
]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            found += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += paths(v, (*prefix, i))
    return found


def mutated(template: Any, path: tuple[Any, ...], replacement: Any) -> Any:
    if not path:
        return replacement
    copy = json.loads(json.dumps(template))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = replacement
    return copy


@st.composite
def mutated_streams(draw: st.DrawFn, valid: list[dict[str, Any]]) -> list[dict[str, Any]]:
    chunks = list(valid)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(chunks) - 1))
        path = draw(st.sampled_from(paths(chunks[i])))
        chunks[i] = mutated(chunks[i], path, draw(json_values))
    return chunks


@given(chunks=mutated_streams(CC_VALID))
def test_mutated_chat_completions_streams_raise_only_library_errors(chunks: list[Any]) -> None:
    run_stream("chat_completions", [ServerSentEvent(None, json.dumps(c)) for c in chunks])


@given(chunks=mutated_streams(MSG_VALID))
@example(  # found by hypothesis: an unknown block type is kept whole, as a PartDelta
    chunks=[
        {"type": "message_start", "message": {"id": "m", "model": "x"}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text_delta"}},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}},
    ]
)
def test_mutated_messages_streams_raise_only_library_errors(chunks: list[Any]) -> None:
    events = [
        ServerSentEvent(
            c["type"] if isinstance(c, dict) and isinstance(c.get("type"), str) else None,
            json.dumps(c),
        )
        for c in chunks
    ]
    run_stream("messages", events)


@pytest.mark.parametrize("api", APIS)
@given(body=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=4))
def test_raw_bytes_through_sse_and_the_decoders(api: str, body: bytes, cuts: list[int]) -> None:
    prefix = b'data: {"choices":[{"index":0,"delta":{"content":"ok"}}]}\n\n'
    data = prefix + body
    sse = SSEDecoder()
    decoder = get_dialect(api).stream_decoder()
    bounds = sorted({0, len(data), *[min(c, len(data)) for c in cuts]})
    try:
        for start, end in itertools.pairwise(bounds):
            for event in sse.feed(data[start:end]):
                for out in decoder.feed(event):
                    check_event(out)
        for event in sse.flush():
            for out in decoder.feed(event):
                check_event(out)
    except AIMLAPIError:
        pass


CC_WHOLE = {
    "id": "c",
    "model": "m",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "content": "Hi",
                "reasoning_content": "hmm",
                "tool_calls": [{"id": "t", "function": {"name": "f", "arguments": '{"a": 1}'}}],
            },
        }
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 4},
    "meta": {"usage": {"credits_used": 1, "usd_spent": 0.1}},
}
MSG_WHOLE = {
    "id": "m",
    "type": "message",
    "model": "x",
    "content": [
        {"type": "thinking", "thinking": "hmm", "signature": "s"},
        {"type": "text", "text": "Hi"},
        {"type": "tool_use", "id": "t", "name": "f", "input": {"a": 1}},
    ],
    "stop_reason": "tool_use",
    "usage": {"input_tokens": 3, "output_tokens": 4},
}


@st.composite
def mutated_body(draw: st.DrawFn, valid: dict[str, Any]) -> Any:
    body: Any = valid
    for _ in range(draw(st.integers(1, 3))):
        body = mutated(body, draw(st.sampled_from(paths(body))), draw(json_values))
    return body


@pytest.mark.parametrize(
    ("api", "valid"), [("chat_completions", CC_WHOLE), ("messages", MSG_WHOLE)]
)
@given(data=st.data())
def test_whole_decoders_raise_only_library_errors(
    api: str, valid: Any, data: st.DataObject
) -> None:
    body = data.draw(mutated_body(valid) | wire_objects | json_values)
    try:
        result = get_dialect(api).decode(body, httpx.Headers({"x-request-id": "r"}))
    except AIMLAPIError:
        return
    for part in result.parts:
        for name in ("text", "thinking", "data", "name", "id"):
            if hasattr(part, name):
                assert isinstance(getattr(part, name), str)
    assert result.raw_stop_reason is None or isinstance(result.raw_stop_reason, str)
