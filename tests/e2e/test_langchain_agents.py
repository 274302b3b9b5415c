"""ChatAIMLAPI in LCEL chains, LangGraph's create_react_agent and langchain's create_agent,
against the emulator, for several tool rounds, sync and streamed."""

from __future__ import annotations

import importlib.metadata
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.structured_output import ToolStrategy
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_support import make
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import BaseModel

from aimlapi_emulator import Emulator

APIS = ["chat_completions", "messages"]

_LANGCHAIN = tuple(int(p) for p in importlib.metadata.version("langchain").split(".")[:2])


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


class Report(BaseModel):
    """The final weather report."""

    city: str
    summary: str


def tool_rounds(messages: list[Any]) -> list[list[str]]:
    return [[c["name"] for c in m.tool_calls] for m in messages if getattr(m, "tool_calls", None)]


@pytest.mark.parametrize("api", APIS)
def test_lcel_chain_streams(fresh_emulator: Emulator, api: str) -> None:
    prompt = ChatPromptTemplate.from_messages([("system", "Be brief."), ("human", "{question}")])
    chain = prompt | make(fresh_emulator, api) | StrOutputParser()
    pieces = list(chain.stream({"question": "Hello"}))
    assert len(pieces) > 1
    assert "".join(pieces) == chain.invoke({"question": "Hello"})
    assert fresh_emulator.requests[0].json["stream"] is True
    assert fresh_emulator.requests[0].json["messages"] == [{"role": "user", "content": "Hello"}]


@pytest.mark.parametrize("api", APIS)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # create_react_agent moved in v1
@pytest.mark.parametrize("streamed", [False, True])
def test_langgraph_react_agent_runs_several_tool_rounds(
    fresh_emulator: Emulator, api: str, streamed: bool
) -> None:
    from langgraph.prebuilt import create_react_agent

    agent = create_react_agent(
        make(fresh_emulator, api), [get_weather, get_time], checkpointer=InMemorySaver()
    )
    config = {"configurable": {"thread_id": "t1"}}
    turns = ["get_weather for 'Paris'", "get_weather and get_time for 'Rome'"]
    for text in turns:
        payload = {"messages": [HumanMessage(text)]}
        if streamed:
            tokens = list(agent.stream(payload, config, stream_mode="messages"))
            assert tokens
        else:
            agent.invoke(payload, config)
    messages = agent.get_state(config).values["messages"]
    assert tool_rounds(messages) == [["get_weather"], ["get_weather", "get_time"]]
    results = [m.content for m in messages if isinstance(m, ToolMessage)]
    assert [r.split(" in ")[0] for r in results] == ["sunny", "sunny", "noon"]
    assert isinstance(messages[-1], AIMessage)
    assert results[-1] in messages[-1].text  # the final answer quotes the last tool result
    # The last request replays the whole history: 2 user turns, 2 tool rounds, 2 answers.
    last = fresh_emulator.last_request.json["messages"]
    assert [m["role"] for m in last] == ["user", "assistant"] * 3 + ["user"]
    results = [b for m in last if isinstance(m["content"], list) for b in m["content"]]
    assert sum(b["type"] == "tool_result" for b in results) == 3


