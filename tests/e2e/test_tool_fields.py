"""Every per-tool field a caller gives reaches the request body, from every tool source, or is
refused before any request (docs/wire.md "Tools"): Anthropic-format dicts, LangChain ``BaseTool``
``extras``, ``bind_tools(strict=True)``, LlamaIndex tools' metadata, and the core's ``ToolSpec``.
The emulator holds each model's schema too, so these bodies were accepted. The property over
the whole catalogue is tests/core/test_tool_field_property.py."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.tools import tool
from langchain_support import make

from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart, ToolSpec
from aimlapi_core.errors import InvalidRequestError
from aimlapi_emulator import Emulator

MODEL = "anthropic/claude-sonnet-5"  # every per-tool field, on both endpoints
VALUES: dict[str, Any] = {
    "strict": True,
    "eager_input_streaming": True,
    "defer_loading": False,
    "input_examples": [{"city": "Oslo"}],
    "allowed_callers": ["direct"],
    "cache_control": {"type": "ephemeral"},
}
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


@tool(extras={"cache_control": {"type": "ephemeral"}, "strict": True, "defer_loading": False})
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def sent_tools(emu: Emulator) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in emu.last_request.json["tools"]}


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_an_anthropic_dict_keeps_every_field(fresh_emulator: Emulator, api: str) -> None:
    spec = {"name": "get_weather", "description": "d", "input_schema": SCHEMA, **VALUES}
    make(fresh_emulator, api, model=MODEL).bind_tools([spec]).invoke("get_weather for Oslo")
    sent = sent_tools(fresh_emulator)["get_weather"]
    assert {k: sent[k] for k in VALUES} == VALUES


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_a_base_tools_extras_travel(fresh_emulator: Emulator, api: str) -> None:
    make(fresh_emulator, api, model=MODEL).bind_tools([get_weather]).invoke("get_weather: Oslo")
    sent = sent_tools(fresh_emulator)["get_weather"]
    assert sent["cache_control"] == {"type": "ephemeral"}
    assert sent["strict"] is True
    assert sent["defer_loading"] is False


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_bind_tools_strict_is_sent(fresh_emulator: Emulator, api: str) -> None:
    def lookup_city(city: str) -> str:
        """Look a city up."""
        return city

    llm = make(fresh_emulator, api, model=MODEL)
    llm.bind_tools([lookup_city], strict=True).invoke("lookup_city Oslo")
    sent = sent_tools(fresh_emulator)["lookup_city"]
    assert sent["strict"] is True
    assert sent["input_schema"]["additionalProperties"] is False


def test_a_field_the_models_schema_lacks_is_refused_naming_model_field_and_fix(
    fresh_emulator: Emulator,
) -> None:
    llm = make(fresh_emulator, "chat_completions", model="claude-sonnet-4-5")
    with pytest.raises(InvalidRequestError) as info:
        llm.bind_tools([get_weather]).invoke("get_weather: Oslo")
    message = str(info.value)
    assert "claude-sonnet-4-5" in message
    assert "on tool 'get_weather'" in message
    assert "api='messages'" in message  # the fix: its /messages schema lists the field
    assert fresh_emulator.requests == []


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_llama_index_tool_metadata_fields_travel(fresh_emulator: Emulator, api: str) -> None:
    from dataclasses import dataclass

    from llama_index.core.tools import FunctionTool, ToolMetadata

    from llama_index_aimlapi import AIMLAPI

    @dataclass
    class CachedToolMetadata(ToolMetadata):
        cache_control: dict[str, Any] | None = None
        strict: bool | None = None
        input_examples: list[dict[str, Any]] | None = None

    def weather(city: str) -> str:
        """Weather for a city."""
        return city

    plain = FunctionTool.from_defaults(weather)
    metadata = CachedToolMetadata(
        name="weather",
        description="Weather for a city.",
        fn_schema=plain.metadata.fn_schema,
        cache_control={"type": "ephemeral"},
        strict=True,
        input_examples=[{"city": "Oslo"}],
    )
    tool_ = FunctionTool(fn=weather, metadata=metadata)
    llm = AIMLAPI(
        model=MODEL, api=api, api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url
    )
    try:
        llm.chat_with_tools([tool_], user_msg="weather in Oslo")
    finally:
        llm.close()
    sent = sent_tools(fresh_emulator)["weather"]
    assert sent["cache_control"] == {"type": "ephemeral"}
    assert sent["strict"] is True
    assert sent["input_examples"] == [{"city": "Oslo"}]


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_core_tool_spec_and_thinking_disabled(fresh_emulator: Emulator, api: str) -> None:
    spec = ToolSpec(name="get_weather", input_schema=SCHEMA, eager_input_streaming=True)
    request = ChatRequest(
        model=MODEL,
        max_tokens=64,
        messages=[Message(role="user", parts=[TextPart(text="get_weather for Oslo")])],
        tools=[spec],
        thinking_disabled=True,
    )
    with AIMLAPIClient(
        api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url, api=api
    ) as client:
        client.create(request)
    body = fresh_emulator.last_request.json
    assert body["tools"][0]["eager_input_streaming"] is True
    assert body["thinking"] == {"type": "disabled"}
