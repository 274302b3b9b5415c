"""AIMLAPI behaviour that needs no server: fields, secrets, tool preparation, streamed chunks."""

from __future__ import annotations

import json
import logging
import pickle

import pytest
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, TextBlock, ToolCallBlock
from llama_index.core.tools import FunctionTool

from aimlapi_core._types import (
    ChatResult,
    Finish,
    MessageStart,
    SignatureDelta,
    TextDelta,
    ThinkingDelta,
    ThinkingPart,
    ToolCallDelta,
    ToolCallPart,
    ToolChoice,
    ToolSpec,
    Usage,
    UsageDelta,
)
from aimlapi_core.errors import InvalidRequestError
from llama_index_aimlapi import AIMLAPI
from llama_index_aimlapi._responses import StreamResponses, chat_response, completion_response
from llama_index_aimlapi._tools import TOOL_REQUIRED_HINT

SECRET = "sk-live-do-not-leak-123456"


def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


WEATHER = FunctionTool.from_defaults(fn=get_weather)
ADD = FunctionTool.from_defaults(fn=add)


# --------------------------------------------------------------------------- fields and secrets


def test_class_name_is_stable() -> None:
    assert AIMLAPI.class_name() == "AIMLAPI_LLM"


def test_key_never_in_repr_dict_json_or_pickle(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    llm = AIMLAPI(
        api_key=SECRET,
        default_headers={"Authorization": f"Bearer {SECRET}", "X-Trace": "t1"},
    )
    dumped = [repr(llm), str(llm), json.dumps(llm.to_dict()), llm.to_json(), llm.model_dump_json()]
    for text in dumped:
        assert SECRET not in text
    assert llm.to_dict()["default_headers"] == {"Authorization": "***", "X-Trace": "t1"}
    assert SECRET not in caplog.text
    # It is still usable: the key is held privately for the client.
    assert llm._client_options()["api_key"] == SECRET
    assert SECRET.encode() not in pickle.dumps(llm.to_dict())


def test_round_trips_through_to_dict_without_the_key() -> None:
    llm = AIMLAPI(api_key=SECRET, model="claude-3-5-haiku", api="messages", thinking=2048)
    again = AIMLAPI.from_dict(llm.to_dict())
    assert (again.model, again.api, again.thinking) == ("claude-3-5-haiku", "messages", 2048)
    assert again._client_options()["api_key"] is None  # comes from AIMLAPI_API_KEY instead


@pytest.mark.parametrize(
    ("thinking", "budget"),
    [
        (None, None),
        (2048, 2048),
        ({"type": "enabled", "budget_tokens": 1500}, 1500),
        ({"type": "disabled"}, None),
    ],
)
def test_thinking_forms(thinking, budget) -> None:
    llm = AIMLAPI(thinking=thinking)
    request = llm._request([ChatMessage(role="user", content="hi")], {})
    assert request.thinking_budget == budget


def test_bad_thinking_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="budget_tokens"):
        AIMLAPI(thinking={"budget": 10})


def test_unknown_call_kwargs_are_refused_not_dropped() -> None:
    llm = AIMLAPI()
    with pytest.raises(TypeError, match=r"'stop'.*extra_body"):
        llm._request([ChatMessage(role="user", content="hi")], {"stop": ["x"]})


def test_call_kwargs_override_fields_and_additional_kwargs_merge() -> None:
    llm = AIMLAPI(temperature=0.2, additional_kwargs={"metadata_x": 1}, stop_sequences=["END"])
    request = llm._request(
        [ChatMessage(role="user", content="hi")],
        {"temperature": 0.7, "max_tokens": 50, "extra_body": {"y": 2}},
    )
    assert (request.temperature, request.max_tokens) == (0.7, 50)
    assert request.stop_sequences == ["END"]
    assert request.extra_body == {"metadata_x": 1, "y": 2}


# --------------------------------------------------------------------------- tools