def run_agent(agent: Any, text: str, streamed: bool) -> dict[str, Any]:
    payload = {"messages": [HumanMessage(text)]}
    if not streamed:
        return dict(agent.invoke(payload))
    state: dict[str, Any] = {}
    for update in agent.stream(payload, stream_mode="values"):
        state = update
    return state


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("streamed", [False, True])
def test_create_agent_with_response_format_tool_strategy(
    fresh_emulator: Emulator, api: str, streamed: bool
) -> None:
    """ToolStrategy forces a tool choice every turn — the tools first, then the Report tool."""
    agent = create_agent(
        make(fresh_emulator, api),
        tools=[get_weather, get_time],
        response_format=ToolStrategy(Report),
    )
    state = run_agent(agent, "get_weather and get_time for 'Oslo'", streamed)
    assert tool_rounds(state["messages"]) == [["get_weather", "get_time"], ["Report"]]
    assert state["structured_response"] == Report(
        city="Oslo", summary=state["structured_response"].summary
    )
    # ToolStrategy forces a tool; it is sent as the 'any' choice type, not a tool name.
    assert [r.json["tool_choice"] for r in fresh_emulator.requests] == [{"type": "any"}] * 2


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize("streamed", [False, True])
def test_create_agent_with_response_format_provider_strategy(
    fresh_emulator: Emulator, api: str, streamed: bool
) -> None:
    """The profile declares structured_output for every id, so langchain picks its
    ProviderStrategy and binds an OpenAI-style response_format, which the Claude endpoints do not
    take: the schema becomes a tool (forced here: it is the only one), and its input comes back
    as the answer's JSON text, which langchain parses into the schema. (With tools and thinking:
    tests/e2e/test_structured_agents.py.)"""
    llm = make(fresh_emulator, api, model="anthropic/claude-sonnet-4.5")
    agent = create_agent(llm, tools=[], response_format=Report)
    state = run_agent(agent, "Report on 'Oslo'", streamed)
    assert isinstance(state["structured_response"], Report)
    assert state["structured_response"].city == "Oslo"
    assert tool_rounds(state["messages"]) == []  # the answer is text, not a tool round
    (sent,) = [r.json for r in fresh_emulator.requests]
    assert "response_format" not in sent
    assert sent["tool_choice"] == {"type": "tool", "name": "Report"}
    assert [t["name"] for t in sent["tools"]] == ["Report"]


@pytest.mark.parametrize("streamed", [False, True])
def test_thinking_and_tools_over_several_turns_on_messages(
    fresh_emulator: Emulator, streamed: bool
) -> None:
    """Signed thinking blocks must come back on every later turn (the emulator, like the real
    service, rejects a replay whose thinking is missing or whose signature does not verify)."""
    llm = make(fresh_emulator, "messages", thinking=1024, max_tokens=4096)
    agent = create_agent(llm, tools=[get_weather, get_time], checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "think"}}
    for text in ["get_weather for 'Paris'", "get_time for 'Paris'"]:
        payload = {"messages": [HumanMessage(text)]}
        if streamed:
            assert list(agent.stream(payload, config, stream_mode="messages"))
        else:
            agent.invoke(payload, config)
    messages = agent.get_state(config).values["messages"]
    assert tool_rounds(messages) == [["get_weather"], ["get_time"]]
    thinking = [
        b
        for m in messages
        if isinstance(m, AIMessage) and isinstance(m.content, list)
        for b in m.content
        if isinstance(b, dict) and b.get("type") == "thinking"
    ]
    assert len(thinking) == 4
    assert all(b["signature"] for b in thinking)
    assert all(b["type"] == "reasoning" for m in messages[1:2] for b in m.content_blocks[:1])
    # Every assistant turn replayed in the last request starts with its signed thinking block.
    replayed = [m for m in fresh_emulator.last_request.json["messages"] if m["role"] == "assistant"]
    assert len(replayed) == 3
    for turn in replayed:
        assert turn["content"][0]["type"] == "thinking"
        assert turn["content"][0]["signature"]


@pytest.mark.parametrize("api", APIS)
def test_forced_tool_choice_after_tool_results_still_calls_a_tool(
    fresh_emulator: Emulator, api: str
) -> None:
    llm = make(fresh_emulator, api).bind_tools([get_weather], tool_choice="any")
    first = llm.invoke("get_weather for 'Oslo'")
    (call,) = first.tool_calls
    reply = llm.invoke(
        [
            HumanMessage("get_weather for 'Oslo'"),
            first,
            ToolMessage("sunny", tool_call_id=call["id"]),
        ]
    )
    assert reply.tool_calls
