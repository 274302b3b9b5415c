"""/chat/completions: request payload snapshots, validation, whole and streamed decoding."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aimlapi_core._accumulate import accumulate
from aimlapi_core._sse import SSEDecoder
from aimlapi_core._types import (
    ChatRequest,
    ChatResult,
    Cost,
    DocumentPart,
    ImagePart,
    Message,
    RawPart,
    RedactedThinkingPart,
    StreamEvent,
    TextDelta,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
    Usage,
)
from aimlapi_core.errors import (
    InvalidRequestError,
    RateLimitError,
    ResponseValidationError,
    StreamError,
    UnsupportedContentError,
)
from aimlapi_core.wire import get_dialect

FIXTURES = Path(__file__).parent / "fixtures"
CC = get_dialect("chat_completions")
MODEL = "claude-sonnet-4-20250514"
WEATHER = ToolSpec(
    name="get_weather",
    description="Weather for a city",
    input_schema={
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
)


def req(*messages: Message, **kw: object) -> ChatRequest:
    fields: dict[str, object] = {"max_tokens": 1024, **kw}
    return ChatRequest(model=MODEL, messages=list(messages), **fields)  # type: ignore[arg-type]


def user(*parts: object) -> Message:
    return Message(
        role="user", parts=[TextPart(text=p) if isinstance(p, str) else p for p in parts]
    )  # type: ignore[misc]


def stream_events(
    raw: bytes, chunk_size: int, dialect: str = "chat_completions"
) -> list[StreamEvent]:
    sse, decoder = SSEDecoder(), get_dialect(dialect).stream_decoder()
    events: list[StreamEvent] = []
    pieces = [raw[i : i + chunk_size] for i in range(0, len(raw), chunk_size)]
    for piece in pieces:
        for event in sse.feed(piece):
            events.extend(decoder.feed(event))
    for event in sse.flush():
        events.extend(decoder.feed(event))
    return events


# --------------------------------------------------------------------------- encode


def test_text_snapshot() -> None:
    body = CC.encode(req(user("Hello")), stream=False)
    assert body == {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Hello"}],
        "max_tokens": 1024,
    }


def test_all_settings_snapshot_streaming() -> None:
    request = req(
        user("Hi"),
        system=[TextPart(text="You are terse."), TextPart(text=""), TextPart(text="Be kind.")],
        temperature=0.2,
        top_p=1,
        top_k=40,
        stop_sequences=["\n\nHuman:"],
        metadata={"user_id": "u1"},
        extra_body={"top_k": 5, "custom": True},
    )
    assert CC.encode(request, stream=True) == {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Hi"}],
        "system": "You are terse.\n\nBe kind.",
        "max_tokens": 1024,
        "temperature": 0.2,
        "top_p": 1,
        "top_k": 5,
        "stop_sequences": ["\n\nHuman:"],
        "stream": True,
        "metadata": {"user_id": "u1"},
        "custom": True,
    }


EPHEMERAL = {"type": "ephemeral"}


@pytest.mark.parametrize(
    ("request_", "where"),
    [
        (
            req(
                user("Hi"),
                system=[TextPart(text="A"), TextPart(text="B", cache_control=EPHEMERAL)],
            ),
            "the system prompt",
        ),
        (req(user(TextPart(text="Hi", cache_control=EPHEMERAL))), "a text block of messages[0]"),
        (
            req(
                user("Hi", ImagePart(media_type="image/png", data="iVBO", cache_control=EPHEMERAL))
            ),
            "an image in messages[0]",
        ),
        (
            req(user("Hi"), tools=[ToolSpec(name="t", cache_control=EPHEMERAL)]),
            "tool 't'",
        ),
    ],
)
def test_cache_control_is_refused_not_dropped(request_: ChatRequest, where: str) -> None:
    # The chat-completions specs allow no cache_control anywhere (system is a string, blocks
    # have additionalProperties false); dropping it would silently cost full price.
    expected = rf"cache_control on {re.escape(where)}.*api='messages'"
    with pytest.raises(UnsupportedContentError, match=expected):
        CC.encode(request_, stream=False)


def test_image_and_document_blocks_without_extra_keys() -> None:
    # The 4.x chat-completions specs forbid extra keys on document blocks: no title.
    message = user(
        "What is this?",
        ImagePart(media_type="image/png", data="iVBORw0KGgo="),
        DocumentPart(media_type="application/pdf", data="JVBERi0=", title="T"),
        DocumentPart(media_type="text/plain", data="plain words"),
    )
    assert CC.encode(req(message), stream=False)["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
                },
                {
                    "type": "document",
                    "source": {
                        "type": "base64",
                        "media_type": "application/pdf",
                        "data": "JVBERi0=",
                    },
                },
                {
                    "type": "document",
                    # media_type: required by the newest chat schemas (claude-sonnet-5.json),
                    # allowed by the 4.x ones (test_conformance.py validates both).
                    "source": {"type": "text", "media_type": "text/plain", "data": "plain words"},
                },
            ],
        }
    ]


def test_tools_tool_choice_and_tool_round_trip_snapshot() -> None:
    request = req(
        user("Weather in Paris?"),
        Message(
            role="assistant",
            parts=[
                TextPart(text="Let me check."),
                ToolCallPart(id="toolu_1", name="get_weather", arguments={"location": "Paris"}),
                ToolCallPart(id="toolu_2", name="get_weather", arguments={"location": "Lyon"}),
            ],
        ),
        Message(
            role="user",
            parts=[
                ToolResultPart(tool_call_id="toolu_1", content=[TextPart(text="18C")]),
                ToolResultPart(
                    tool_call_id="toolu_2",
                    content=[
                        TextPart(text="no data"),
                        ImagePart(media_type="image/gif", data="R0lGOD=="),
                    ],
                    is_error=True,
                ),
            ],
        ),
        tools=[WEATHER],
        tool_choice=ToolChoice(type="auto", disable_parallel_tool_use=True),
    )
    body = CC.encode(request, stream=False)
    assert body["tools"] == [
        {
            "name": "get_weather",
            "description": "Weather for a city",
            "input_schema": WEATHER.input_schema,
        }
    ]
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert body["messages"][1:] == [
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me check."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "get_weather",
                    "input": {"location": "Paris"},
                },
                {
                    "type": "tool_use",
                    "id": "toolu_2",
                    "name": "get_weather",
                    "input": {"location": "Lyon"},
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"},
                {
                    "type": "tool_result",
                    "tool_use_id": "toolu_2",
                    "content": [
                        {"type": "text", "text": "no data"},
                        {
                            "type": "image",
                            "source": {
                                "type": "base64",
                                "media_type": "image/gif",
                                "data": "R0lGOD==",
                            },
                        },
                    ],
                    "is_error": True,
                },
            ],
        },
    ]


def test_thinking_signed_redacted_and_unsigned() -> None:
    request = req(
        user("2+2?"),
        Message(
            role="assistant",
            parts=[
                ThinkingPart(thinking="unsigned, from this endpoint"),
                ThinkingPart(thinking="signed", signature="sig=="),
                RedactedThinkingPart(data="opaque"),
                TextPart(text="4"),
            ],
        ),
        user("and 3+3?"),
        thinking_budget=2048,
        max_tokens=4096,
    )
    body = CC.encode(request, stream=False)
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert "temperature" not in body
    assert body["messages"][1]["content"] == [
        {"type": "thinking", "thinking": "signed", "signature": "sig=="},
        {"type": "redacted_thinking", "data": "opaque"},
        {"type": "text", "text": "4"},
    ]


def test_consecutive_same_role_messages_merge_and_empty_text_is_dropped() -> None:
    request = req(user("a", ""), user("b"), Message(role="assistant", parts=[TextPart(text="c")]))
    assert CC.encode(request, stream=False)["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
        {"role": "assistant", "content": "c"},
    ]


def test_tool_choice_none_or_auto_without_tools_is_omitted() -> None:
    for kind in ("auto", "none"):
        body = CC.encode(req(user("x"), tool_choice=ToolChoice(type=kind)), stream=False)  # type: ignore[arg-type]
        assert "tool_choice" not in body
        assert "tools" not in body


def test_encode_does_not_mutate_inputs() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/A"}},
        "$defs": {"A": {"type": "string"}},
    }
    snapshot = json.dumps(schema)
    request = req(user("x"), tools=[ToolSpec(name="t", input_schema=schema)], extra_body={"k": 1})
    body = CC.encode(request, stream=False)
    assert json.dumps(schema) == snapshot
    assert body["tools"][0]["input_schema"] == {
        "type": "object",
        "properties": {"a": {"type": "string"}},
    }


# --------------------------------------------------------------------------- validation (both)

BAD_REQUESTS = [
    ({"temperature": 1.5}, InvalidRequestError, "temperature must be between 0 and 1"),
    ({"top_p": -0.1}, InvalidRequestError, "top_p must be between 0 and 1"),
    ({"thinking_budget": 1000}, InvalidRequestError, "at least 1024"),
    ({"thinking_budget": 1024, "max_tokens": 1024}, InvalidRequestError, "less than max_tokens"),
    (
        {"thinking_budget": 1024, "max_tokens": 2048, "temperature": 0.5},
        InvalidRequestError,
        "leave temperature unset",
    ),
    (
        {
            "thinking_budget": 1024,
            "max_tokens": 2048,
            "tools": [WEATHER],
            "tool_choice": ToolChoice(type="any"),
        },
        InvalidRequestError,
        "forces a tool call",
    ),
    (
        {"tools": [WEATHER], "tool_choice": ToolChoice(type="tool", name="get_time")},
        InvalidRequestError,
        "'get_time', which is not among the tools offered (get_weather)",
    ),
    ({"tool_choice": ToolChoice(type="any")}, InvalidRequestError, "needs tools"),
    ({"tools": [ToolSpec(name="get weather")]}, InvalidRequestError, "letters, digits"),
    (
        {"messages": [user(ImagePart(url="https://x/y.png"))]},
        UnsupportedContentError,
        "url 'https://x/y.png' was not fetched",
    ),
    (
        {"messages": [user(ImagePart(media_type="image/bmp", data="Qk0="))]},
        UnsupportedContentError,
        "image media type 'image/bmp' is not supported",
    ),
    (
        {"messages": [user("hi"), Message(role="assistant", parts=[TextPart(text="")])]},
        InvalidRequestError,
        "messages[1] (assistant) has no content",
    ),
    ({"messages": []}, InvalidRequestError, "at least one user message"),
]


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@pytest.mark.parametrize(("changes", "error", "message"), BAD_REQUESTS)
def test_invalid_requests_fail_before_io(
    api: str, changes: dict[str, object], error: type, message: str
) -> None:
    fields: dict[str, object] = {"messages": [user("hi")], **changes}
    request = ChatRequest(model=MODEL, **{"max_tokens": 1024, **fields})  # type: ignore[arg-type]
    with pytest.raises(error) as info:
        get_dialect(api).encode(request, stream=False)
    assert message in str(info.value)


def test_thinking_with_temperature_one_is_allowed() -> None:
    body = CC.encode(
        req(user("x"), thinking_budget=1024, max_tokens=2048, temperature=1), stream=False
    )
    assert body["temperature"] == 1


def test_unknown_api_names_the_valid_values() -> None:
    with pytest.raises(ValueError, match="'chat_completions' or 'messages'"):
        get_dialect("responses")


# --------------------------------------------------------------------------- decode whole


def load(name: str) -> dict[str, object]:
    return json.loads((FIXTURES / name).read_text("utf-8"))  # type: ignore[no-any-return]


def test_decode_documented_response_with_headers() -> None:
    body = {
        "id": "msg_011MNbgezv2p5BBE9RvnsZV9",
        "object": "chat.completion",
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"reasoning_content": "", "content": "Hello!", "role": "assistant"},
                "finish_reason": "end_turn",
                "logprobs": None,
            }
        ],
        "created": 1748522617,
        "usage": {"prompt_tokens": 50, "completion_tokens": 630, "total_tokens": 680},
    }
    headers = {
        "x-request-id": "r1",
        "x-inference-id": "inf1",
        "x-aimlapi-credits-used": "2480",
        "x-aimlapi-usd-spent": "0.00124",
    }
    result = CC.decode(body, headers)
    assert result == ChatResult(
        parts=[TextPart(text="Hello!")],
        id="msg_011MNbgezv2p5BBE9RvnsZV9",
        model=MODEL,
        stop_reason="end_turn",
        raw_stop_reason="end_turn",
        usage=Usage(input_tokens=50, output_tokens=630),
        cost=Cost(credits_used=2480, usd_spent=0.00124),
        request_id="r1",
        inference_id="inf1",
    )
    assert result.raw is body


def test_body_cost_wins_over_headers() -> None:
    body = load("cc_text.json") | {"meta": {"usage": {"credits_used": 7, "usd_spent": 0.5}}}
    result = CC.decode(body, {"x-aimlapi-credits-used": "9", "x-aimlapi-usd-spent": "0.9"})
    assert result.cost == Cost(credits_used=7, usd_spent=0.5)


def test_decode_content_blocks_reasoning_variants_and_usage_details() -> None:
    body = {
        "id": "m",
        "model": MODEL,
        "choices": [
            {
                "finish_reason": "tool_use",
                "message": {
                    "role": "assistant",
                    "reasoning": "hmm",
                    "content": [
                        {"type": "text", "text": "Calling."},
                        {
                            "type": "tool_use",
                            "id": "t1",
                            "name": "get_weather",
                            "input": {"location": "Oslo"},
                        },
                    ],
                },
            }
        ],
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": 20,
            "prompt_tokens_details": {"cached_tokens": 60},
            "cache_write_tokens": 30,
            "completion_tokens_details": {"reasoning_tokens": 8},
        },
    }
    result = CC.decode(body, {})
    assert result.parts == [
        ThinkingPart(thinking="hmm"),
        TextPart(text="Calling."),
        ToolCallPart(id="t1", name="get_weather", arguments={"location": "Oslo"}),
    ]
    assert result.stop_reason == "tool_use"
    assert result.usage == Usage(
        input_tokens=100,
        output_tokens=20,
        cache_read_tokens=60,
        cache_creation_tokens=30,
        reasoning_tokens=8,
    )


def test_decode_reasoning_details_and_anthropic_usage_names() -> None:
    body = {
        "choices": [
            {
                "finish_reason": "length",
                "message": {
                    "content": "x",
                    "reasoning_details": [
                        {"type": "reasoning.text", "text": "a", "signature": "s1"},
                        {"text": "b"},
                    ],
                },
            }
        ],
        "usage": {"input_tokens": 10, "cache_read_input_tokens": 5, "output_tokens": 2},
    }
    result = CC.decode(body, {})
    assert result.parts == [ThinkingPart(thinking="ab", signature="s1"), TextPart(text="x")]
    assert (result.stop_reason, result.raw_stop_reason) == ("max_tokens", "length")
    assert result.usage == Usage(input_tokens=15, output_tokens=2, cache_read_tokens=5)


@pytest.mark.parametrize(
    ("raw", "tools", "expected"),
    [
        ("stop", False, "end_turn"),
        ("stop", True, "tool_use"),
        ("tool_calls", True, "tool_use"),
        ("content_filter", False, "refusal"),
        ("stop_sequence", False, "stop_sequence"),
        ("length", True, "max_tokens"),
        ("something_new", False, None),
    ],
)
def test_finish_reason_table(raw: str, tools: bool, expected: str | None) -> None:
    message: dict[str, object] = {"content": "x"}
    if tools:
        message["tool_calls"] = [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": ""}}
        ]
    result = CC.decode({"choices": [{"finish_reason": raw, "message": message}]}, {})
    assert (result.stop_reason, result.raw_stop_reason) == (expected, raw)
    if tools:
        assert result.tool_calls == [ToolCallPart(id="c", name="f", arguments={})]


@pytest.mark.parametrize(
    "body",
    [[1, 2], {"choices": []}, {"choices": [{"message": "no"}]}, {"object": "chat.completion"}],
)
def test_unreadable_bodies(body: object) -> None:
    with pytest.raises(ResponseValidationError):
        CC.decode(body, {})


def test_invalid_tool_arguments_name_the_tool() -> None:
    body = {
        "choices": [
            {
                "finish_reason": "tool_calls",
                "message": {
                    "tool_calls": [{"id": "c", "function": {"name": "lookup", "arguments": "{bad"}}]
                },
            }
        ]
    }
    with pytest.raises(ResponseValidationError, match="'lookup'"):
        CC.decode(body, {})


def test_error_envelope_with_2xx_status_raises_the_status_error() -> None:
    body = {
        "message": "Free-tier limit",
        "path": "/v1/chat/completions",
        "requestId": "798b",
        "statusCode": 429,
    }
    with pytest.raises(RateLimitError) as info:
        CC.decode(body, {})
    assert info.value.request_id == "798b"
    assert info.value.status_code == 429


# --------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 10_000])
def test_documented_stream_quirks(chunk_size: int) -> None:
    raw = (FIXTURES / "cc_text.sse").read_bytes()
    events = stream_events(raw, chunk_size)
    result = accumulate(events)
    assert result.id == "msg_0163QG3JvwgxndzWtBsdJpGt"  # only the first chunk has it
    assert (
        result.text
        == "I find humanity fascinating — café ☕ and complex.\n\nWhat strikes me 😀 most"
    )
    assert result.usage == Usage(input_tokens=16, output_tokens=163)  # second-to-last chunk
    assert result.stop_reason == "end_turn"
    assert [e for e in events if isinstance(e, TextDelta) and not e.text] == []


def test_first_chunk_text_done_marker_and_cost_chunk() -> None:
    raw = (FIXTURES / "cc_first_chunk_text_cost.sse").read_bytes()
    result = accumulate(stream_events(raw, 5))
    assert result.text == "Hello, world"
    assert result.cost == Cost(credits_used=2480, usd_spent=0.00124)
    assert result.usage == Usage(input_tokens=9, output_tokens=3)
    assert result.id == "msg_01FIRST"


def test_pre_2026_wrapped_stream() -> None:
    raw = (FIXTURES / "cc_legacy_wrapped.sse").read_bytes()
    result = accumulate(stream_events(raw, 4))
    assert result.text == "Bonjour à vous"
    assert result.usage == Usage(input_tokens=12, output_tokens=4)
    assert result.id == "msg_01LEGACY"
    assert result.stop_reason == "end_turn"


def test_parallel_tool_fragments_keyed_by_wire_index() -> None:
    raw = (FIXTURES / "cc_tools_parallel.sse").read_bytes()
    result = accumulate(stream_events(raw, 9))
    assert result.tool_calls == [
        ToolCallPart(id="toolu_01A", name="get_weather", arguments={"location": "Paris"}),
        ToolCallPart(id="toolu_01B", name="get_time", arguments={"tz": "Europe/Paris"}),
    ]
    assert (result.stop_reason, result.raw_stop_reason) == ("tool_use", "stop")


def test_truncated_stream_raises_stream_error() -> None:
    raw = (FIXTURES / "cc_truncated.sse").read_bytes()
    events = stream_events(raw, 11)
    with pytest.raises(StreamError, match="the stream ended before the model finished"):
        accumulate(events)


def test_error_chunk_mid_stream_raises() -> None:
    decoder = CC.stream_decoder()
    sse = SSEDecoder().feed(
        b'data: {"error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n'
    )
    with pytest.raises(StreamError, match=r"Overloaded.*retry"):
        decoder.feed(sse[0])


def test_undecodable_chunk_raises_response_validation_error() -> None:
    with pytest.raises(ResponseValidationError, match="not JSON"):
        CC.stream_decoder().feed(SSEDecoder().feed(b"data: {nope\n\n")[0])


@pytest.mark.parametrize("name", ["cc_text", "cc_tools_parallel", "cc_thinking"])
@pytest.mark.parametrize("chunk_size", [1, 13, 100_000])
def test_accumulated_stream_equals_whole_decode(name: str, chunk_size: int) -> None:
    streamed = accumulate(stream_events((FIXTURES / f"{name}.sse").read_bytes(), chunk_size))
    whole = CC.decode(load(f"{name}.json"), {})
    assert streamed == whole
    assert streamed.parts  # not trivially equal


TOOLS_RAW = (FIXTURES / "cc_tools_parallel.sse").read_bytes()
THINKING_RAW = (FIXTURES / "cc_thinking.sse").read_bytes()


@given(st.lists(st.integers(min_value=0, max_value=len(THINKING_RAW)), max_size=40))
def test_any_chunking_of_a_stream_gives_the_same_result(cuts: list[int]) -> None:
    bounds = [0, *sorted(set(cuts)), len(THINKING_RAW)]
    sse, decoder = SSEDecoder(), CC.stream_decoder()
    events: list[StreamEvent] = []
    for a, b in itertools.pairwise(bounds):
        for event in sse.feed(THINKING_RAW[a:b]):
            events.extend(decoder.feed(event))
    for event in sse.flush():
        events.extend(decoder.feed(event))
    assert accumulate(events) == CC.decode(load("cc_thinking.json"), {})


def test_crlf_stream_gives_the_same_result() -> None:
    crlf = TOOLS_RAW.replace(b"\n", b"\r\n")
    assert accumulate(stream_events(crlf, 7)) == accumulate(stream_events(TOOLS_RAW, 7))


def test_anthropic_blocks_in_stream_delta_content_are_read_not_dropped() -> None:
    # docs/wire.md: when `content` arrives as a list, it holds Anthropic blocks (tool_use included);
    # the streamed delta must not lose them where the whole decode reads them.
    chunks = [
        {
            "id": "msg_B",
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "content": [
                            {"type": "thinking", "thinking": "Need weather.", "signature": "sig"},
                            {"type": "text", "text": "Checking."},
                        ]
                    },
                }
            ],
        },
        {
            "id": "",
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "content": [
                            {
                                "type": "tool_use",
                                "id": "toolu_1",
                                "name": "get_weather",
                                "input": {"location": "Oslo"},
                            },
                        ]
                    },
                }
            ],
        },
        {
            "id": "",
            "choices": [{"index": 0, "delta": {"content": "Done."}, "finish_reason": "tool_use"}],
        },
    ]
    raw = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode()
    result = accumulate(stream_events(raw, 7))
    assert result.parts == [
        ThinkingPart(thinking="Need weather.", signature="sig"),
        TextPart(text="Checking.Done."),
        ToolCallPart(id="toolu_1", name="get_weather", arguments={"location": "Oslo"}),
    ]
    assert result.stop_reason == "tool_use"


def test_unknown_block_in_stream_delta_content_is_kept_raw() -> None:
    # A block type newer than the library is kept whole, not raised and not dropped.
    block = {"type": "hologram", "depth": 3}
    chunks = [
        {"choices": [{"index": 0, "delta": {"content": [block]}}]},
        {"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]},
    ]
    raw = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode()
    assert accumulate(stream_events(raw, 64)).parts == [RawPart(block=block), TextPart(text="ok")]


def test_block_without_a_type_in_stream_delta_content_raises() -> None:
    chunk = {"choices": [{"index": 0, "delta": {"content": [{"depth": 3}]}}]}
    with pytest.raises(ResponseValidationError, match="no type"):
        stream_events(f"data: {json.dumps(chunk)}\n\n".encode(), 64)


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_foreign_tool_ids_are_made_wire_safe_alike_in_call_and_result(api: str) -> None:
    def sent(call_id: str) -> tuple[str, str]:
        body = get_dialect(api).encode(
            req(
                user("q"),
                Message(role="assistant", parts=[ToolCallPart(id=call_id, name="w", arguments={})]),
                user(ToolResultPart(tool_call_id=call_id, content=[TextPart(text="ok")])),
            ),
            stream=False,
        )
        return body["messages"][1]["content"][0]["id"], body["messages"][2]["content"][0][
            "tool_use_id"
        ]

    assert sent("toolu_01Abc-x_9") == ("toolu_01Abc-x_9", "toolu_01Abc-x_9")  # valid: kept
    call_id, result_id = sent("tooluse:abc.1")
    assert re.fullmatch(r"[a-zA-Z0-9_-]+", call_id)
    assert call_id.startswith("tooluse_abc_1_")
    assert result_id == call_id
    assert sent("tooluse.abc:1")[0] != call_id  # differing only in illegal characters
