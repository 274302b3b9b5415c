"""Scripted replies through both adapters, on both dialects: exactly the words the test chose."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from langchain_support import make
from llama_index.core.base.llms.types import ChatMessage

from aimlapi_emulator import Emulator, RecordedRequest, Reply
from llama_index_aimlapi import AIMLAPI

APIS = ["chat_completions", "messages"]
TEXT = "exactly this — nothing the default assistant would say"


@pytest.fixture
async def scripted() -> AsyncIterator[Emulator]:
    async with Emulator(replies=[Reply(text=TEXT)] * 4) as emu:
        yield emu


@pytest.mark.parametrize("api", APIS)
def test_chat_aimlapi_invoke_and_stream_return_exactly_the_script(scripted: Emulator, api: str):
    llm = make(scripted, api)
    assert llm.invoke("Hello").text == TEXT
    chunks = list(llm.stream("Hello"))
    assert len(chunks) > 2
    assert "".join(c.text for c in chunks) == TEXT
    assert [r.json["messages"] for r in scripted.requests] == [
        [{"role": "user", "content": "Hello"}]
    ] * 2


@pytest.mark.parametrize("api", APIS)
async def test_aimlapi_chat_and_stream_chat_return_exactly_the_script(scripted: Emulator, api: str):
    llm = AIMLAPI(api_key=scripted.api_key, base_url=scripted.base_url, api=api)
    try:
        messages = [ChatMessage(role="user", content="Hello")]
        assert llm.chat(messages).message.content == TEXT
        assert [c async for c in await llm.astream_chat(messages)][-1].message.content == TEXT
    finally:
        llm.close()
        await llm.aclose()


@pytest.mark.parametrize("api", APIS)
def test_a_scripted_tool_call_reaches_ai_message_tool_calls(api: str):
    reply = Reply(tool_calls=[{"name": "get_weather", "input": {"city": "Oslo"}}])
    with Emulator(replies=[reply, reply]) as emu:

        def get_weather(city: str) -> str:
            """Current weather for a city."""
            return f"18C in {city}"

        llm = make(emu, api).bind_tools([get_weather])
        message = llm.invoke("Anything")
        assert [(c["name"], c["args"]) for c in message.tool_calls] == [
            ("get_weather", {"city": "Oslo"})
        ]
        assert message.response_metadata["stop_reason"] == "tool_use"
        streamed = list(llm.stream("Anything"))
        merged = streamed[0]
        for chunk in streamed[1:]:
            merged += chunk
        assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
            ("get_weather", {"city": "Oslo"})
        ]


def test_a_function_sees_the_request_the_adapter_sent():
    seen: list[RecordedRequest] = []

    def answer(request: RecordedRequest) -> str:
        seen.append(request)
        return f"temperature was {request.json.get('temperature')}"

    with Emulator(replies=answer) as emu:
        assert make(emu, "messages", temperature=0.25).invoke("Hi").text == ("temperature was 0.25")
    assert seen[0].json["messages"] == [{"role": "user", "content": "Hi"}]
    assert seen[0].path == "/v1/messages"
