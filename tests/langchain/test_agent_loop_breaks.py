"""The smaller breaks agent loops met: token counting a leading SystemMessage, choosing the model
per call once tools are bound, provider tool search, and how a context overflow prints."""

from __future__ import annotations

import importlib

import pytest
from langchain.agents import create_agent
from langchain_core import exceptions as lc
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from langchain_core.tools import tool

from aimlapi_core import errors as core
from aimlapi_emulator import Emulator, Fault
from langchain_aimlapi import ChatAIMLAPI
from langchain_aimlapi.errors import ContextOverflowError

HISTORY = [
    SystemMessage("Be terse."),
    HumanMessage("hi " * 50),
    AIMessage("ok"),
    HumanMessage("more"),
]


@tool
def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


def llm_for(emu: Emulator, **kw: object) -> ChatAIMLAPI:
    return ChatAIMLAPI(api_key=emu.api_key, base_url=emu.base_url, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "options",
    [{"strategy": "first"}, {"strategy": "last", "include_system": True}],
    ids=["first", "last-include-system"],
)
def test_trim_messages_counts_a_leading_system_message(options: dict[str, object]) -> None:
    """trim_messages counts prefixes and suffixes, the system prompt alone among them: counting
    needs no user turn (a request does)."""
    llm = ChatAIMLAPI()
    assert llm.get_num_tokens_from_messages([SystemMessage("Be terse.")]) > 0
    kept = trim_messages(HISTORY, max_tokens=60, token_counter=llm, **options)  # type: ignore[arg-type]
    assert isinstance(kept[0], SystemMessage)
    assert 1 < len(kept) < len(HISTORY)


def test_the_model_chosen_per_call_survives_bind_tools(fresh_emulator: Emulator) -> None:
    """configurable_fields(model=...) cannot: LangChain's DynamicRunnable hands bind_tools and
    with_structured_output to the default instance (langchain_core/runnables/configurable.py
    __getattr__), so the configured model is lost once tools are bound. The per-call model=
    keyword is the recipe that works (docs/agents.md), bound or given at invoke."""
    bound = llm_for(fresh_emulator).bind_tools([get_weather])
    bound.invoke("hi", model="claude-opus-4-1")
    assert fresh_emulator.last_request.json["model"] == "claude-opus-4-1"
    bound.bind(model="claude-haiku-4-5").invoke("hi")
    assert fresh_emulator.last_request.json["model"] == "claude-haiku-4-5"
    structured = llm_for(fresh_emulator).bind(model="claude-opus-4-1")
    structured.invoke("hi")
    assert fresh_emulator.last_request.json["model"] == "claude-opus-4-1"


def test_provider_tool_search_middleware_defers_tools_on_chat_aimlapi(
    fresh_emulator: Emulator,
) -> None:
    search = pytest.importorskip(
        "langchain.agents.middleware.provider_tool_search",
        reason="ProviderToolSearchMiddleware is not in langchain 1.2.11, the oldest the test "
        "extra allows (make test-oldest); newer releases run this test",
    )
    llm = llm_for(fresh_emulator, model="anthropic/claude-sonnet-5")
    middleware = search.ProviderToolSearchMiddleware(searchable_tools=["get_time"])
    agent = create_agent(llm, tools=[get_weather, get_time], middleware=[middleware])
    agent.invoke({"messages": [HumanMessage("get_weather for 'Oslo'")]})
    tools = {t["name"]: t for t in fresh_emulator.requests[0].json["tools"]}
    assert tools["get_time"]["defer_loading"] is True
    assert "defer_loading" not in tools["get_weather"]
    assert tools["tool_search_tool_bm25"]["type"] == "tool_search_tool_bm25_20251119"
    assert llm._get_ls_params()["ls_provider"] == "aimlapi"  # tracing keeps its provider


def test_a_context_overflow_prints_as_the_class_users_catch(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault(
        Fault(status=400, message="prompt is too long: 208342 tokens > 200000 maximum")
    )
    with pytest.raises(ContextOverflowError) as info:
        llm_for(fresh_emulator, max_retries=0).invoke("hi")
    error = info.value
    assert type(error).__name__ == "ContextOverflowError"
    assert type(error).__module__ == "langchain_aimlapi.errors"
    assert isinstance(error, lc.ContextOverflowError)
    assert isinstance(error, core.BadRequestError)
    # The printed path imports.
    module = importlib.import_module(type(error).__module__)
    assert getattr(module, type(error).__name__) is ContextOverflowError
