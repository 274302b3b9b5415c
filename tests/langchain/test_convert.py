"""LangChain messages → the core's neutral request, and neutral results → LangChain messages.

These are tables: given LangChain input, the neutral parts the core will encode (the wire JSON
itself is asserted against the emulator in tests/e2e).
"""

from __future__ import annotations

import re

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from aimlapi_core import _types as t
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError
from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI
from langchain_aimlapi._convert import to_core_messages
from langchain_aimlapi._results import final_chunk, to_ai_message, to_chunk

PNG = "iVBORw0KGgo="


def test_system_messages_anywhere_are_merged_into_system() -> None:
    system, turns = to_core_messages(
        [
            SystemMessage("be terse"),
            SystemMessage([{"type": "text", "text": "be kind", "cache_control": {"type": "x"}}]),
            HumanMessage("hi"),
            AIMessage("hello"),
            SystemMessage("mid-conversation rule"),
            HumanMessage("bye"),
        ]
    )
    assert system == [
        t.TextPart(text="be terse"),
        t.TextPart(text="be kind", cache_control={"type": "x"}),
        t.TextPart(text="mid-conversation rule"),
    ]
    assert [m.role for m in turns] == ["user", "assistant", "user"]


def test_consecutive_same_role_turns_are_merged() -> None:
    _, turns = to_core_messages(
        [HumanMessage("a"), HumanMessage("b"), AIMessage("c"), AIMessage("d"), HumanMessage("e")]
    )
    assert turns == [
        t.Message(role="user", parts=[t.TextPart(text="a"), t.TextPart(text="b")]),
        t.Message(role="assistant", parts=[t.TextPart(text="c"), t.TextPart(text="d")]),
        t.Message(role="user", parts=[t.TextPart(text="e")]),
    ]


def test_empty_text_blocks_are_dropped() -> None:
    _, turns = to_core_messages(
        [HumanMessage([{"type": "text", "text": ""}, {"type": "text", "text": "x"}, ""])]
    )
    assert turns == [t.Message(role="user", parts=[t.TextPart(text="x")])]


def test_only_a_system_prompt_is_refused_before_io() -> None:
    with pytest.raises(InvalidRequestError, match="at least one user message"):
        to_core_messages([SystemMessage("alone")])


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
            t.ImagePart(media_type="image/png", data=PNG),
        ),
        (
            {"type": "image", "base64": PNG, "mime_type": "image/png"},
            t.ImagePart(media_type="image/png", data=PNG),
        ),
        ({"type": "image", "url": "https://x.test/a.png"}, t.ImagePart(url="https://x.test/a.png")),
        (
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
            t.ImagePart(media_type="image/png", data=PNG),
        ),
        (
            {"type": "file", "base64": "JVBERi0=", "mime_type": "application/pdf"},
            t.DocumentPart(media_type="application/pdf", data="JVBERi0="),
        ),
        (
            {
                "type": "file",
                "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="},
            },
            t.DocumentPart(media_type="application/pdf", data="JVBERi0=", title="a.pdf"),
        ),
        (
            {
                "type": "document",
                "source": {"type": "text", "media_type": "text/plain", "data": "hello"},
                "title": "t",
            },
            t.DocumentPart(media_type="text/plain", data="hello", title="t"),
        ),
    ],
)
def test_user_content_blocks(block: dict, expected: t.Part) -> None:
    _, turns = to_core_messages([HumanMessage([block])])
    assert turns[0].parts == [expected]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"},
        {"type": "video", "url": "https://x.test/v.mp4"},
        {"type": "image", "file_id": "file-123"},
        {"type": "file", "file_id": "file-123"},
        {"type": "image_url", "image_url": {"url": "ftp://x.test/a.png"}},
        {"type": "mystery"},
    ],
)
def test_unsupported_blocks_raise_naming_the_block(block: dict) -> None:
    with pytest.raises(UnsupportedContentError, match="message 0 \\(human\\) block 0"):
        to_core_messages([HumanMessage([block])])


