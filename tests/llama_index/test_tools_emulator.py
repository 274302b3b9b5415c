"""Tool calling against the emulator: chat_with_tools in all four forms, predict_and_call,
tool-choice payloads, tool results, and the regressions other integrations shipped."""

from __future__ import annotations

import re

import pytest
from llama_index.core.base.llms.types import ChatMessage, ToolCallBlock
from llama_index.core.tools import FunctionTool

from aimlapi_core.errors import InvalidRequestError


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"18C and sunny in {city}"


def get_time(city: str) -> str:
    """Local time in a city."""
    return f"12:00 in {city}"


TOOLS = [FunctionTool.from_defaults(fn=get_weather), FunctionTool.from_defaults(fn=get_time)]
WIRE_TOOLS = [
    {
        "name": "get_weather",
        "description": TOOLS[0].metadata.description,
        "input_schema": {
            "type": "object",
            "properties": {"city": {"title": "City", "type": "string"}},
            "required": ["city"],
        },
    },
    {
        "name": "get_time",
        "description": TOOLS[1].metadata.description,
        "input_schema": {
            "type": "object",
            "properties": {"city": {"title": "City", "type": "string"}},
            "required": ["city"],
        },
    },
]
BOTH = 'Use get_weather for "Paris" and get_time for "Paris".'


def calls(llm, response) -> list[tuple[str, dict]]:
    return [(c.tool_name, c.tool_kwargs) for c in llm.get_tool_calls_from_response(response)]


