"""bind_tools and with_structured_output: what gets bound, and what is refused before any I/O."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from pydantic import v1 as pydantic_v1
from typing_extensions import TypedDict

from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError
from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI

WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string", "description": "City name"}},
    "required": ["city"],
}


class WeatherV2(BaseModel):
    """Get the weather."""

    city: str = Field(description="City name")


class WeatherV1(pydantic_v1.BaseModel):
    """Get the weather."""

    city: str = pydantic_v1.Field(description="City name")


class WeatherTD(TypedDict):
    """Get the weather."""

    city: str


def weather_fn(city: str) -> str:
    """Get the weather.

    Args:
        city: City name
    """
    return "sunny"


@tool
def weather_tool(city: str) -> str:
    """Get the weather."""
    return "sunny"


def bound(llm_or_runnable: Any) -> dict[str, Any]:
    return llm_or_runnable.kwargs


@pytest.mark.parametrize(
    "given",
    [
        WeatherV2,
        WeatherV1,
        WeatherTD,
        weather_fn,
        weather_tool,
        {"name": "w", "description": "Get the weather.", "input_schema": WEATHER_SCHEMA},
        {
            "type": "function",
            "function": {
                "name": "w",
                "description": "Get the weather.",
                "parameters": WEATHER_SCHEMA,
            },
        },
    ],
    ids=["pydantic2", "pydantic1", "typeddict", "function", "basetool", "anthropic", "openai"],
)
def test_every_tool_form_binds_to_the_claude_tool_format(given: Any) -> None:
    (spec,) = bound(ChatAIMLAPI().bind_tools([given]))["tools"]
    assert set(spec) == {"name", "description", "input_schema"}
    assert spec["description"].startswith("Get the weather.")
    assert spec["input_schema"]["type"] == "object"
    assert spec["input_schema"]["properties"]["city"]["type"] == "string"
    assert spec["input_schema"]["required"] == ["city"]


def test_defs_are_inlined() -> None:
    class Place(BaseModel):
        city: str

    class Trip(BaseModel):
        """Plan a trip."""

        start: Place
        stops: list[Place]

    (spec,) = bound(ChatAIMLAPI().bind_tools([Trip]))["tools"]
    assert "$defs" not in str(spec)
    assert "$ref" not in str(spec)
    assert spec["input_schema"]["properties"]["stops"]["items"]["properties"]["city"]


def test_anthropic_cache_control_is_kept() -> None:
    (spec,) = bound(
        ChatAIMLAPI().bind_tools(
            [{"name": "w", "input_schema": WEATHER_SCHEMA, "cache_control": {"type": "ephemeral"}}]
        )
    )["tools"]
    assert spec["cache_control"] == {"type": "ephemeral"}


def test_unsendable_schema_is_reported_by_tool_name() -> None:
    union = {"name": "pick", "input_schema": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}
    with pytest.raises(UnsupportedContentError, match=r"'pick'.*anyOf"):
        ChatAIMLAPI().bind_tools([union])
    with pytest.raises(UnsupportedContentError, match="'bad name'"):
        ChatAIMLAPI().bind_tools([{"name": "bad name", "input_schema": WEATHER_SCHEMA}])


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        (None, None),
        ("auto", {"type": "auto"}),
        ("any", {"type": "any"}),
        ("required", {"type": "any"}),
        (True, {"type": "any"}),
        ("none", {"type": "none"}),
        ("WeatherV2", {"type": "tool", "name": "WeatherV2"}),
        ({"type": "tool", "name": "WeatherV2"}, {"type": "tool", "name": "WeatherV2"}),
        (
            {"type": "function", "function": {"name": "WeatherV2"}},
            {"type": "tool", "name": "WeatherV2"},
        ),
    ],
)
def test_tool_choice_values(tool_choice: Any, expected: Any) -> None:
    # Regression: the anchors sent "none" / "required" as the *name* of a tool to force.
    kwargs = bound(ChatAIMLAPI().bind_tools([WeatherV2], tool_choice=tool_choice))
    assert kwargs.get("tool_choice") == expected


def test_parallel_tool_calls_false_disables_parallel_use() -> None:
    kwargs = bound(ChatAIMLAPI().bind_tools([WeatherV2], parallel_tool_calls=False))
    assert kwargs["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    kwargs = bound(
        ChatAIMLAPI().bind_tools([WeatherV2], tool_choice="any", parallel_tool_calls=False)
    )
    assert kwargs["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}


def test_unknown_tool_choice_name_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match=r"'nope', which is not among the tools offered"):
        ChatAIMLAPI().bind_tools([WeatherV2], tool_choice="nope")


@pytest.mark.parametrize("tool_choice", ["any", "required", True, "WeatherV2"])
def test_a_forced_tool_choice_with_thinking_is_offered_asked_for_and_required(
    tool_choice: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The API refuses a forced choice while thinking is on (create_agent's ToolStrategy binds
    'any'): it is resolved as with_structured_output resolves it, and the log says so once."""
    llm = ChatAIMLAPI(thinking=2048, api_key="k", base_url="http://127.0.0.1:9/v1")
    kwargs = bound(llm.bind_tools([WeatherV2], tool_choice=tool_choice))
    assert kwargs["tool_choice"] == {"type": "auto"}
    assert "`WeatherV2`" in kwargs["structured_output_instruction"]
    assert kwargs["tool_call_required"] == ["WeatherV2"]
    with caplog.at_level("WARNING", logger="aimlapi_core"):
        llm.bind_tools([WeatherV2], tool_choice=tool_choice)
        llm.bind_tools([WeatherV2], tool_choice=tool_choice)
    said = [r.getMessage() for r in caplog.records if "refuses while thinking" in r.getMessage()]
    assert len(said) <= 1  # once per process and kind of choice (the first bind said it)