def test_tool_calls_and_results_round_trip_with_consecutive_results_in_one_turn() -> None:
    _, turns = to_core_messages(
        [
            HumanMessage("weather in Paris and Rome?"),
            AIMessage(
                "",
                tool_calls=[
                    {"name": "w", "args": {"city": "Paris"}, "id": "call_1"},
                    {"name": "w", "args": {"city": "Rome"}, "id": "call_2"},
                ],
            ),
            ToolMessage("sunny", tool_call_id="call_1"),
            ToolMessage("boom", tool_call_id="call_2", status="error"),
        ]
    )
    assert turns[1] == t.Message(
        role="assistant",
        parts=[
            t.ToolCallPart(id="call_1", name="w", arguments={"city": "Paris"}),
            t.ToolCallPart(id="call_2", name="w", arguments={"city": "Rome"}),
        ],
    )
    assert turns[2] == t.Message(
        role="user",
        parts=[
            t.ToolResultPart(tool_call_id="call_1", content=[t.TextPart(text="sunny")]),
            t.ToolResultPart(
                tool_call_id="call_2", content=[t.TextPart(text="boom")], is_error=True
            ),
        ],
    )


def test_anthropic_tool_use_in_content_is_not_duplicated_by_tool_calls() -> None:
    _, turns = to_core_messages(
        [
            HumanMessage("hi"),
            AIMessage(
                [
                    {"type": "text", "text": "let me see"},
                    {"type": "tool_use", "id": "foo", "name": "pick", "input": {"c": "x"}},
                ],
                tool_calls=[{"name": "pick", "args": {"c": "x"}, "id": "foo"}],
            ),
        ]
    )
    assert turns[1].parts == [
        t.TextPart(text="let me see"),
        t.ToolCallPart(id="foo", name="pick", arguments={"c": "x"}),
    ]


def test_foreign_tool_ids_are_normalised_deterministically(fresh_emulator: Emulator) -> None:
    llm = ChatAIMLAPI(api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url)

    def sent_ids(call_id: str) -> tuple[str, str]:
        llm.invoke(
            [
                HumanMessage("q"),
                AIMessage("", tool_calls=[{"name": "w", "args": {}, "id": call_id}]),
                ToolMessage("ok", tool_call_id=call_id),
            ]
        )
        _, call, result = fresh_emulator.last_request.json["messages"]
        return call["content"][0]["id"], result["content"][0]["tool_use_id"]

    call_id, result_id = sent_ids("tooluse:abc.1")
    assert re.fullmatch(r"[a-zA-Z0-9_-]+", call_id)
    assert result_id == call_id
    assert sent_ids("tooluse:abc.1") == (call_id, call_id)  # the same on every turn
    # Two ids that differ only in illegal characters stay distinct.
    assert sent_ids("tooluse.abc:1")[0] != call_id


def test_thinking_blocks_keep_their_signature_for_replay() -> None:
    _, turns = to_core_messages(
        [
            HumanMessage("hi"),
            AIMessage(
                [
                    {"type": "thinking", "thinking": "hmm", "signature": "sig", "index": 0},
                    {"type": "redacted_thinking", "data": "opaque", "index": 1},
                    {"type": "text", "text": "hello", "index": 2},
                ]
            ),
            HumanMessage("again"),
        ]
    )
    assert turns[1].parts == [
        t.ThinkingPart(thinking="hmm", signature="sig"),
        t.RedactedThinkingPart(data="opaque"),
        t.TextPart(text="hello"),
    ]


def test_v1_standard_reasoning_blocks_replay_as_thinking() -> None:
    message = to_ai_message(
        t.ChatResult(parts=[t.ThinkingPart(thinking="hmm", signature="sig"), t.TextPart(text="a")]),
        "m",
    )
    v1 = AIMessage(content=message.content_blocks, response_metadata={"output_version": "v1"})
    _, turns = to_core_messages([HumanMessage("q"), v1, HumanMessage("next")])
    assert turns[1].parts == [t.ThinkingPart(thinking="hmm", signature="sig"), t.TextPart(text="a")]