def test_prepare_with_tools_defaults_and_does_not_mutate_history() -> None:
    llm = AIMLAPI()
    history = [ChatMessage(role="user", content="earlier")]
    kwargs = llm._prepare_chat_with_tools([WEATHER, ADD], user_msg="weather?", chat_history=history)
    assert len(history) == 1
    assert [m.content for m in kwargs["messages"]] == ["earlier", "weather?"]
    assert [t.name for t in kwargs["tools"]] == ["get_weather", "add"]
    assert kwargs["tools"][0].input_schema["properties"] == {
        "city": {"title": "City", "type": "string"}
    }
    assert kwargs["tool_choice"] == ToolChoice(type="auto", disable_parallel_tool_use=True)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"tool_required": True}, ToolChoice(type="any", disable_parallel_tool_use=True)),
        ({"tool_choice": "required"}, ToolChoice(type="any", disable_parallel_tool_use=True)),
        (
            {"tool_choice": "add"},
            ToolChoice(type="tool", name="add", disable_parallel_tool_use=True),
        ),
        (
            {"tool_choice": {"type": "function", "function": {"name": "add"}}},
            ToolChoice(type="tool", name="add", disable_parallel_tool_use=True),
        ),
        ({"tool_choice": {"type": "none"}}, ToolChoice(type="none")),
        ({"allow_parallel_tool_calls": True}, ToolChoice(type="auto")),
    ],
)
def test_tool_choice_spellings(kwargs, expected) -> None:
    prepared = AIMLAPI()._prepare_chat_with_tools([WEATHER, ADD], user_msg="x", **kwargs)
    assert prepared["tool_choice"] == expected


def test_no_tools_means_no_tool_fields() -> None:
    prepared = AIMLAPI()._prepare_chat_with_tools([], user_msg="x")
    assert "tools" not in prepared
    assert "tool_choice" not in prepared
    request = AIMLAPI()._request(prepared.pop("messages"), prepared)
    assert request.tools == []
    assert request.tool_choice is None


def test_choice_naming_an_unknown_tool_is_refused() -> None:
    with pytest.raises(
        InvalidRequestError,
        match=r"'nope', which is not among the tools offered \(get_weather, add\)",
    ):
        AIMLAPI()._prepare_chat_with_tools([WEATHER, ADD], user_msg="x", tool_choice="nope")


def test_tool_required_with_thinking_is_not_forced_but_instructed() -> None:
    """Regression: a forced tool choice with thinking on is a 400 from the API."""
    llm = AIMLAPI(thinking=1024)
    prepared = llm._prepare_chat_with_tools([WEATHER], user_msg="x", tool_required=True)
    assert prepared["tool_choice"] == ToolChoice(type="auto", disable_parallel_tool_use=True)
    assert prepared["messages"][-1].role.value == "system"
    assert prepared["messages"][-1].content == TOOL_REQUIRED_HINT


def test_explicit_forced_choice_with_thinking_is_offered_and_asked_for() -> None:
    """The API refuses a forced choice while thinking is on: 'auto' plus the core's instruction
    (as ChatAIMLAPI.bind_tools); a reply without a call is refused by
    get_tool_calls_from_response."""
    kwargs = AIMLAPI(thinking=1024)._prepare_chat_with_tools(
        [WEATHER], user_msg="x", tool_choice="any"
    )
    assert kwargs["tool_choice"].type == "auto"
    hint = kwargs["messages"][-1]
    assert hint.role == "system"
    assert hint.content.startswith("Answer by calling the tool")
    # Per call, outside the tools path, it is still refused before sending.
    with pytest.raises(InvalidRequestError, match="thinking is on"):
        AIMLAPI(thinking=1024)._request(
            [ChatMessage(role="user", content="x")], {"tools": [WEATHER], "tool_choice": "any"}
        )


def test_tools_may_be_neutral_specs_and_duplicates_are_refused() -> None:
    spec = ToolSpec(name="lookup", description="d")
    request = AIMLAPI()._request([ChatMessage(role="user", content="x")], {"tools": [spec]})
    assert request.tools == [spec]
    with pytest.raises(InvalidRequestError, match="repeated: lookup"):
        AIMLAPI()._request([ChatMessage(role="user", content="x")], {"tools": [spec, spec]})


def test_get_tool_calls_tolerates_partial_json_and_errors_only_when_asked() -> None:
    llm = AIMLAPI()
    partial = ChatResponse(
        message=ChatMessage(
            role="assistant",
            blocks=[
                ToolCallBlock(tool_call_id="a", tool_name="add", tool_kwargs='{"a": 1, "b'),
                ToolCallBlock(tool_call_id="b", tool_name="add", tool_kwargs=""),
            ],
        )
    )
    calls = llm.get_tool_calls_from_response(partial)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("a", "add", {"a": 1}),
        ("b", "add", {}),
    ]
    text_only = ChatResponse(message=ChatMessage(role="assistant", content="no tools"))
    assert llm.get_tool_calls_from_response(text_only, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="no tools"):
        llm.get_tool_calls_from_response(text_only)


