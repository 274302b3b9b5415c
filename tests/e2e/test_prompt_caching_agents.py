"""Prompt caching in agent loops, against the emulator: ``prompt_caching="auto"`` on both models
and LangChain's ``AIMLAPIPromptCachingMiddleware`` put the breakpoints where docs/caching.md
says (the last tool, the system prompt, the conversation tail; never more than four), on both
dialects, and each turn reads from the cache what the turn before wrote."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from caching_support import (
    INSTRUCTIONS,
    MODEL,
    assert_each_turn_reads_the_last,
    assert_marked_as_documented,
    hints,
)
from langchain.agents import create_agent
from langchain.agents.middleware import ModelFallbackMiddleware
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langchain_support import make

from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError
from aimlapi_emulator import Emulator
from langchain_aimlapi.middleware import AIMLAPIPromptCachingMiddleware

APIS = ["messages", "chat_completions"]
ASK = "Use get_weather for 'Paris', then get_weather for 'Rome'."


@tool
def get_weather(city: str) -> str:
    """Current weather for a city, with a detailed report."""
    return f"Sunny in {city}. " + "Light wind from the west, no rain expected. " * 40


def cache_figures(messages: list[Any]) -> list[tuple[int, int]]:
    """(read, written) per model call of an agent run, from LangChain's usage metadata."""
    out = []
    for message in messages:
        if isinstance(message, AIMessage) and message.usage_metadata:
            details = message.usage_metadata.get("input_token_details", {})
            out.append((details.get("cache_read", 0), details.get("cache_creation", 0)))
    return out


@pytest.mark.parametrize("api", APIS)
def test_langchain_option_caches_an_agent_loop(fresh_emulator: Emulator, api: str) -> None:
    llm = make(fresh_emulator, api, model=MODEL[api], prompt_caching="auto")
    agent = create_agent(llm, [get_weather], system_prompt=INSTRUCTIONS)
    result = agent.invoke({"messages": [("user", ASK)]})
    assert_marked_as_documented(fresh_emulator)
    assert_each_turn_reads_the_last(cache_figures(result["messages"]))