RESULT = t.ChatResult(
    parts=[
        t.ThinkingPart(thinking="let me think", signature="sig=="),
        t.TextPart(text="It is sunny."),
        t.ToolCallPart(id="toolu_1", name="weather", arguments={"city": "Paris"}),
    ],
    id="msg_1",
    model="claude-sonnet-4-20250514",
    stop_reason="tool_use",
    raw_stop_reason="tool_calls",
    usage=t.Usage(input_tokens=30, output_tokens=12, cache_read_tokens=10, reasoning_tokens=5),
    cost=t.Cost(credits_used=21.0, usd_spent=0.0000105),
    request_id="req-1",
)


def test_result_maps_to_ai_message() -> None:
    message = to_ai_message(RESULT, "claude-sonnet-4")
    assert message.content == [
        {"type": "thinking", "thinking": "let me think", "signature": "sig=="},
        {"type": "text", "text": "It is sunny."},
    ]
    assert message.tool_calls == [
        {"type": "tool_call", "id": "toolu_1", "name": "weather", "args": {"city": "Paris"}}
    ]
    assert message.usage_metadata == {
        "input_tokens": 30,
        "output_tokens": 12,
        "total_tokens": 42,
        "input_token_details": {"cache_read": 10},
        "output_token_details": {"reasoning": 5},
    }
    assert message.response_metadata == {
        "model_provider": "aimlapi",
        "model_name": "claude-sonnet-4-20250514",
        "finish_reason": "tool_calls",
        "stop_reason": "tool_use",  # the core's word, as a stream reports it
        "raw_stop_reason": "tool_calls",
        "id": "msg_1",
        "request_id": "req-1",
        "credits_used": 21.0,
        "usd_spent": 0.0000105,
    }
    assert [b["type"] for b in message.content_blocks] == ["reasoning", "text", "tool_call"]
    assert message.content_blocks[0] == {
        "type": "reasoning",
        "reasoning": "let me think",
        "extras": {"signature": "sig=="},
    }


def test_text_only_result_is_a_string() -> None:
    message = to_ai_message(t.ChatResult(parts=[t.TextPart(text="hi")]), "m")
    assert message.content == "hi"
    assert message.response_metadata["model_name"] == "m"


def test_streamed_events_aggregate_to_what_invoke_returns() -> None:
    events: list[t.StreamEvent] = [
        t.MessageStart(id="msg_1", model="claude-sonnet-4-20250514"),
        t.UsageDelta(input_tokens=30),
        t.ThinkingDelta(0, "let me "),
        t.ThinkingDelta(0, "think"),
        t.SignatureDelta(0, "sig=="),
        t.TextDelta(1, "It is "),
        t.TextDelta(1, "sunny."),
        t.ToolCallDelta(2, "toolu_1", "weather", ""),
        t.ToolCallDelta(2, None, None, '{"city": '),
        t.ToolCallDelta(2, None, None, '"Paris"}'),
        t.UsageDelta(output_tokens=12),
        t.Finish(stop_reason="tool_use", raw_stop_reason="tool_calls"),
    ]
    chunks = [c for c in map(to_chunk, events) if c is not None]
    chunks.append(final_chunk(RESULT, "claude-sonnet-4", with_usage=True))
    # Usage only on the final chunk, so input tokens are counted once.
    assert [c.usage_metadata is not None for c in chunks].count(True) == 1
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert isinstance(full, AIMessageChunk)
    invoked = to_ai_message(RESULT, "claude-sonnet-4")
    assert full.text == invoked.text == "It is sunny."
    assert full.tool_calls == invoked.tool_calls
    assert full.usage_metadata == invoked.usage_metadata
    assert full.response_metadata == invoked.response_metadata
    assert [b["type"] for b in full.content_blocks] == ["reasoning", "text", "tool_call"]
    assert full.content[0] == {
        "type": "thinking",
        "thinking": "let me think",
        "signature": "sig==",
        "index": 0,
    }
    # The aggregated message replays with its signed thinking intact.
    _, turns = to_core_messages(
        [HumanMessage("q"), full, ToolMessage("sunny", tool_call_id="toolu_1")]
    )
    assert turns[1].parts == RESULT.parts