# --------------------------------------------------------------------------- streamed chunks


def test_stream_state_keeps_parallel_tool_calls_apart_and_reports_thinking() -> None:
    """Regression: parallel tool calls streamed under distinct indexes must stay distinct."""
    events = [
        MessageStart(id="m1", model="claude"),
        ThinkingDelta(0, "Two cities"),
        SignatureDelta(0, "sig"),
        TextDelta(1, "Checking"),
        ToolCallDelta(2, "c1", "get_weather", '{"ci'),
        ToolCallDelta(3, "c2", "get_weather", ""),
        ToolCallDelta(2, None, None, 'ty": "Paris"}'),
        ToolCallDelta(3, None, None, '{"city": "Rome"}'),
        UsageDelta(input_tokens=10, output_tokens=5),
        Finish(stop_reason="tool_use", raw_stop_reason="tool_use"),
    ]
    state = StreamResponses()
    chunks = [c for c in (state.on_event(e) for e in events) if c is not None]
    assert [c.additional_kwargs.get("thinking_delta") for c in chunks] == [
        "Two cities",
        None,
        None,
        None,
        None,
        None,
    ]
    assert [c.delta for c in chunks] == ["", "Checking", "", "", "", ""]
    llm = AIMLAPI()
    # Mid-stream, the first call's arguments are cut; both calls are already visible.
    mid = llm.get_tool_calls_from_response(chunks[3])
    assert [(c.tool_id, c.tool_kwargs) for c in mid] == [("c1", {}), ("c2", {})]
    last = llm.get_tool_calls_from_response(chunks[-1])
    assert [(c.tool_id, c.tool_kwargs) for c in last] == [
        ("c1", {"city": "Paris"}),
        ("c2", {"city": "Rome"}),
    ]
    thinking = chunks[-1].message.blocks[0]
    assert (thinking.content, thinking.additional_information) == (
        "Two cities",
        {"signature": "sig"},
    )
    # Earlier chunks are snapshots, not views of later state.
    assert chunks[1].message.blocks[1] == TextBlock(text="Checking")
    assert len(chunks[1].message.blocks) == 2


def test_final_response_carries_usage_where_token_counting_reads_it() -> None:
    from llama_index.core.callbacks.token_counting import get_tokens_from_response

    result = ChatResult(
        parts=[
            ThinkingPart(thinking="t", signature="s"),
            ToolCallPart(id="1", name="f", arguments={}),
        ],
        stop_reason="tool_use",
        usage=Usage(input_tokens=31, output_tokens=7, cache_read_tokens=3),
    )
    response = chat_response(result, delta="")
    assert get_tokens_from_response(response) == (31, 7)
    assert response.raw["usage"] == {
        "input_tokens": 31,
        "output_tokens": 7,
        "total_tokens": 38,
        "cache_read_tokens": 3,
    }
    assert response.additional_kwargs["stop_reason"] == "tool_use"


def test_streamed_responses_build_the_answer_so_far_only_when_read() -> None:
    """Per event the adapter does constant work: a snapshot of the core accumulator's parts.
    The text so far is joined only when a response's message (or a completion's text) is read,
    and each response keeps its own moment of the answer."""
    state = StreamResponses()
    chunks = [state.on_event(TextDelta(0, piece)) for piece in ["a", "b", "c"]]
    assert all(c is not None and "message" not in c.__dict__ for c in chunks)  # nothing built
    assert [c.message.content for c in chunks if c is not None] == ["a", "ab", "abc"]
    partial = completion_response(chunks[1])  # type: ignore[arg-type]
    assert "text" not in partial.__dict__
    assert (partial.text, partial.delta) == ("ab", "b")
    fresh = StreamResponses().on_event(TextDelta(0, "x"))
    assert fresh is not None
    assert fresh.model_dump()["message"]["blocks"][0]["text"] == "x"  # dump builds it first
    assert fresh.message == ChatMessage(role="assistant", content="x")


def test_tokenizer_hook_estimates_without_a_download() -> None:
    from llama_index.core.callbacks import TokenCountingHandler

    from aimlapi_core.tokens import estimate_text_tokens

    tokenizer = AIMLAPI().tokenizer
    assert len(tokenizer.encode("x" * 35)) == 10
    assert len(tokenizer("Hello, world!")) == estimate_text_tokens("Hello, world!") == 4
    counter = TokenCountingHandler(tokenizer=tokenizer)
    assert counter._token_counter.get_string_tokens("x" * 70) == 20
