"""One stop-reason vocabulary: ``invoke`` and ``stream`` report the same words for
the same answer, on both dialects. On /chat/completions the gateway's whole answers carry
Anthropic's words while its streams carry OpenAI's (docs/wire.md "Response on
/chat/completions"); the core normalises both, and the adapter reports the core's word."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.tools import tool

from aimlapi_emulator import Reply
from langchain_aimlapi import ChatAIMLAPI


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return "sunny"


CASES = [
    (Reply(text="All done."), "end_turn", "stop"),
    (
        Reply(tool_calls=[{"name": "get_weather", "input": {"city": "Oslo"}}]),
        "tool_use",
        "tool_calls",
    ),
    (Reply(text="one two three", stop_reason="max_tokens"), "max_tokens", "length"),
]


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@pytest.mark.parametrize(("reply", "stop_reason", "finish_reason"), CASES)
def test_invoke_and_stream_report_the_same_stop_reason(
    emulator, emulator_api_key, api, reply, stop_reason, finish_reason
) -> None:
    emulator.set_replies([reply, reply])
    llm = ChatAIMLAPI(api=api, api_key=emulator_api_key, base_url=emulator.base_url)
    bound = llm.bind_tools([get_weather])
    try:
        whole = bound.invoke("Weather in Oslo?")
        streamed: AIMessageChunk | None = None
        for chunk in bound.stream("Weather in Oslo?"):
            streamed = chunk if streamed is None else streamed + chunk
    finally:
        llm.close()
    assert streamed is not None
    for message in (whole, streamed):
        assert message.response_metadata["stop_reason"] == stop_reason
        assert message.response_metadata["finish_reason"] == finish_reason
    # The wire's own word stays available, whichever it was.
    assert whole.response_metadata["raw_stop_reason"]
    assert streamed.response_metadata["raw_stop_reason"]
