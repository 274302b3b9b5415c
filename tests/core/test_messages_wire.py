"""/messages (Anthropic-native): payload snapshots, whole and streamed decoding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aimlapi_core._accumulate import accumulate
from aimlapi_core._sse import ServerSentEvent, SSEDecoder
from aimlapi_core._types import (
    ChatRequest,
    Cost,
    DocumentPart,
    Finish,
    ImagePart,
    Message,
    RedactedThinkingPart,
    StreamEvent,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolChoice,
    ToolResultPart,
    ToolSpec,
    Usage,
    UsageDelta,
)
from aimlapi_core.errors import (
    AuthenticationError,
    ResponseValidationError,
    StreamError,
    UnsupportedContentError,
)
from aimlapi_core.wire import get_dialect

FIXTURES = Path(__file__).parent / "fixtures"
MSG = get_dialect("messages")
MODEL = "claude-sonnet-4-20250514"
EPHEMERAL = {"type": "ephemeral"}


def stream_events(raw: bytes, chunk_size: int) -> list[StreamEvent]:
    sse, decoder = SSEDecoder(), MSG.stream_decoder()
    events: list[StreamEvent] = []
    for i in range(0, len(raw), chunk_size):
        for event in sse.feed(raw[i : i + chunk_size]):
            events.extend(decoder.feed(event))
    for event in sse.flush():
        events.extend(decoder.feed(event))
    return events


def feed_json(*objs: dict[str, object]) -> list[StreamEvent]:
    decoder = MSG.stream_decoder()
    out: list[StreamEvent] = []
    for obj in objs:
        out.extend(decoder.feed(ServerSentEvent(event=None, data=json.dumps(obj))))
    return out


# --------------------------------------------------------------------------- encode


def test_snapshot_with_cache_control_documents_and_signed_thinking() -> None:
    request = ChatRequest(
        model=MODEL,
        max_tokens=4096,
        system=[TextPart(text="Long context", cache_control=EPHEMERAL)],
        thinking_budget=1024,
        tools=[
            ToolSpec(
                name="lookup",
                input_schema={"type": "object", "properties": {"q": {"type": "string"}}},
                cache_control=EPHEMERAL,
            )
        ],
        tool_choice=ToolChoice(type="auto"),
        messages=[
            Message(
                role="user",
                parts=[
                    # Four breakpoints in all: the API refuses a fifth.
                    TextPart(text="Read these"),
                    ImagePart(media_type="image/webp", data="UklGRg==", cache_control=EPHEMERAL),
                    DocumentPart(
                        media_type="application/pdf", data="JVBERi0=", title="Report", context="Q3"
                    ),
                    DocumentPart(media_type="text/plain", data="notes"),
                ],
            ),
            Message(
                role="assistant",
                parts=[
                    ThinkingPart(thinking="I should look it up", signature="EqQB"),
                    RedactedThinkingPart(data="EmwK"),
                    ToolCallPart(id="toolu_1", name="lookup", arguments={"q": "x"}),
                ],
            ),
            Message(
                role="user",
                parts=[
                    ToolResultPart(
                        tool_call_id="toolu_1",
                        content=[
                            TextPart(text="a"),
                            DocumentPart(media_type="text/plain", data="doc"),
                        ],
                        cache_control=EPHEMERAL,
                    )
                ],
            ),
        ],
    )
    assert MSG.encode(request, stream=True) == {
        "model": MODEL,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Read these"},
                    {
                        "type": "image",
                        "source": {
                            "type": "base64",
                            "media_type": "image/webp",
                            "data": "UklGRg==",
                        },
                        "cache_control": EPHEMERAL,
                    },
                    {
                        "type": "document",
                        "source": {
                            "type": "base64",
                            "media_type": "application/pdf",
                            "data": "JVBERi0=",
                        },
                        "title": "Report",
                        "context": "Q3",
                    },
                    {
                        "type": "document",
                        "source": {"type": "text", "data": "notes", "media_type": "text/plain"},
                    },
                ],
            },
            {
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "I should look it up", "signature": "EqQB"},
                    {"type": "redacted_thinking", "data": "EmwK"},
                    {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": "x"}},
                ],
            },
            {
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "toolu_1",
                        "content": [
                            {"type": "text", "text": "a"},
                            {
                                "type": "document",
                                "source": {
                                    "type": "text",
                                    "data": "doc",
                                    "media_type": "text/plain",
                                },
                            },
                        ],
                        "cache_control": EPHEMERAL,
                    }
                ],
            },
        ],
        "system": [{"type": "text", "text": "Long context", "cache_control": EPHEMERAL}],
        "max_tokens": 4096,
        "stream": True,
        "tools": [
            {
                "name": "lookup",
                "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}},
                "cache_control": EPHEMERAL,
            }
        ],
        "tool_choice": {"type": "auto"},
        "thinking": {"type": "enabled", "budget_tokens": 1024},
    }


def test_simple_text_is_a_string_and_error_results_are_flagged() -> None:
    request = ChatRequest(
        model=MODEL,
        max_tokens=100,
        system=[TextPart(text="one"), TextPart(text="two")],
        messages=[
            Message(role="user", parts=[TextPart(text="hi")]),
            Message(role="assistant", parts=[ToolCallPart(id="t", name="f", arguments={})]),
            Message(
                role="user",
                parts=[
                    ToolResultPart(tool_call_id="t", content=[TextPart(text="boom")], is_error=True)
                ],
            ),
        ],
        tools=[ToolSpec(name="f")],
    )
    body = MSG.encode(request, stream=False)
    assert body["system"] == "one\n\ntwo"
    assert body["messages"][0] == {"role": "user", "content": "hi"}
    assert body["messages"][2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": "t", "content": "boom", "is_error": True}
        ],
    }
    assert body["tools"] == [{"name": "f", "input_schema": {"type": "object", "properties": {}}}]
    assert "stream" not in body


def test_documents_in_tool_results_need_the_messages_api() -> None:
    request = ChatRequest(
        model=MODEL,
        max_tokens=100,
        messages=[
            Message(
                role="user",
                parts=[
                    ToolResultPart(
                        tool_call_id="t", content=[DocumentPart(media_type="text/plain", data="d")]
                    )
                ],
            )
        ],
    )
    with pytest.raises(UnsupportedContentError, match="api='messages'"):
        get_dialect("chat_completions").encode(request, stream=False)
    assert (
        MSG.encode(request, stream=False)["messages"][0]["content"][0]["content"][0]["type"]
        == "document"
    )


# --------------------------------------------------------------------------- decode whole


def load(name: str) -> dict[str, object]:
    return json.loads((FIXTURES / name).read_text("utf-8"))  # type: ignore[no-any-return]


def test_decode_documented_message_with_cache_usage_and_cost() -> None:
    result = MSG.decode(load("msg_thinking.json"), {"x-request-id": "r", "x-inference-id": "i"})
    assert result.parts == [
        ThinkingPart(
            thinking="Let me think… 2+2 is 4.",
            signature="EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
        ),
        RedactedThinkingPart(
            data="EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"
        ),
        TextPart(text="4."),
    ]
    assert result.cost == Cost(credits_used=1576, usd_spent=0.000788)
    assert (result.request_id, result.inference_id) == ("r", "i")
    text = MSG.decode(load("msg_text.json"), {})
    assert text.usage == Usage(
        input_tokens=37, output_tokens=35, cache_read_tokens=10, cache_creation_tokens=0
    )


def test_stop_sequence_is_kept() -> None:
    body = {
        "content": [{"type": "text", "text": "a"}],
        "stop_reason": "stop_sequence",
        "stop_sequence": "END",
    }
    result = MSG.decode(body, {})
    assert (result.stop_reason, result.stop_sequence) == ("stop_sequence", "END")


def test_anthropic_error_body_with_2xx_status() -> None:
    body = {
        "type": "error",
        "error": {"type": "authentication_error", "message": "invalid x-api-key"},
    }
    with pytest.raises(AuthenticationError, match="invalid x-api-key"):
        MSG.decode(body, {})


@pytest.mark.parametrize(
    "body",
    [
        "not json object",
        {"type": "message"},
        {"content": [{"type": "server_tool_use", "id": "x"}]},
        {"content": [{"type": "text"}]},
    ],
)
def test_unreadable_messages(body: object) -> None:
    with pytest.raises(ResponseValidationError):
        MSG.decode(body, {})


SERVER_CALLS_WITHOUT_THEIR_IDS = [
    {"type": "server_tool_use", "input": {}},
    {"type": "server_tool_use", "id": "srvtoolu_1", "input": {}},
    {"type": "server_tool_use", "name": "web_search", "input": {}},
    {"type": "server_tool_use", "id": "", "name": "", "input": {}},
]


@pytest.mark.parametrize("block", SERVER_CALLS_WITHOUT_THEIR_IDS)
def test_a_server_tool_call_without_its_id_or_name_is_refused_whole_and_streamed(
    block: dict[str, object],
) -> None:
    """docs/wire.md "Server tools": a server_tool_use is sent back as received, id and name
    included; one without them could only be replayed altered (or dropped), so it is refused
    when read, whether it came whole or streamed."""
    with pytest.raises(ResponseValidationError, match="server_tool_use"):
        MSG.decode({"type": "message", "content": [block], "stop_reason": "end_turn"}, {})
    with pytest.raises(ResponseValidationError, match="server_tool_use"):
        feed_json(
            {"type": "message_start", "message": {"id": "m", "content": []}},
            {"type": "content_block_start", "index": 0, "content_block": block},
        )


# --------------------------------------------------------------------------- streaming


@pytest.mark.parametrize("name", ["msg_text", "msg_tools_parallel", "msg_thinking"])
@pytest.mark.parametrize("chunk_size", [1, 5, 17, 100_000])
def test_accumulated_stream_equals_whole_decode(name: str, chunk_size: int) -> None:
    streamed = accumulate(stream_events((FIXTURES / f"{name}.sse").read_bytes(), chunk_size))
    assert streamed == MSG.decode(load(f"{name}.json"), {})
    assert streamed.parts


def test_parallel_tools_stream() -> None:
    result = accumulate(stream_events((FIXTURES / "msg_tools_parallel.sse").read_bytes(), 3))
    assert result.tool_calls == [
        ToolCallPart(id="toolu_01A", name="get_weather", arguments={"location": "Paris"}),
        ToolCallPart(id="toolu_01B", name="get_time", arguments={}),
    ]
    assert result.stop_reason == "tool_use"
    # input tokens reported again in message_delta: replaced, not added
    assert result.usage == Usage(input_tokens=300, output_tokens=80)


def test_usage_is_cumulative_never_double_counted() -> None:
    events = feed_json(
        {
            "type": "message_start",
            "message": {
                "id": "m",
                "model": MODEL,
                "usage": {"input_tokens": 10, "cache_read_input_tokens": 90},
            },
        },
        {
            "type": "message_delta",
            "delta": {"stop_reason": "max_tokens"},
            "usage": {"output_tokens": 7},
        },
        {"type": "message_delta", "delta": {}, "usage": {"input_tokens": 10, "output_tokens": 9}},
        {"type": "message_stop"},
    )
    usages = [e for e in events if isinstance(e, UsageDelta)]
    assert [u.input_tokens for u in usages] == [100, 100, 100]
    result = accumulate(events)
    assert result.usage == Usage(input_tokens=100, output_tokens=9, cache_read_tokens=90)
    assert result.stop_reason == "max_tokens"
    assert [e for e in events if isinstance(e, Finish)] == [
        Finish(stop_reason="max_tokens", raw_stop_reason="max_tokens")
    ]


def test_decoder_reports_finished() -> None:
    decoder = MSG.stream_decoder()
    decoder.feed(ServerSentEvent(event="ping", data='{"type": "ping"}'))
    assert not decoder.finished
    decoder.feed(
        ServerSentEvent(
            event=None, data='{"type": "message_delta", "delta": {"stop_reason": "end_turn"}}'
        )
    )
    assert decoder.finished


def test_error_event_mid_stream_raises_and_mentions_retry() -> None:
    raw = (FIXTURES / "msg_error_overloaded.sse").read_bytes()
    with pytest.raises(StreamError, match=r"overloaded_error: Overloaded .*retry"):
        stream_events(raw, 7)


def test_stream_without_finish_raises() -> None:
    raw = (FIXTURES / "msg_text.sse").read_bytes()
    cut = raw[: raw.index(b"event: message_delta")]
    with pytest.raises(StreamError, match="ended before the model finished"):
        accumulate(stream_events(cut, 8))