def test_a_reply_without_the_required_tool_call_raises(fresh_emulator: Emulator) -> None:
    from langchain_core.exceptions import OutputParserException

    from aimlapi_emulator import Reply

    llm = ChatAIMLAPI(
        thinking=2048,
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
    ).bind_tools([WeatherV2], tool_choice="any")
    fresh_emulator.set_replies([Reply(text="It is sunny."), Reply(text="It is sunny.")])
    with pytest.raises(OutputParserException, match="did not call any of the tools WeatherV2"):
        llm.invoke("Weather in Oslo?")
    with pytest.raises(OutputParserException, match="WeatherV2"):
        list(llm.stream("Weather in Oslo?"))
    body = fresh_emulator.last_request.json
    assert body["tool_choice"] == {"type": "auto"}
    assert "Answer by calling the tool `WeatherV2`" in body["system"]


def test_unforced_tool_choice_with_thinking_is_fine() -> None:
    llm = ChatAIMLAPI(thinking={"type": "enabled", "budget_tokens": 2048})
    assert bound(llm.bind_tools([WeatherV2], tool_choice="auto"))["tool_choice"] == {"type": "auto"}


def test_strict_is_sent_as_the_tools_flag() -> None:
    (spec,) = bound(ChatAIMLAPI().bind_tools([WeatherV2], strict=True))["tools"]
    assert spec["name"] == "WeatherV2"
    assert spec["strict"] is True
    assert spec["input_schema"]["additionalProperties"] is False  # LangChain's tightening too


@pytest.mark.parametrize("thinking", [{"type": "enable"}, {"budget_tokens": 10}, "lots", True])
def test_bad_thinking_settings_are_refused(thinking: Any) -> None:
    with pytest.raises(ValueError, match="thinking must be"):
        ChatAIMLAPI(thinking=thinking)


def test_with_structured_output_binds_a_forced_tool() -> None:
    chain = ChatAIMLAPI().with_structured_output(WeatherV2)
    kwargs = chain.first.kwargs  # type: ignore[attr-defined]
    assert kwargs["tool_choice"] == {"type": "tool", "name": "WeatherV2"}
    assert kwargs["ls_structured_output_format"]["schema"] is WeatherV2


def test_with_structured_output_and_thinking_offers_the_tool_with_an_instruction() -> None:
    chain = ChatAIMLAPI(thinking=2048).with_structured_output(WeatherV2)
    kwargs = chain.first.kwargs  # type: ignore[attr-defined]
    assert kwargs["tool_choice"] == {"type": "auto"}
    assert "WeatherV2" in kwargs["structured_output_instruction"]


def test_response_format_is_answered_through_a_tool_and_never_sent(
    fresh_emulator: Emulator,
) -> None:
    """langchain's create_agent binds an OpenAI-style response_format (ProviderStrategy); the
    Claude endpoints take none and no schema lists output_format, so the schema is a tool whose
    input comes back as the answer's JSON text (docs/wire.md "Structured output")."""
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    llm = ChatAIMLAPI(api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url)
    for fmt, name in [
        ({"type": "json_schema", "json_schema": {"name": "R", "schema": schema}}, "R"),
        ({"type": "json_object"}, "json_response"),
    ]:
        reply = llm.bind(response_format=fmt).invoke("Weather for Oslo?")
        sent = fresh_emulator.last_request.json
        assert "response_format" not in sent
        assert [tool["name"] for tool in sent["tools"]] == [name]
        assert sent["tool_choice"] == {"type": "tool", "name": name}  # alone, thinking off
        assert isinstance(json.loads(reply.text), dict)
        assert reply.tool_calls == []
        streamed = list(llm.bind(response_format=fmt).stream("Weather for Oslo?"))
        text = "".join(c.text for c in streamed)
        assert json.loads(text) == json.loads(reply.text)
    with pytest.raises(InvalidRequestError, match=r"response_format .* is not understood"):
        llm.bind(response_format={"type": "xml"}).invoke("hi")
    assert len(fresh_emulator.requests) == 4  # the bad one was refused before any request


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        # Claude often says something before a tool call: the call's input alone is the answer.
        (
            {"text": "I'll fill in the report.", "tool_calls": [{"name": "WeatherV2",
             "input": {"city": "Oslo"}}]},
            '{"city": "Oslo"}',
        ),
        # A reply in text (the tool was offered, not forced: thinking is on) stays whole.
        ({"text": '{"city": "Oslo"}'}, '{"city": "Oslo"}'),
    ],
    ids=["words-then-call", "text-only"],
)  # fmt: skip
def test_a_response_formats_answer_is_the_tools_input_alone(
    fresh_emulator: Emulator, streamed: bool, reply: dict[str, Any], answer: str
) -> None:
    from aimlapi_emulator import Reply

    fresh_emulator.set_replies([Reply(**reply)])
    llm = ChatAIMLAPI(
        api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url, thinking=2048
    ).bind(response_format=WeatherV2)
    if streamed:
        text = "".join(chunk.text for chunk in llm.stream("Weather for Oslo?"))
    else:
        text = llm.invoke("Weather for Oslo?").text
    assert json.loads(text) == json.loads(answer)
