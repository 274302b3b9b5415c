"""Prompt caching in LlamaIndex loops, against the emulator: ``prompt_caching="auto"`` on
``AIMLAPI`` marks every call a ``FunctionAgent``, an ``AgentWorkflow`` or a chat engine makes
(docs/caching.md), on both dialects, and each call reads what the one before wrote."""

from __future__ import annotations

import warnings
from typing import Any

import caching_support as support
import pytest
from llama_index.core.agent.workflow import AgentOutput, AgentWorkflow, FunctionAgent
from llama_index.core.callbacks import CallbackManager
from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.callbacks.schema import CBEventType, EventPayload
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage
from llama_index.core.memory import ChatMemoryBuffer

from aimlapi_core.errors import UnsupportedContentError
from aimlapi_emulator import Emulator
from llama_index_aimlapi import AIMLAPI

APIS = ["messages", "chat_completions"]

# Building an agent, llama-index-workflows reads every attribute of the instance, deprecated
# pydantic ones included: the framework's warnings (as in test_llama_index_agents.py).
pytestmark = [
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211"),
]


def weather(city: str) -> str:
    """Current weather for a city, with a detailed report."""
    return f"Sunny in {city}. " + "Light wind from the west, no rain expected. " * 40


def llama(emu: Emulator, api: str, **kwargs: Any) -> AIMLAPI:
    return AIMLAPI(
        api_key=emu.api_key, base_url=emu.base_url, api=api, model=support.MODEL[api], **kwargs
    )


def memory() -> ChatMemoryBuffer:
    # The default memory (agents, chat engines) holds an aiosqlite connection nothing closes (a
    # ResourceWarning, an error under the suite's filterwarnings); a plain buffer has none.
    return ChatMemoryBuffer.from_defaults()


def figures(raws: list[Any]) -> list[tuple[int, int]]:
    """(read, written) per call, from the usage the adapter puts in each response's ``raw``."""
    return [(r["usage"]["cache_read_tokens"], r["usage"]["cache_creation_tokens"]) for r in raws]


