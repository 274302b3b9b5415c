"""Structured agent output on every path LangChain and LlamaIndex take: ``create_agent(...,
response_format=Schema)`` on both dialects, with thinking off, enabled and adaptive, for four
spellings of Claude ids, with LangChain's automatic choice and with ``ToolStrategy``; and
LlamaIndex's ``FunctionAgent(output_cls=...)`` with thinking.

The model is scripted (``replies=``): the default assistant answers tool results in words, and a
real model asked for a schema calls its tool. The script calls ``get_weather`` first, then
whichever tool the request offers for the answer: LangChain's ToolStrategy tool or the tool the
adapter builds from a ``response_format`` (its ProviderStrategy). So each test shows that the
structured response arrives whatever LangChain chose, and the bodies show what was sent.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent, factory
from langchain.agents.structured_output import ToolStrategy
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from langchain_support import make
from pydantic import BaseModel

from aimlapi_core.catalog import lookup
from aimlapi_core.errors import InvalidRequestError
from aimlapi_emulator import Emulator, RecordedRequest, Reply

MODELS = [
    "claude-sonnet-4-20250514",
    "claude-sonnet-4-5",
    "anthropic/claude-sonnet-4.5",
    "anthropic/claude-sonnet-5",
]
THINKING: dict[str, Any] = {"off": None, "enabled": 1024, "adaptive": "adaptive"}


class Report(BaseModel):
    """The final weather report."""

    city: str
    summary: str


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def scripted(request: RecordedRequest) -> Reply:
    """Call get_weather, then answer with the tool the request offers for the answer."""
    body = request.json or {}
    thinking = "Checking the weather first." if "thinking" in body else None
    last = body["messages"][-1]["content"]
    answered = isinstance(last, list) and any(b.get("type") == "tool_result" for b in last)
    if not answered:
        call = {"name": "get_weather", "input": {"city": "Oslo"}}
        return Reply(tool_calls=[call], thinking=thinking)
    (answer_tool,) = [t["name"] for t in body["tools"] if t["name"] != "get_weather"]
    call = {"name": answer_tool, "input": {"city": "Oslo", "summary": "sunny"}}
    return Reply(tool_calls=[call], thinking=thinking)


def refusal(model: str, api: str, thinking: str) -> bool:
    """Whether the model's schema on ``api`` lacks the thinking kind: then the request is
    refused before any I/O (the 4.x chat schemas list 'enabled' only)."""
    if thinking != "adaptive":
        return False
    info = lookup(model)
    caps = info.on(api) if info is not None else None
    return caps is not None and "adaptive" not in caps.thinking


# langchain releases before the factory learned which models are OpenAI-compatible bind every
# tool with strict=True under ProviderStrategy (an OpenAI setting); the client sends strict where
# the model's schema lists it and refuses it, before any I/O, where it does not.
_FACTORY_FORCES_STRICT = not hasattr(factory, "_is_openai_compatible_model")


def strict_refusal(model: str, api: str, strategy: str) -> bool:
    if not (_FACTORY_FORCES_STRICT and strategy == "auto"):
        return False
    info = lookup(model)
    caps = info.on(api) if info is not None else None
    return caps is not None and "strict" not in caps.tool_fields


@pytest.mark.parametrize("strategy", ["auto", "tool"])
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("thinking", list(THINKING))
@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_create_agent_returns_the_structured_response(
    fresh_emulator: Emulator, api: str, thinking: str, model: str, strategy: str
) -> None:
    fresh_emulator.set_replies(scripted)
    llm = make(fresh_emulator, api, model=model, thinking=THINKING[thinking], max_tokens=4096)
    fmt: Any = Report if strategy == "auto" else ToolStrategy(Report)
    agent = create_agent(llm, tools=[get_weather], response_format=fmt)
    payload = {"messages": [HumanMessage("Weather report for Oslo, please.")]}
    if refusal(model, api, thinking):
        with pytest.raises(InvalidRequestError, match="adaptive thinking"):
            agent.invoke(payload)
        assert fresh_emulator.requests == []
        return
    if strict_refusal(model, api, strategy):
        with pytest.raises(InvalidRequestError, match="does not accept 'strict'"):
            agent.invoke(payload)
        assert fresh_emulator.requests == []
        return
    state = agent.invoke(payload)
    assert state["structured_response"] == Report(city="Oslo", summary="sunny")
    bodies = [r.json for r in fresh_emulator.requests]
    assert len(bodies) == 2
    for body in bodies:
        assert "response_format" not in body
        if thinking != "off":  # the forced choice the API refuses is never sent
            assert body.get("tool_choice", {"type": "auto"})["type"] == "auto"
            assert "Answer by calling" in body["system"] or "by calling the tool" in body["system"]
    if thinking != "off" and api == "messages":
        # The signed thinking of the first turn is replayed in the second request.
        replayed = bodies[1]["messages"][1]["content"]
        assert replayed[0]["type"] == "thinking"
        assert replayed[0]["signature"]


def test_the_profile_makes_the_strategy_independent_of_the_spelling() -> None:
    from langchain.agents.factory import _supports_provider_strategy

    from langchain_aimlapi import ChatAIMLAPI

    for model in MODELS:
        llm = ChatAIMLAPI(model=model)
        assert llm.profile is not None
        assert llm.profile["structured_output"] is True
        assert _supports_provider_strategy(llm, tools=[get_weather])


# Building an agent, llama-index-workflows reads every attribute of the instance, deprecated
# pydantic ones included (tests/e2e/test_llama_index_agents.py says more): the framework's own.
@pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20")
@pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211")
@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@pytest.mark.parametrize("thinking", [1024, "adaptive"])
@pytest.mark.parametrize("workflow", [False, True], ids=["FunctionAgent", "AgentWorkflow"])
async def test_function_agent_with_output_cls_and_thinking(
    fresh_emulator: Emulator, api: str, thinking: Any, workflow: bool
) -> None:
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.tools import FunctionTool

    from llama_index_aimlapi import AIMLAPI

    def weather(city: str) -> str:
        """Weather for a city."""
        return f"sunny in {city}"

    def script(request: RecordedRequest) -> Reply:
        body = request.json or {}
        names = [t["name"] for t in body.get("tools", [])]
        if "weather" in names and not any(
            isinstance(m["content"], list)
            and any(b.get("type") == "tool_result" for b in m["content"])
            for m in body["messages"]
        ):
            call = {"name": "weather", "input": {"city": "Oslo"}}
            return Reply(tool_calls=[call], thinking="Looking it up.")
        if "Report" in names:  # the structured-output call (as_structured_llm)
            call = {"name": "Report", "input": {"city": "Oslo", "summary": "sunny"}}
            return Reply(tool_calls=[call], thinking="Filling the report.")
        return Reply(text="It is sunny in Oslo.", thinking="Done.")

    fresh_emulator.set_replies(script)
    model = "anthropic/claude-sonnet-5"  # adaptive thinking on both endpoints
    llm = AIMLAPI(
        model=model,
        api=api,
        thinking=thinking,
        max_tokens=4096,
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
    )
    tools = [FunctionTool.from_defaults(weather)]
    agent: Any = FunctionAgent(tools=tools, llm=llm, output_cls=Report)
    if workflow:
        from llama_index.core.agent.workflow import AgentWorkflow

        helper = FunctionAgent(name="weather", description="Weather.", tools=tools, llm=llm)
        agent = AgentWorkflow(agents=[helper], root_agent="weather", output_cls=Report)
    try:
        result = await agent.run("Weather report for Oslo?")
    finally:
        llm.close()
        await llm.aclose()
    assert Report.model_validate(result.structured_response) == Report(city="Oslo", summary="sunny")
    structured = fresh_emulator.last_request.json
    assert [t["name"] for t in structured["tools"]] == ["Report"]
    # Thinking is on: the tool is offered, not forced, and asked for in the system prompt.
    assert structured.get("tool_choice", {"type": "auto"})["type"] == "auto"
    assert "thinking" in structured