@pytest.mark.parametrize("api", APIS)
def test_langchain_middleware_caches_an_agent_loop(fresh_emulator: Emulator, api: str) -> None:
    agent = create_agent(
        make(fresh_emulator, api, model=MODEL[api]),
        [get_weather],
        system_prompt=INSTRUCTIONS,
        middleware=[AIMLAPIPromptCachingMiddleware(ttl="1h")],
    )
    result = agent.invoke({"messages": [("user", ASK)]})
    assert_marked_as_documented(fresh_emulator)
    body = fresh_emulator.requests[0].json
    assert body["system"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert_each_turn_reads_the_last(cache_figures(result["messages"]))


async def test_langchain_middleware_async(fresh_emulator: Emulator) -> None:
    agent = create_agent(
        make(fresh_emulator, "messages"),
        [get_weather],
        system_prompt=INSTRUCTIONS,
        middleware=[AIMLAPIPromptCachingMiddleware()],
    )
    result = await agent.ainvoke({"messages": [("user", ASK)]})
    assert_marked_as_documented(fresh_emulator)
    assert_each_turn_reads_the_last(cache_figures(result["messages"]))


def test_middleware_waits_for_min_messages_to_cache(fresh_emulator: Emulator) -> None:
    agent = create_agent(
        make(fresh_emulator, "messages"),
        [get_weather],
        system_prompt=INSTRUCTIONS,
        middleware=[AIMLAPIPromptCachingMiddleware(min_messages_to_cache=4)],
    )
    agent.invoke({"messages": [("user", ASK)]})
    # system + question = 2; + the call and its two results = 5
    marked = [bool(hints(r.json)) for r in fresh_emulator.requests]
    assert marked == [False, True]


@pytest.mark.parametrize("behavior", ["ignore", "warn", "raise"])
def test_middleware_on_a_model_it_cannot_mark(behavior: str) -> None:
    fake = GenericFakeChatModel(messages=iter([AIMessage("hi")]))
    middleware = AIMLAPIPromptCachingMiddleware(unsupported_model_behavior=behavior)  # type: ignore[arg-type]
    agent = create_agent(fake, [], middleware=[middleware])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if behavior == "raise":
            with pytest.raises(InvalidRequestError, match="ChatAIMLAPI models only"):
                agent.invoke({"messages": [("user", "hi")]})
        else:
            agent.invoke({"messages": [("user", "hi")]})
    ours = [w for w in caught if "AIMLAPIPromptCachingMiddleware" in str(w.message)]
    assert len(ours) == (1 if behavior == "warn" else 0)


@pytest.mark.parametrize("behavior", ["ignore", "warn", "raise"])
@pytest.mark.parametrize("how", ["option", "middleware"])
def test_a_model_that_cannot_cache_on_its_endpoint(
    fresh_emulator: Emulator, behavior: str, how: str
) -> None:
    # The default model on the default endpoint: its 4.x chat schema takes no cache_control.
    if how == "option":
        setting = {"type": "auto", "unsupported_model_behavior": behavior}
        llm = make(fresh_emulator, "chat_completions", prompt_caching=setting)
        middleware = []
    else:
        llm = make(fresh_emulator, "chat_completions")
        middleware = [AIMLAPIPromptCachingMiddleware(unsupported_model_behavior=behavior)]  # type: ignore[arg-type]
    agent = create_agent(llm, [get_weather], system_prompt=INSTRUCTIONS, middleware=middleware)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        if behavior == "raise":
            with pytest.raises(UnsupportedContentError, match="api='messages'"):
                agent.invoke({"messages": [("user", ASK)]})
        else:
            agent.invoke({"messages": [("user", ASK)]})
    ours = [w for w in caught if "prompt_caching" in str(w.message)]
    if behavior == "raise":
        assert fresh_emulator.requests == []  # refused before any request
        return
    assert len(fresh_emulator.requests) == 2
    assert all(hints(r.json) == [] for r in fresh_emulator.requests)
    assert len(ours) == (1 if behavior == "warn" else 0)  # once, not once per turn


@pytest.mark.parametrize("caching_first", [True, False])
def test_model_fallback_to_chataimlapi_keeps_the_markers(
    fresh_emulator: Emulator, caching_first: bool
) -> None:
    # The primary names a model the API does not serve (a 400); the fallback answers. Caching
    # outside the fallback marks the call once; inside it, it marks each model tried.
    primary = make(fresh_emulator, "messages", model="claude-sonnet-9", max_retries=0)
    fallback = make(fresh_emulator, "messages")
    middleware = [AIMLAPIPromptCachingMiddleware(), ModelFallbackMiddleware(fallback)]
    agent = create_agent(
        primary,
        [get_weather],
        system_prompt=INSTRUCTIONS,
        middleware=middleware if caching_first else middleware[::-1],
    )
    result = agent.invoke({"messages": [("user", ASK)]})
    answered = [r for r in fresh_emulator.requests if r.json["model"] == fallback.model]
    assert len(answered) == 2
    for request in answered:
        assert ".system[0]" in hints(request.json)
        assert len(hints(request.json)) <= 4
    assert_each_turn_reads_the_last(cache_figures(result["messages"]))


def test_langchain_anthropic_format_tool_cache_control_reaches_the_body(
    fresh_emulator: Emulator,
) -> None:
    spec = {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}},
        "cache_control": {"type": "ephemeral", "ttl": "1h"},
    }
    llm = make(fresh_emulator, "messages", prompt_caching="auto")
    llm.bind_tools([spec]).invoke("Use get_weather for 'Oslo'.")
    tools = fresh_emulator.requests[0].json["tools"]
    assert tools == [{**spec}]


@tool(extras={"cache_control": {"type": "ephemeral", "ttl": "1h"}})
def get_forecast(city: str) -> str:
    """Tomorrow's weather for a city."""
    return f"Rain in {city}."


@pytest.mark.parametrize("api", APIS)
def test_a_base_tools_extras_cache_control_counts_among_the_four(
    fresh_emulator: Emulator, api: str
) -> None:
    # The tool's own 1-hour hint reaches the body, is not marked again, and the policy's
    # 5-minute breakpoints go after it (the API's TTL order).
    llm = make(fresh_emulator, api, model=MODEL[api], prompt_caching="auto")
    agent = create_agent(llm, [get_weather, get_forecast], system_prompt=INSTRUCTIONS)
    agent.invoke({"messages": [("user", ASK)]})
    for request in fresh_emulator.requests:
        tools = request.json["tools"]
        assert tools[1]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
        assert "cache_control" not in tools[0]
        assert len(hints(request.json)) == 3  # the tool's, the system prompt's, the tail's
