"""Level 4 for the adapters: the real AI/ML API. Skipped unless AIMLAPI_API_KEY is set.

These make a handful of small, cheap calls (max_tokens 64-256) per dialect.
"""

from __future__ import annotations

import os

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from llama_index.core.llms import ChatMessage

from langchain_aimlapi import ChatAIMLAPI
from llama_index_aimlapi import AIMLAPI

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not os.environ.get("AIMLAPI_API_KEY"), reason="AIMLAPI_API_KEY not set"),
    pytest.mark.enable_socket,
]

MODEL = os.environ.get("AIMLAPI_LIVE_MODEL", "claude-sonnet-4-20250514")
APIS = ["chat_completions", "messages"]


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"18°C and sunny in {city}"


@pytest.mark.parametrize("api", APIS)
def test_langchain_invoke_stream_and_a_tool_round(api: str) -> None:
    llm = ChatAIMLAPI(model=MODEL, api=api, max_tokens=256)
    reply = llm.invoke("Reply with the single word: pong")
    assert "pong" in reply.text.lower()
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["input_tokens"] > 0
    chunks = list(llm.stream("Count from 1 to 5, digits only."))
    assert chunks[-1].chunk_position == "last"
    assert "3" in "".join(c.text for c in chunks)

    with_tools = llm.bind_tools([get_weather], tool_choice="get_weather")
    question = HumanMessage("What is the weather in Paris?")
    call = with_tools.invoke([question])
    (tool_call,) = call.tool_calls
    assert tool_call["name"] == "get_weather"
    result = get_weather.invoke(tool_call["args"])
    final = llm.bind_tools([get_weather]).invoke(
        [question, call, ToolMessage(result, tool_call_id=tool_call["id"])]
    )
    assert isinstance(final, AIMessage)
    assert "18" in final.text


@pytest.mark.parametrize("api", APIS)
def test_llama_index_chat_and_stream(api: str) -> None:
    llm = AIMLAPI(model=MODEL, api=api, max_tokens=64)
    reply = llm.chat([ChatMessage(role="user", content="Reply with the single word: pong")])
    assert "pong" in (reply.message.content or "").lower()
    chunks = list(llm.stream_chat([ChatMessage(role="user", content="Count from 1 to 5.")]))
    assert "".join(c.delta or "" for c in chunks) == chunks[-1].message.content
    assert "3" in (chunks[-1].message.content or "")