def test_empty_streamed_tool_arguments_become_an_empty_dict() -> None:
    chunks = [
        to_chunk(t.ToolCallDelta(0, "toolu_1", "now", "")),
        final_chunk(
            t.ChatResult(parts=[t.ToolCallPart(id="toolu_1", name="now", arguments={})]),
            "m",
            with_usage=True,
        ),
    ]
    full = chunks[0] + chunks[1]
    assert full.tool_calls == [{"type": "tool_call", "id": "toolu_1", "name": "now", "args": {}}]


def test_first_text_delta_is_not_dropped() -> None:
    chunk = to_chunk(t.TextDelta(0, "Hello"))
    assert chunk is not None
    assert chunk.content == [{"type": "text", "text": "Hello", "index": 0}]


def test_parallel_tool_call_chunks_keep_distinct_indexes() -> None:
    a = to_chunk(t.ToolCallDelta(1, "t1", "w", '{"c": "Paris"}'))
    b = to_chunk(t.ToolCallDelta(2, "t2", "w", '{"c": "Rome"}'))
    last = final_chunk(t.ChatResult(parts=[]), "m", with_usage=False)
    full = a + b + last
    assert [c["args"] for c in full.tool_calls] == [{"c": "Paris"}, {"c": "Rome"}]
    assert [c["index"] for c in full.tool_call_chunks] == [1, 2]


def test_model_without_key_builds_and_never_shows_a_key() -> None:
    llm = ChatAIMLAPI(api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(llm)
    assert "sk-very-secret" not in str(llm.model_dump())


def test_headers_never_show_in_repr() -> None:
    # A gateway key passed as a header (e.g. behind a proxy) was printed by repr(), and so in
    # every log line or traceback that shows the model.
    llm = ChatAIMLAPI(default_headers={"Authorization": "Bearer sk-header-secret"})
    assert "sk-header-secret" not in repr(llm)
    assert "sk-header-secret" not in str(llm)


def test_invalid_tool_calls_appear_in_content_blocks() -> None:
    # A call whose JSON arguments were cut off (e.g. by max_tokens) lands in
    # invalid_tool_calls; content_blocks must show it, as InvalidToolCall blocks.
    broken = {"type": "invalid_tool_call", "id": "t1", "name": "w", "args": '{"c": ', "error": "x"}
    message = AIMessage(
        content="Checking.",
        tool_calls=[{"type": "tool_call", "id": "t0", "name": "w", "args": {"c": "Rome"}}],
        invalid_tool_calls=[broken],
        response_metadata={"model_provider": "aimlapi"},
    )
    assert message.content_blocks == [
        {"type": "text", "text": "Checking."},
        {"type": "tool_call", "id": "t0", "name": "w", "args": {"c": "Rome"}},
        broken,
    ]


def test_invalid_streamed_tool_call_appears_in_aggregated_content_blocks() -> None:
    # '{"c" "Paris"}' is not JSON even partially, so the aggregate files it as invalid.
    full = to_chunk(t.ToolCallDelta(0, "t1", "w", '{"c" "Paris"}')) + final_chunk(
        t.ChatResult(parts=[]), "m", with_usage=False
    )
    assert full.tool_calls == []
    assert full.content_blocks == [
        {
            "type": "invalid_tool_call",
            "id": "t1",
            "name": "w",
            "args": '{"c" "Paris"}',
            "error": None,
        }
    ]