def test_chat_with_tools_sends_tools_and_returns_the_call(llm, emulator) -> None:
    response = llm.chat_with_tools(TOOLS, user_msg='What is the weather in "Oslo"? use get_weather')
    assert calls(llm, response) == [("get_weather", {"city": "Oslo"})]
    sent = emulator.requests[-1].json
    assert sent["tools"] == WIRE_TOOLS
    # chat_with_tools defaults to one call at a time; that is said to the API, not enforced after.
    assert sent["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert response.raw["stop_reason"] == "tool_use"


async def test_achat_with_tools_parallel(llm, emulator) -> None:
    response = await llm.achat_with_tools(TOOLS, user_msg=BOTH, allow_parallel_tool_calls=True)
    assert calls(llm, response) == [
        ("get_weather", {"city": "Paris"}),
        ("get_time", {"city": "Paris"}),
    ]
    assert emulator.requests[-1].json["tool_choice"] == {"type": "auto"}


def test_stream_chat_with_tools_keeps_parallel_calls(llm, emulator) -> None:
    """Regression (OpenAILike): parallel tool calls were merged or lost while streaming."""
    chunks = list(llm.stream_chat_with_tools(TOOLS, user_msg=BOTH, allow_parallel_tool_calls=True))
    assert emulator.requests[-1].json["stream"] is True
    final = llm.get_tool_calls_from_response(chunks[-1])
    assert [(c.tool_name, c.tool_kwargs) for c in final] == [
        ("get_weather", {"city": "Paris"}),
        ("get_time", {"city": "Paris"}),
    ]
    assert final[0].tool_id != final[1].tool_id
    # Every chunk can be asked for its tool calls (agents do), partial JSON included.
    seen = [len(llm.get_tool_calls_from_response(c, error_on_no_tool_call=False)) for c in chunks]
    assert seen == sorted(seen)
    assert max(seen) == 2


async def test_astream_chat_with_tools_matches_sync(llm) -> None:
    sync_last = list(llm.stream_chat_with_tools(TOOLS, user_msg=BOTH))[-1]
    chunks = [c async for c in await llm.astream_chat_with_tools(TOOLS, user_msg=BOTH)]
    assert chunks[-1].message == sync_last.message
    assert calls(llm, chunks[-1]) == [("get_weather", {"city": "Paris"})]  # no parallel asked


@pytest.mark.parametrize(
    ("kwargs", "wire_choice"),
    [
        ({"tool_required": True}, {"type": "any", "disable_parallel_tool_use": True}),
        (
            {"tool_choice": "get_time"},
            {"type": "tool", "name": "get_time", "disable_parallel_tool_use": True},
        ),
        ({"tool_choice": "none"}, {"type": "none"}),
    ],
)
def test_tool_choice_on_the_wire(llm, emulator, kwargs, wire_choice) -> None:
    response = llm.chat_with_tools(TOOLS, user_msg="hello there", **kwargs)
    assert emulator.requests[-1].json["tool_choice"] == wire_choice
    expected = {"any": ["get_weather"], "tool": ["get_time"], "none": []}[wire_choice["type"]]
    names = [c.tool_name for c in llm.get_tool_calls_from_response(response, False)]
    assert names == expected


def test_no_tools_sends_no_tool_fields(llm, emulator) -> None:
    """Regression: `tools: []` / `tool_choice: null` get a 400 from several models."""
    llm.chat_with_tools([], user_msg="hello")
    list(llm.stream_chat_with_tools([], user_msg="hello"))
    for request in emulator.requests:
        assert "tools" not in request.json
        assert "tool_choice" not in request.json
    assert len(emulator.requests) == 2


def test_unknown_forced_tool_is_refused_before_sending(llm, emulator) -> None:
    with pytest.raises(InvalidRequestError, match="get_news"):
        llm.chat_with_tools(TOOLS, user_msg="x", tool_choice="get_news")
    assert emulator.requests == []


def test_predict_and_call_runs_the_tool(llm) -> None:
    output = llm.predict_and_call(TOOLS, user_msg='get_weather for "Lima"')
    assert output.response == "18C and sunny in Lima"
    assert output.sources[0].tool_name == "get_weather"


async def test_apredict_and_call_parallel(llm) -> None:
    output = await llm.apredict_and_call(TOOLS, user_msg=BOTH, allow_parallel_tool_calls=True)
    assert output.response == "18C and sunny in Paris\n\n12:00 in Paris"


def test_tool_results_round_trip_as_tool_result_blocks(llm, emulator) -> None:
    history = [ChatMessage(role="user", content=BOTH)]
    first = llm.chat_with_tools(TOOLS, chat_history=history, allow_parallel_tool_calls=True)
    selections = llm.get_tool_calls_from_response(first)
    history.append(first.message)
    for sel, out in zip(selections, ["18C", "noon"], strict=True):
        history.append(
            ChatMessage(role="tool", content=out, additional_kwargs={"tool_call_id": sel.tool_id})
        )
    second = llm.chat_with_tools(TOOLS, chat_history=history, allow_parallel_tool_calls=True)
    assert second.message.content == (
        "Here is what I found: get_weather returned “18C”; get_time returned “noon”."
    )
    sent = emulator.requests[-1].json["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": [
            {"type": "text", "text": "I'll use get_weather, get_time to help with that."},
            {
                "type": "tool_use",
                "id": selections[0].tool_id,
                "name": "get_weather",
                "input": {"city": "Paris"},
            },
            {
                "type": "tool_use",
                "id": selections[1].tool_id,
                "name": "get_time",
                "input": {"city": "Paris"},
            },
        ],
    }
    assert sent[2] == {
        "role": "user",
        "content": [
            {"type": "tool_result", "tool_use_id": selections[0].tool_id, "content": "18C"},
            {"type": "tool_result", "tool_use_id": selections[1].tool_id, "content": "noon"},
        ],
    }
    assert len(history) == 4  # chat_with_tools did not append to the caller's list


def test_foreign_tool_call_ids_are_normalised_the_same_in_call_and_result(llm, emulator) -> None:
    # Histories from other providers carry ids the API refuses (tool_use.id must match
    # ^[a-zA-Z0-9_-]+$): Bedrock "tooluse:…", dotted ids, OpenAILike's additional_kwargs form.
    history = [
        ChatMessage(role="user", content=BOTH),
        ChatMessage(
            role="assistant",
            blocks=[
                ToolCallBlock(
                    tool_call_id="tooluse:abc.1", tool_name="get_weather", tool_kwargs={}
                ),
                ToolCallBlock(tool_call_id="tooluse.abc:1", tool_name="get_time", tool_kwargs={}),
            ],
        ),
        ChatMessage(
            role="tool", content="18C", additional_kwargs={"tool_call_id": "tooluse:abc.1"}
        ),
        ChatMessage(
            role="tool", content="noon", additional_kwargs={"tool_call_id": "tooluse.abc:1"}
        ),
        ChatMessage(role="user", content="And in Rome?"),
        ChatMessage(
            role="assistant",
            content="",
            additional_kwargs={
                "tool_calls": [
                    {
                        "id": "fc/rome.2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": "{}"},
                    }
                ]
            },
        ),
        ChatMessage(role="tool", content="20C", additional_kwargs={"tool_call_id": "fc/rome.2"}),
    ]
    llm.chat_with_tools(TOOLS, chat_history=history)
    call_ids = _sent_ids(emulator, "tool_use", "id")
    assert len(call_ids) == 3
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", i) for i in call_ids), call_ids
    assert _sent_ids(emulator, "tool_result", "tool_use_id") == call_ids
    assert len(set(call_ids)) == 3  # ids differing only in illegal characters stay distinct
    # Deterministic: the same history sends the same ids again.
    llm.chat_with_tools(TOOLS, chat_history=history)
    assert _sent_ids(emulator, "tool_use", "id") == call_ids


def _sent_ids(emulator, kind: str, key: str) -> list[str]:
    sent = emulator.requests[-1].json["messages"]
    blocks = [b for m in sent if isinstance(m["content"], list) for b in m["content"]]
    return [b[key] for b in blocks if b["type"] == kind]
