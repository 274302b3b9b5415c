"""Signed thinking blocks on /messages: they verify on replay, and tampering is caught."""

from __future__ import annotations

from typing import Any

import httpx
from emulator_support import Api, user

from aimlapi_emulator import Emulator

THINKING = {"type": "enabled", "budget_tokens": 1024}
TOOL = {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}


def _first_turn(api: Api) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    body = api.messages(
        messages=user("use get_time"), tools=[TOOL], thinking=THINKING, max_tokens=2000
    ).json()
    content = body["content"]
    assert [b["type"] for b in content] == ["thinking", "text", "tool_use"]
    return content, content[-1]


def _replay(api: Api, assistant: list[dict[str, Any]], tool_id: str) -> httpx.Response:
    history = [
        *user("use get_time"),
        {"role": "assistant", "content": assistant},
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": tool_id, "content": "noon"}],
        },
    ]
    return api.messages(messages=history, tools=[TOOL], thinking=THINKING, max_tokens=2000)


def test_signature_is_an_hmac_the_emulator_can_verify(api: Api):
    content, _ = _first_turn(api)
    assert content[0]["signature"] == api.emu.sign_thinking(content[0]["thinking"])


def test_the_untouched_conversation_replays(api: Api):
    content, tool_use = _first_turn(api)
    response = _replay(api, content, tool_use["id"])
    assert response.status_code == 200, response.text
    assert "get_time returned “noon”" in response.json()["content"][-1]["text"]


def test_an_edited_thinking_text_is_rejected(api: Api):
    content, tool_use = _first_turn(api)
    edited = [{**content[0], "thinking": content[0]["thinking"] + " (edited)"}, *content[1:]]
    response = _replay(api, edited, tool_use["id"])
    assert response.status_code == 400
    assert response.json()["message"] == (
        "messages.1.content.0: Invalid `signature` in `thinking` block"
    )


def test_a_dropped_thinking_block_is_rejected(api: Api):
    content, tool_use = _first_turn(api)
    response = _replay(api, content[1:], tool_use["id"])
    assert response.status_code == 400
    assert response.json()["message"].startswith(
        "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `text`."
    )


def test_a_signature_from_another_emulator_does_not_verify(api: Api):
    content, tool_use = _first_turn(api)
    with Emulator(api_key=api.emu.api_key) as other, httpx.Client() as client:
        response = _replay(Api(other, client), content, tool_use["id"])
    assert response.status_code == 400
    assert "Invalid `signature`" in response.json()["message"]
