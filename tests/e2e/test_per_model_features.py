"""The per-model features through both adapters against the emulator, on both dialects: for
two 5-series ids and one 4.x id, adaptive thinking sent and answered where the model's schema
allows it and refused before any request where not; cache_control on /chat/completions
likewise, with cache writes then reads in usage; a web-search turn through langchain's
create_agent and a LlamaIndex FunctionAgent, streamed and whole, its results shown to the user
and replayed next turn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.tools import tool
from langchain_support import make
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import (
    CacheControl,
    CachePoint,
    ChatMessage,
    CitationBlock,
    TextBlock,
    ThinkingBlock,
)
from llama_index.core.memory import ChatMemoryBuffer

from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError
from aimlapi_emulator import Emulator
from llama_index_aimlapi import AIMLAPI

pytestmark = [
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211"),
    pytest.mark.filterwarnings("ignore::workflows.context.state_store.UnserializableKeyWarning"),
]

APIS = ["chat_completions", "messages"]
FIVE = ["anthropic/claude-sonnet-5", "anthropic/claude-opus-5"]
FOUR = "anthropic/claude-sonnet-4.5"
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}
LONG = "You are a weather assistant. " * 300  # over the minimum cacheable length


def adaptive_allowed(model: str, api: str) -> bool:
    # 4.x: its /messages schema lists adaptive thinking, its chat schema does not.
    return model in FIVE or api == "messages"


_LLAMA: list[AIMLAPI] = []


def li(emu: Emulator, api: str, **kwargs: Any) -> AIMLAPI:
    _LLAMA.append(AIMLAPI(api_key=emu.api_key, base_url=emu.base_url, api=api, **kwargs))
    return _LLAMA[-1]


@pytest.fixture(autouse=True)
async def _close_llama_index_models() -> AsyncIterator[None]:
    yield
    while _LLAMA:
        llm = _LLAMA.pop()
        llm.close()
        await llm.aclose()


# --------------------------------------------------------------------------- adaptive thinking


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("model", [*FIVE, FOUR])
@pytest.mark.parametrize("streamed", [False, True])
def test_langchain_adaptive_thinking(
    fresh_emulator: Emulator, api: str, model: str, streamed: bool
) -> None:
    llm = make(fresh_emulator, api, model=model, thinking={"type": "adaptive"}, max_tokens=256)
    if not adaptive_allowed(model, api):
        with pytest.raises(InvalidRequestError, match="adaptive thinking") as info:
            llm.invoke("Hi")
        assert "api='messages'" in str(info.value)
        assert fresh_emulator.requests == []  # refused before any request
        return
    if streamed:
        message: Any = None
        for chunk in llm.stream("Hi"):
            message = chunk if message is None else message + chunk
    else:
        message = llm.invoke("Hi")
    assert fresh_emulator.last_request.json["thinking"] == {"type": "adaptive"}
    reasoning = [b for b in message.content_blocks if b["type"] == "reasoning"]
    assert reasoning[0]["reasoning"].startswith("Adaptive thinking")
    if api == "messages":
        assert reasoning[0]["extras"]["signature"]  # signed, so it can be replayed
    else:  # the chat answer counts reasoning tokens (completion_tokens_details)
        assert message.usage_metadata["output_token_details"]["reasoning"] > 0


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("model", [*FIVE, FOUR])
async def test_llama_index_adaptive_thinking(
    fresh_emulator: Emulator, api: str, model: str
) -> None:
    llm = li(fresh_emulator, api, model=model, thinking={"type": "adaptive", "display": "omitted"})
    messages = [ChatMessage(role="user", content="Hi")]
    if not adaptive_allowed(model, api):
        with pytest.raises(InvalidRequestError, match="adaptive thinking"):
            await llm.achat(messages)
        assert fresh_emulator.requests == []
        return
    whole = await llm.achat(messages)
    responses = [r async for r in await llm.astream_chat(messages)]
    last = responses[-1]
    sent = [r.json["thinking"] for r in fresh_emulator.requests]
    assert sent == [{"type": "adaptive", "display": "omitted"}] * 2
    for response in (whole, last):
        assert response.message.content
        if api == "messages":
            # display "omitted": a thinking block without its text, with its signature.
            (thinking,) = [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
            assert thinking.content == ""
            assert thinking.additional_information["signature"]
        else:
            assert response.additional_kwargs["usage"]["reasoning_tokens"] > 0


# --------------------------------------------------------------------------- caching on chat


@pytest.mark.parametrize("model", [*FIVE, FOUR])
def test_langchain_cache_control_on_chat(fresh_emulator: Emulator, model: str) -> None:
    llm = make(fresh_emulator, "chat_completions", model=model, max_tokens=64)
    system = SystemMessage([{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}])
    if model == FOUR:
        with pytest.raises(UnsupportedContentError, match="cache_control"):
            llm.invoke([system, HumanMessage("Hi")])
        assert fresh_emulator.requests == []
        return
    first = llm.invoke([system, HumanMessage("Hi")])
    second = llm.invoke([system, HumanMessage("Hi again")])
    assert fresh_emulator.requests[0].json["system"] == [
        {"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}
    ]
    written = first.usage_metadata["input_token_details"]["cache_creation"]
    assert written > 0
    assert first.usage_metadata["input_token_details"]["cache_read"] == 0
    assert second.usage_metadata["input_token_details"]["cache_read"] == written
    assert second.usage_metadata["input_tokens"] >= written  # reads are part of the input


@pytest.mark.parametrize("api", APIS)
def test_langchain_cache_control_call_argument(fresh_emulator: Emulator, api: str) -> None:
    llm = make(fresh_emulator, api, model=FIVE[0], max_tokens=64)
    message = llm.invoke([HumanMessage(LONG)], cache_control={"type": "ephemeral"})
    sent = fresh_emulator.last_request.json["messages"][-1]["content"]
    assert sent == [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}]
    assert message.usage_metadata["input_token_details"]["cache_creation"] > 0


@pytest.mark.parametrize("model", [*FIVE, FOUR])
async def test_llama_index_cache_point_on_chat(fresh_emulator: Emulator, model: str) -> None:
    llm = li(fresh_emulator, "chat_completions", model=model, max_tokens=64)
    point = CachePoint(cache_control=CacheControl(type="ephemeral"))
    messages = [ChatMessage(role="user", blocks=[TextBlock(text=LONG), point])]
    if model == FOUR:
        with pytest.raises(UnsupportedContentError, match="cache_control"):
            await llm.achat(messages)
        assert fresh_emulator.requests == []
        return
    first = await llm.achat(messages)
    second = await llm.achat(messages)
    content = fresh_emulator.requests[0].json["messages"][0]["content"]
    assert content == [{"type": "text", "text": LONG, "cache_control": {"type": "ephemeral"}}]
    written = first.additional_kwargs["usage"]["cache_creation_tokens"]
    assert written > 0
    assert second.additional_kwargs["usage"]["cache_read_tokens"] == written


# --------------------------------------------------------------------------- web search turns


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


def _blocks(message: Any) -> list[dict[str, Any]]:
    return [b for b in message.content if isinstance(b, dict)]


@pytest.mark.parametrize("streamed", [False, True])
def test_langchain_create_agent_web_search_turn(fresh_emulator: Emulator, streamed: bool) -> None:
    llm = make(fresh_emulator, "messages", model=FIVE[0], max_tokens=512)
    # A dict tool is a provider's built-in tool to create_agent: bound, never run locally.
    agent = create_agent(llm, tools=[get_time, WEB_SEARCH])
    question = {"messages": [HumanMessage("Search the web for Oslo weather")]}
    if streamed:
        # "messages" mode makes LangGraph stream the model's tokens (the model's _stream).
        parts = list(agent.stream(question, stream_mode=["messages", "values"]))
        chunks = [p[0] for mode, p in parts if mode == "messages"]
        state = [p for mode, p in parts if mode == "values"][-1]
        assert any(isinstance(c, AIMessageChunk) for c in chunks)
    else:
        state = agent.invoke(question)
    assert fresh_emulator.last_request.json.get("stream", False) is streamed
    answer = state["messages"][-1]
    assert isinstance(answer, AIMessage)
    kinds = [b["type"] for b in _blocks(answer)]
    assert kinds == ["server_tool_use", "web_search_tool_result", "text"]
    # The results and the citation, as the user sees them (LangChain's standard blocks too).
    results = _blocks(answer)[1]["content"]
    assert results[0]["url"] == "https://search.example/oslo-weather/1"
    standard = {b["type"]: b for b in answer.content_blocks}
    assert standard["server_tool_call"]["args"] == {"query": "Oslo weather"}
    assert standard["server_tool_result"]["output"] == results
    assert standard["text"]["annotations"][0]["url"] == results[0]["url"]
    assert fresh_emulator.last_request.json["tools"][-1] == WEB_SEARCH

    # Next turn: the search is replayed as the API sent it.
    state["messages"].append(HumanMessage("Thanks, and what time is it in Oslo?"))
    agent.invoke(state)
    replayed = fresh_emulator.requests[1].json["messages"][1]["content"]
    assert [b["type"] for b in replayed] == ["server_tool_use", "web_search_tool_result", "text"]
    assert replayed[1]["content"] == results
    assert replayed[2]["citations"][0]["url"] == results[0]["url"]


@pytest.mark.parametrize("streamed", [False, True])
async def test_llama_index_function_agent_web_search_turn(
    fresh_emulator: Emulator, streamed: bool
) -> None:
    def get_time(city: str) -> str:
        """Local time in a city."""
        return f"noon in {city}"

    llm = li(fresh_emulator, "messages", model=FIVE[1], server_tools=[WEB_SEARCH])
    agent = FunctionAgent(tools=[get_time], llm=llm, streaming=streamed)
    memory = ChatMemoryBuffer.from_defaults()
    result = await agent.run(user_msg="Search the web for Oslo weather", memory=memory)
    message = result.response
    server = message.additional_kwargs["server_tool_blocks"]
    assert [e["block"]["type"] for e in server] == ["server_tool_use", "web_search_tool_result"]
    results = server[1]["block"]["content"]
    assert results[0]["title"].startswith("Oslo weather")
    citations = [b for b in message.blocks if isinstance(b, CitationBlock)]
    assert citations[0].source == results[0]["url"]
    assert fresh_emulator.last_request.json["tools"][-1] == WEB_SEARCH
    assert fresh_emulator.last_request.json.get("stream", False) is streamed

    await agent.run(user_msg="Thanks, and what time is it in Oslo?", memory=memory)
    replayed = fresh_emulator.requests[-1].json["messages"][1]["content"]
    assert [b["type"] for b in replayed] == ["server_tool_use", "web_search_tool_result", "text"]
    assert replayed[1]["content"] == results


@pytest.mark.parametrize("model", [FIVE[0], FOUR])
def test_web_search_on_chat_per_model(fresh_emulator: Emulator, model: str) -> None:
    llm = make(fresh_emulator, "chat_completions", model=model, max_tokens=256)
    bound = llm.bind_tools([WEB_SEARCH])
    if model == FOUR:
        with pytest.raises(InvalidRequestError, match="server tool"):
            bound.invoke("Search the web for Oslo weather")
        assert fresh_emulator.requests == []
        return
    whole = bound.invoke("Search the web for Oslo weather")
    streamed: Any = None
    for chunk in bound.stream("Search the web for Oslo weather"):
        streamed = chunk if streamed is None else streamed + chunk
    for answer in (whole, streamed):
        (text,) = [b for b in answer.content_blocks if b["type"] == "text"]
        assert text["text"].startswith("According to Oslo weather")
        assert text["annotations"][0]["url"] == "https://search.example/oslo-weather/1"