class Responses(BaseCallbackHandler):
    """Every LLM response's ``raw``, as LlamaIndex's callbacks see them."""

    def __init__(self) -> None:
        super().__init__([], [])
        self.raws: list[Any] = []

    def on_event_start(self, *args: Any, **kwargs: Any) -> str:
        return kwargs.get("event_id", "")

    def on_event_end(
        self, event_type: CBEventType, payload: dict[str, Any] | None = None, **_: Any
    ) -> None:
        if event_type == CBEventType.LLM and payload and EventPayload.RESPONSE in payload:
            self.raws.append(payload[EventPayload.RESPONSE].raw)

    def start_trace(self, trace_id: str | None = None) -> None:
        return None

    def end_trace(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.mark.parametrize("api", APIS)
async def test_function_agent_caches_the_loop(fresh_emulator: Emulator, api: str) -> None:
    llm = llama(fresh_emulator, api, prompt_caching="auto")
    agent = FunctionAgent(tools=[weather], llm=llm, system_prompt=support.INSTRUCTIONS)
    handler = agent.run(
        user_msg="Use weather for 'Paris', then weather for 'Rome'.", memory=memory()
    )
    raws = [e.raw async for e in handler.stream_events() if isinstance(e, AgentOutput)]
    await handler
    await llm.aclose()
    support.assert_marked_as_documented(fresh_emulator)
    support.assert_each_turn_reads_the_last(figures(raws))


async def test_agent_workflow_caches_the_loop(fresh_emulator: Emulator) -> None:
    llm = llama(fresh_emulator, "messages", prompt_caching={"type": "auto", "ttl": "1h"})
    agent = FunctionAgent(
        name="weather",
        description="Weather.",
        tools=[weather],
        llm=llm,
        system_prompt=support.INSTRUCTIONS,
    )
    workflow = AgentWorkflow(agents=[agent])
    handler = workflow.run(user_msg="Use weather for 'Lima'.", memory=memory())
    raws = [e.raw async for e in handler.stream_events() if isinstance(e, AgentOutput)]
    await handler
    await llm.aclose()
    support.assert_marked_as_documented(fresh_emulator)
    assert fresh_emulator.requests[0].json["system"][0]["cache_control"]["ttl"] == "1h"
    support.assert_each_turn_reads_the_last(figures(raws))


@pytest.mark.parametrize("api", APIS)
def test_chat_engine_caches_the_conversation(fresh_emulator: Emulator, api: str) -> None:
    responses = Responses()
    llm = llama(fresh_emulator, api, prompt_caching="auto")
    llm.callback_manager = CallbackManager([responses])
    engine = SimpleChatEngine.from_defaults(
        llm=llm, system_prompt=support.INSTRUCTIONS, memory=memory()
    )
    for question in ("Is it sunny in Paris?", "And in Rome?", "And in Lima?"):
        engine.chat(question)
    llm.close()
    support.assert_marked_as_documented(fresh_emulator)
    support.assert_each_turn_reads_the_last(figures(responses.raws))


@pytest.mark.parametrize("behavior", ["ignore", "warn", "raise"])
def test_a_model_that_cannot_cache_on_its_endpoint(fresh_emulator: Emulator, behavior: str) -> None:
    setting = {"type": "auto", "unsupported_model_behavior": behavior}
    llm = AIMLAPI(
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
        api="chat_completions",  # where the 4.x default model takes no cache_control
        prompt_caching=setting,
    )
    messages = [
        ChatMessage(role="system", content=support.INSTRUCTIONS),
        ChatMessage(role="user", content="Hi"),
    ]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        if behavior == "raise":
            with pytest.raises(UnsupportedContentError, match="api='messages'"):
                llm.chat(messages)
        else:
            llm.chat(messages)
            llm.chat(messages)
    llm.close()
    ours = [w for w in caught if "prompt_caching" in str(w.message)]
    if behavior == "raise":
        assert fresh_emulator.requests == []
        return
    assert [support.hints(r.json) for r in fresh_emulator.requests] == [[], []]
    assert len(ours) == (1 if behavior == "warn" else 0)


def test_server_tool_cache_control_reaches_the_body(fresh_emulator: Emulator) -> None:
    search = {
        "type": "web_search_20250305",
        "name": "web_search",
        "max_uses": 2,
        "cache_control": {"type": "ephemeral"},
    }
    llm = llama(fresh_emulator, "messages", server_tools=[search])
    llm.chat([ChatMessage(role="user", content="Hi")])
    llm.close()
    assert fresh_emulator.requests[0].json["tools"] == [search]


def test_per_call_option_overrides_the_models(fresh_emulator: Emulator) -> None:
    llm = llama(fresh_emulator, "messages")
    messages = [
        ChatMessage(role="system", content=support.INSTRUCTIONS),
        ChatMessage(role="user", content="Hi"),
    ]
    llm.chat(messages)
    llm.chat(messages, prompt_caching="auto")
    llm.close()
    assert [len(support.hints(r.json)) for r in fresh_emulator.requests] == [0, 2]


@pytest.mark.parametrize("api", APIS)
def test_tool_metadata_cache_control_counts_among_the_four(
    fresh_emulator: Emulator, api: str
) -> None:
    from dataclasses import dataclass

    from llama_index.core.tools import FunctionTool, ToolMetadata

    @dataclass
    class CachedToolMetadata(ToolMetadata):
        cache_control: dict[str, Any] | None = None

    plain = FunctionTool.from_defaults(weather)
    metadata = CachedToolMetadata(
        name="weather",
        description="Current weather for a city.",
        fn_schema=plain.metadata.fn_schema,
        cache_control={"type": "ephemeral", "ttl": "1h"},
    )
    llm = llama(fresh_emulator, api, prompt_caching="auto")
    messages = [ChatMessage(role="system", content=support.INSTRUCTIONS)]
    llm.chat_with_tools(
        [FunctionTool(fn=weather, metadata=metadata)],
        chat_history=messages,
        user_msg="Weather in Oslo?",
    )
    llm.close()
    body = fresh_emulator.last_request.json
    assert body["tools"][0]["cache_control"] == {"type": "ephemeral", "ttl": "1h"}
    assert support.hints(body) == [".messages[0].content[0]", ".system[0]", ".tools[0]"]
