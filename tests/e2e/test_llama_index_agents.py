"""LlamaIndex agents on AIMLAPI against the emulator: FunctionAgent over several tool rounds
with thinking, a two-agent AgentWorkflow with a handoff, and a ReActAgent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from llama_index.core.agent.workflow import (
    AgentStream,
    AgentWorkflow,
    FunctionAgent,
    ReActAgent,
    ToolCall,
    ToolCallResult,
)
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.workflow import Context

from llama_index_aimlapi import AIMLAPI

# Building an agent, llama-index-workflows (workflows/utils.py get_steps_from_instance) reads
# every attribute of the instance, deprecated pydantic ones included (`__fields__`,
# `model_computed_fields` on the instance...): the framework's warnings, errors under the suite's
# filterwarnings=error. Our own code is covered by the tests in tests/llama_index, which keep them.
# Reusing a Context across runs, workflows warns that it cannot serialize the agent's memory
# ("This is expected", workflows/context/state_store.py); ReActAgent calls the deprecated
# `is_running` from inside a step.
pytestmark = [
    pytest.mark.filterwarnings("ignore::workflows.context.state_store.UnserializableKeyWarning"),
    pytest.mark.filterwarnings("ignore:is_running called from within a step"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince20"),
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecatedSince211"),
]


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"18C and sunny in {city}"


def get_time(city: str) -> str:
    """Local time in a city."""
    return f"12:00 in {city}"


@pytest.fixture(params=["chat_completions", "messages"])
async def llm(request, emulator, emulator_api_key) -> AsyncIterator[AIMLAPI]:
    emulator.clear_requests()
    model = AIMLAPI(
        api_key=emulator_api_key, base_url=emulator.base_url, api=request.param, thinking=1024
    )
    yield model
    model.close()
    await model.aclose()


def reported_usage(emulator, recorded) -> tuple[int, int]:
    """What the emulator reports for a recorded request, asked again as a whole (non-streamed)
    call: the emulator is deterministic, so this is the usage it streamed the first time."""
    body = {k: v for k, v in recorded.json.items() if k != "stream"}
    origin = emulator.base_url.removesuffix("/v1")
    headers = {"Authorization": f"Bearer {emulator.api_key}"}
    usage = httpx.post(origin + recorded.path, json=body, headers=headers).json()["usage"]
    if "prompt_tokens" in usage:
        return usage["prompt_tokens"], usage["completion_tokens"]
    return usage["input_tokens"], usage["output_tokens"]


async def run(workflow, user_msg: str, **kwargs) -> tuple[str, list]:
    handler = workflow.run(user_msg=user_msg, **kwargs)
    events = [event async for event in handler.stream_events()]
    return str(await handler), events


async def test_function_agent_several_tool_rounds_with_thinking(llm, emulator) -> None:
    counter = TokenCountingHandler()
    llm.callback_manager = CallbackManager([counter])
    agent = FunctionAgent(tools=[get_weather, get_time], llm=llm, system_prompt="Be helpful.")
    # One memory across runs. (Reusing a Context instead loses the history in llama-index-core
    # 0.14.25: the context round-trips its state through JSON, and SimpleChatStore's
    # chat_message_serialization fails on every ChatMessage, so the memory is skipped.)
    memory = ChatMemoryBuffer.from_defaults()

    answer, events = await run(agent, memory=memory, user_msg='Use get_weather for "Oslo".')
    assert answer == "Here is what I found: get_weather returned “18C and sunny in Oslo”."
    thinking = "".join(e.thinking_delta or "" for e in events if isinstance(e, AgentStream))
    assert thinking.startswith("The user wrote: “Use get_weather for")
    assert [(e.tool_name, e.tool_kwargs) for e in events if isinstance(e, ToolCall)] == [
        ("get_weather", {"city": "Oslo"})
    ]
    deltas = "".join(e.delta for e in events if isinstance(e, AgentStream))
    assert answer in deltas

    # Round two in the same conversation, two tools in parallel.
    answer, events = await run(
        agent, memory=memory, user_msg='Use get_weather for "Rome" and get_time for "Rome".'
    )
    results = [e.tool_output.content for e in events if isinstance(e, ToolCallResult)]
    assert results == ["18C and sunny in Rome", "12:00 in Rome"]
    assert answer == (
        "Here is what I found: get_weather returned “18C and sunny in Rome”; "
        "get_time returned “12:00 in Rome”."
    )

    # Round three: the whole history, thinking included, is replayed (on /messages the emulator
    # verifies every signature and refuses the request otherwise).
    answer, _ = await run(agent, memory=memory, user_msg='Use get_time for "Lima".')
    assert answer == "Here is what I found: get_time returned “12:00 in Lima”."
    last = emulator.requests[-1].json["messages"]
    replayed = [b for m in last if isinstance(m["content"], list) for b in m["content"]]
    thinking_blocks = [b for b in replayed if b["type"] == "thinking"]
    if llm.api == "messages":
        # Two per earlier round, one for this round's tool call, each with its signature.
        assert len(thinking_blocks) == 5
        assert all(b["signature"] for b in thinking_blocks)
    else:
        # /chat/completions returns no signature, so the core leaves unsigned thinking out.
        assert thinking_blocks == []
    assert [m["role"] for m in last] == ["user", "assistant", "user", "assistant"] * 2 + [
        "user",
        "assistant",
        "user",
    ]

    assert len(emulator.requests) == 6
    assert len(counter.llm_token_counts) == 6
    expected = [reported_usage(emulator, r) for r in emulator.requests]
    assert [(e.prompt_token_count, e.completion_token_count) for e in counter.llm_token_counts] == (
        expected
    )


async def test_agent_workflow_two_agents_with_handoff(llm, emulator) -> None:
    router = FunctionAgent(
        name="router",
        description="Routes each question to the right agent.",
        system_prompt="Route questions.",
        llm=llm,
        can_handoff_to=["weather"],
    )
    weather = FunctionAgent(
        name="weather",
        description="Knows weather and time.",
        system_prompt="Answer weather questions.",
        llm=llm,
        tools=[get_weather, get_time],
    )
    workflow = AgentWorkflow(agents=[router, weather], root_agent="router")
    ctx = Context(workflow)

    answer, events = await run(
        workflow, ctx=ctx, user_msg='handoff to "weather" because "it is weather"'
    )
    calls = [(e.tool_name, e.tool_kwargs) for e in events if isinstance(e, ToolCall)]
    assert calls == [("handoff", {"to_agent": "weather", "reason": "it is weather"})]
    streamed_by = {e.current_agent_name for e in events if isinstance(e, AgentStream)}
    assert streamed_by == {"router", "weather"}
    thinking_by = {
        e.current_agent_name for e in events if isinstance(e, AgentStream) and e.thinking_delta
    }
    assert thinking_by == {"router", "weather"}
    assert answer.startswith(
        "Here is what I found: handoff returned “Agent weather is now handling"
    )

    # The weather agent now holds the conversation and runs its own tool round.
    answer, events = await run(workflow, ctx=ctx, user_msg='Use get_weather for "Paris".')
    assert [e.tool_name for e in events if isinstance(e, ToolCall)] == ["get_weather"]
    assert answer == "Here is what I found: get_weather returned “18C and sunny in Paris”."
    assert emulator.requests[-1].json["system"] == "Answer weather questions."
    sent_tools = [t["name"] for t in emulator.requests[-1].json["tools"]]
    assert sent_tools == ["get_weather", "get_time", "handoff"]


async def test_react_agent_streams_through_aimlapi(llm, emulator) -> None:
    llm.thinking = None
    agent = ReActAgent(tools=[get_weather], llm=llm)
    handler = agent.run(user_msg="What is the weather in Paris?")
    events = [e async for e in handler.stream_events()]
    answer = str(await handler)
    first, last = emulator.requests[0].json, emulator.requests[-1].json
    assert first["stream"] is True
    # The ReAct prompt (tool list included) travels as the system prompt, the question as user.
    assert "get_weather" in first["system"]
    assert first["messages"] == [{"role": "user", "content": "What is the weather in Paris?"}]
    # The model's Action ran the tool; its Observation came back as the next user turn.
    results = [(e.tool_name, e.tool_kwargs) for e in events if isinstance(e, ToolCallResult)]
    assert results == [("get_weather", {"city": "Paris"})]
    assert last["messages"][1]["content"].startswith("Thought: ")
    assert "Action: get_weather" in last["messages"][1]["content"]
    assert last["messages"][-1] == {
        "role": "user",
        "content": "Observation: 18C and sunny in Paris",
    }
    streamed = "".join(e.delta for e in events if isinstance(e, AgentStream))
    assert answer == "18C and sunny in Paris"
    assert answer in streamed
