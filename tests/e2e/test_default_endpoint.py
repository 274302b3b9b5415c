"""A user who never sets ``api=`` gets the full-fidelity endpoint for the model: /messages for
every id a /v1/messages schema lists (signed thinking replayed across tool turns, caching,
documents), /chat/completions for the ids documented there only (docs/wire.md "Default
endpoint")."""

from __future__ import annotations

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


@pytest.mark.parametrize("streamed", [False, True])
def test_an_agent_with_thinking_replays_signed_thinking_on_the_default_endpoint(
    fresh_emulator: Emulator, streamed: bool
) -> None:
    llm = ChatAIMLAPI(
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
        thinking=1024,
        max_tokens=4096,
    )  # no api=: the default model, claude-sonnet-4-20250514, is listed on /v1/messages
    agent = create_agent(llm, tools=[get_weather, get_time], checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "default"}}
    for text in ["get_weather for 'Paris'", "get_time for 'Paris'"]:
        payload = {"messages": [HumanMessage(text)]}
        if streamed:
            list(agent.stream(payload, config, stream_mode="messages"))
        else:
            agent.invoke(payload, config)
    requests = fresh_emulator.requests
    assert [r.path for r in requests] == ["/v1/messages"] * 4
    for earlier, request in enumerate(requests):
        assistants = [m for m in request.json["messages"] if m["role"] == "assistant"]
        # Every earlier assistant turn comes back, each opening with its signed thinking.
        assert len(assistants) == earlier
        for turn in assistants:
            first = turn["content"][0]
            assert first["type"] == "thinking"
            assert first["signature"]


def test_an_id_documented_on_chat_completions_only_goes_there(fresh_emulator: Emulator) -> None:
    for model, path in [
        ("claude-sonnet-4-20250514", "/v1/messages"),
        ("anthropic/claude-sonnet-latest", "/v1/chat/completions"),  # no /v1/messages schema
        ("anthropic/claude-3-haiku", "/v1/messages"),  # claude-3-haiku-MESSAGES.json lists it
    ]:
        ChatAIMLAPI(
            api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url, model=model
        ).invoke("Hi")
        assert fresh_emulator.last_request.path == path, model


def test_llama_index_takes_the_same_default(fresh_emulator: Emulator) -> None:
    llm = AIMLAPI(api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url)
    try:
        llm.complete("Hi")
        llm.complete("Hi", model="anthropic/claude-sonnet-latest")
    finally:
        llm.close()
    assert [r.path for r in fresh_emulator.requests] == ["/v1/messages", "/v1/chat/completions"]


def test_an_explicit_api_still_wins(fresh_emulator: Emulator) -> None:
    llm = ChatAIMLAPI(
        api_key=fresh_emulator.api_key, base_url=fresh_emulator.base_url, api="chat_completions"
    )
    llm.invoke("Hi")
    assert fresh_emulator.last_request.path == "/v1/chat/completions"
    assert fresh_emulator.last_request.json["messages"] == [{"role": "user", "content": "Hi"}]
