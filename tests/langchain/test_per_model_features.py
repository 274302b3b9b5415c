"""LangChain inputs of the per-model features as sent: search_result blocks, citations on system
text, server tool dicts in bind_tools, a raw (newer) block replayed, and content_blocks of a
cited answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from aimlapi_core.errors import UnsupportedContentError
from aimlapi_emulator import Emulator
from langchain_aimlapi import ChatAIMLAPI

FIVE = "anthropic/claude-sonnet-5"
CITE = {
    "type": "char_location",
    "cited_text": "Oslo is mild",
    "document_index": 0,
    "document_title": "Notes",
    "start_char_index": 0,
    "end_char_index": 12,
}


def model(emu: Emulator, **kwargs: Any) -> ChatAIMLAPI:
    return ChatAIMLAPI(
        api_key=emu.api_key, base_url=emu.base_url, api="messages", model=FIVE, **kwargs
    )


def test_search_results_and_system_citations_are_sent(fresh_emulator: Emulator) -> None:
    result = {
        "type": "search_result",
        "source": "https://example.com/oslo",
        "title": "Oslo",
        "content": [{"type": "text", "text": "Oslo is mild."}],
        "citations": {"enabled": True},
    }
    system = SystemMessage([{"type": "text", "text": "Oslo is mild", "citations": [CITE]}])
    model(fresh_emulator).invoke([system, HumanMessage([result, "Is Oslo mild?"])])
    sent = fresh_emulator.last_request.json
    assert sent["system"] == [{"type": "text", "text": "Oslo is mild", "citations": [CITE]}]
    assert sent["messages"][0]["content"][0] == result


def test_system_citations_are_refused_where_the_schema_has_none(fresh_emulator: Emulator) -> None:
    system = SystemMessage([{"type": "text", "text": "Oslo is mild", "citations": [CITE]}])
    llm = ChatAIMLAPI(
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
        model="anthropic/claude-sonnet-4.5",
        api="chat_completions",  # the 4.x chat schema has no citations on system text
    )
    with pytest.raises(UnsupportedContentError, match="citations on the system prompt"):
        llm.invoke([system, HumanMessage("Hi")])
    assert fresh_emulator.requests == []


def test_server_tool_dicts_are_bound_as_given() -> None:
    tool = {"type": "web_fetch_20250910", "name": "web_fetch", "citations": {"enabled": True}}
    bound = ChatAIMLAPI(model=FIVE).bind_tools([tool])
    assert bound.kwargs["tools"] == [tool]  # type: ignore[attr-defined]


def test_a_newer_block_in_an_answer_is_replayed_as_is() -> None:
    # Captured on the transport: the emulator (rightly) refuses a block type no schema lists.
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        reply = {"type": "message", "role": "assistant", "content": [], "stop_reason": "end_turn",
                 "usage": {"input_tokens": 1, "output_tokens": 1}}  # fmt: skip
        return httpx.Response(200, json=reply)

    llm = ChatAIMLAPI(
        api_key="k",
        base_url="http://gateway.test/v1",
        api="messages",
        model=FIVE,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    newer = {"type": "hologram", "depth": 3}
    llm.invoke([HumanMessage("Hi"), AIMessage([newer, "Hello"]), HumanMessage("Again")])
    assert sent[0]["messages"][1]["content"] == [newer, {"type": "text", "text": "Hello"}]


def test_content_blocks_of_a_cited_answer() -> None:
    answer = AIMessage(
        [{"type": "text", "text": "Mild.", "citations": [CITE]}],
        response_metadata={"model_provider": "aimlapi"},
    )
    (text,) = answer.content_blocks
    assert text["annotations"] == [  # type: ignore[typeddict-item]
        {
            "type": "citation",
            "cited_text": "Oslo is mild",
            "title": "Notes",
            "extras": {k: v for k, v in CITE.items() if k not in ("cited_text", "type")}
            | {"type": "char_location", "document_title": "Notes"},
        }
    ]
