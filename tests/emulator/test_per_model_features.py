"""The emulator's per-model features over plain HTTP (aimlapi_emulator/_thinking.py,
_prompt_cache.py, _server_tools.py, _web_search.py): per-model refusals, adaptive thinking
answered, cache writes then reads, the scripted web search (whole and streamed alike), and
histories holding server tool blocks."""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import Api, sse_events, user

FIVE = "anthropic/claude-sonnet-5"
FOUR = "anthropic/claude-sonnet-4.5"
WEB_SEARCH = {"type": "web_search_20250305", "name": "web_search", "max_uses": 2}
ASK = user("Search the web for Oslo weather")


def body(model: str = FIVE, **fields: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 256, "messages": user("Hi"), **fields}


def test_adaptive_thinking_is_answered_with_a_signed_thinking_block(api: Api) -> None:
    answer = api.messages(**body(thinking={"type": "adaptive"})).json()
    thinking = answer["content"][0]
    assert thinking["type"] == "thinking"
    assert thinking["thinking"].startswith("Adaptive thinking")
    assert api.emu.sign_thinking(thinking["thinking"]) == thinking["signature"]


def test_adaptive_thinking_on_a_4x_chat_schema_is_a_400(api: Api) -> None:
    response = api.chat(**body(FOUR, thinking={"type": "adaptive"}))
    assert response.status_code == 400
    assert "received 'adaptive'" in response.text


def test_adaptive_thinking_keeps_the_temperature_rule(api: Api) -> None:
    response = api.messages(**body(thinking={"type": "adaptive"}, temperature=0.3))
    assert response.status_code == 400
    assert "temperature" in response.text


@pytest.mark.parametrize("path", ["chat", "messages"])
def test_cache_writes_then_reads(fresh_api: Api, path: str) -> None:
    # Over the model's minimum cacheable length (docs/wire.md "Prompt caching").
    system = [{"type": "text", "text": "Rules. " * 1200, "cache_control": {"type": "ephemeral"}}]
    send = getattr(fresh_api, path)
    first = send(**body(system=system)).json()["usage"]
    second = send(**body(system=system, messages=user("Hello again"))).json()["usage"]
    if path == "messages":
        assert first["cache_creation_input_tokens"] > 0
        assert first["cache_read_input_tokens"] == 0
        assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
        assert second["cache_creation_input_tokens"] == 0
    else:
        written = first["prompt_tokens_details"]["cache_write_tokens"]
        assert written > 0
        assert first["prompt_tokens_details"]["cached_tokens"] == 0
        assert second["prompt_tokens_details"]["cached_tokens"] == written


def test_a_refused_request_caches_nothing(fresh_api: Api) -> None:
    system = [{"type": "text", "text": "Rules. " * 1200, "cache_control": {"type": "ephemeral"}}]
    refused = fresh_api.messages(**body(system=system, temperature=7))
    assert refused.status_code == 400
    usage = fresh_api.messages(**body(system=system)).json()["usage"]
    assert usage["cache_read_input_tokens"] == 0
    assert usage["cache_creation_input_tokens"] > 0


def test_cache_control_on_a_4x_chat_schema_is_a_400(api: Api) -> None:
    blocks = [{"type": "text", "text": "Hi", "cache_control": {"type": "ephemeral"}}]
    response = api.chat(**body(FOUR, messages=[{"role": "user", "content": blocks}]))
    assert response.status_code == 400
    assert "cache_control" in response.text


def test_web_search_turn_whole_and_streamed_alike(api: Api) -> None:
    whole = api.messages(**body(messages=ASK, tools=[WEB_SEARCH])).json()["content"]
    assert [b["type"] for b in whole] == ["server_tool_use", "web_search_tool_result", "text"]
    assert whole[0]["input"] == {"query": "Oslo weather"}
    assert whole[1]["tool_use_id"] == whole[0]["id"]
    assert whole[2]["citations"][0]["url"] == whole[1]["content"][0]["url"]
    events = sse_events(api.messages(**body(messages=ASK, tools=[WEB_SEARCH], stream=True)))
    starts = [d["content_block"]["type"] for n, d in events if n == "content_block_start"]
    assert starts == ["server_tool_use", "web_search_tool_result", "text"]
    deltas = [d["delta"]["type"] for n, d in events if n == "content_block_delta"]
    assert deltas[:2] == ["input_json_delta", "citations_delta"]


def test_web_search_on_chat_answers_with_url_annotations(api: Api) -> None:
    message = api.chat(**body(messages=ASK, tools=[WEB_SEARCH])).json()["choices"][0]["message"]
    assert message["annotations"][0]["type"] == "url_citation"
    assert message["annotations"][0]["url_citation"]["url"].startswith("https://search.example/")


def test_a_server_tool_type_the_schema_lacks_is_a_400(api: Api) -> None:
    tool = {"type": "web_search_29990101", "name": "web_search"}
    response = api.messages(**body(tools=[tool]))
    assert response.status_code == 400
    assert "web_search_29990101" in response.text
    assert api.chat(**body(FOUR, tools=[WEB_SEARCH])).status_code == 400


def test_a_history_with_a_search_is_accepted_and_checked(api: Api) -> None:
    searched = api.messages(**body(messages=ASK, tools=[WEB_SEARCH])).json()["content"]
    history = [*ASK, {"role": "assistant", "content": searched}, *user("Thanks")]
    assert api.messages(**body(messages=history, tools=[WEB_SEARCH])).status_code == 200
    orphan = [searched[1], searched[2]]  # a result whose server_tool_use is missing
    broken = [*ASK, {"role": "assistant", "content": orphan}, *user("Thanks")]
    response = api.messages(**body(messages=broken, tools=[WEB_SEARCH]))
    assert response.status_code == 400
    assert "server_tool_use" in response.text
