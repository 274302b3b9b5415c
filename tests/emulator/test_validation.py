"""Every validation rule answers 400 in the documented envelope with a precise message.

The emulator validates from the specs, independently of any client: these bodies are what a
buggy client might send.
"""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import MODEL, Api, user

TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"location": {"type": "string"}},
        "required": ["location"],
    },
}
IMG = {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}
TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"location": "x"}}
THINKING = {"type": "enabled", "budget_tokens": 1024}


def _tool_turns(result_id: str) -> list[dict[str, Any]]:
    return [
        *user("weather?"),
        {"role": "assistant", "content": [TOOL_USE]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": result_id}]},
    ]


# (endpoint, fields merged into a valid body, a part of the expected message)
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("chat", {"temperature": None}, "temperature: Expected a value, received null"),
    ("chat", {"messages": [{"role": "user", "content": [{"type": "text", "text": None}]}]},
     "messages[0].content[0].text: Expected a value, received null"),
    ("chat", {"tools": []}, "tools: Array must contain at least 1 element"),
    ("chat", {"messages": [{"role": "system", "content": "Be terse."}, *user("Hi")]},
     "Unsupported value: 'messages[0].role' does not support 'system' with this model."),
    ("chat", {"messages": [*user("Hi"), {"role": "tool", "content": "42"}]},
     "Unsupported value: 'messages[1].role' does not support 'tool' with this model."),
    ("chat", {"stop": ["x"]}, "'stop' is not supported with this model; use 'stop_sequences'"),
    ("chat", {"n": 2}, "'n' is not supported"),
    ("chat", {"stream_options": {"include_usage": True}}, "'stream_options' is not supported"),
    ("chat", {"response_format": {"type": "json_object"}}, "'response_format' is not supported"),
    ("chat", {"parallel_tool_calls": False}, "disable_parallel_tool_use"),
    ("chat", {"max_completion_tokens": 10}, "use 'max_tokens' instead"),
    ("chat", {"frequency_penaltyy": 1}, "Unrecognized key(s) in object: 'frequency_penaltyy'"),
    ("chat", {"tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
     "tools[0]: OpenAI-style function tools"),
    ("chat", {"temperature": 1.5}, "temperature: Number must be between 0 and 1"),
    ("chat", {"top_p": -0.1}, "top_p: Number must be between 0 and 1"),
    ("chat", {"thinking": {"type": "enabled", "budget_tokens": 1000}, "max_tokens": 4000},
     "budget_tokens: Input should be greater than or equal to 1024"),
    ("chat", {"thinking": THINKING, "max_tokens": 1024},
     "`max_tokens` must be greater than `thinking.budget_tokens`"),
    ("chat", {"thinking": THINKING, "max_tokens": 2000, "tools": [TOOL],
              "tool_choice": {"type": "any"}},
     "Thinking may not be enabled when tool_choice forces tool use."),
    ("chat", {"thinking": THINKING, "max_tokens": 2000, "temperature": 0.5},
     "`temperature` may only be set to 1 when thinking is enabled."),
    ("chat", {"messages": [{"role": "user", "content": [{"type": "text", "text": ""}]}]},
     "messages.0.content.0.text: text content blocks must be non-empty"),
    ("chat", {"messages": user("")}, "messages.0: all messages must have non-empty content"),
    ("chat", {"messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}]}]},
     "API only support BASE64 String as Image input"),
    ("chat", {"messages": [{"role": "user", "content": [
        {"type": "image", "source": {**IMG, "data": "not base64!"}}]}]}, "not valid base64"),
    ("chat", {"tools": [TOOL], "tool_choice": {"type": "tool", "name": "get_time"}},
     "tool_choice.name: Tool 'get_time' not found"),
    ("chat", {"tool_choice": {"type": "auto"}}, "tool_choice may only be specified while"),
    ("chat", {"tools": [TOOL], "tool_choice": "required"}, "tool_choice: Expected object"),
    ("chat", {"tools": [TOOL], "messages": _tool_turns("toolu_other")},
     "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_other"),
    ("messages", {"tools": [TOOL], "messages": [
        *user("weather?"), {"role": "assistant", "content": [{**TOOL_USE, "id": "fc/x.1"}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "fc/x.1"}]}]},
     "messages.1.content.0.id: String should match pattern '^[a-zA-Z0-9_-]+$'"),
    ("chat", {"tools": [TOOL], "messages": [*_tool_turns("toolu_1")[:2], *user("and?")]},
     "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after"),
    ("chat", {"messages": [*user("a"), *user("b")]},
     'roles must alternate between "user" and "assistant"'),
    ("chat", {"messages": [{"role": "user", "content": "hi", "name": "bob"}]},
     "messages[0]: Unrecognized key(s) in object: ['name']"),
    ("chat", {"tools": [{**TOOL, "input_schema": {"anyOf": [{"type": "object"}]}}]},
     "input_schema.type: Input should be 'object'"),
    ("chat", {"tools": [TOOL, TOOL]}, "Tool names must be unique"),
    ("chat", {"system": [{"type": "text", "text": "x"}]}, "system: Expected string"),
    ("chat", {"model": ""}, "model: Required"),
    ("chat", {"stop_sequences": ["  "]}, "each stop sequence must contain non-whitespace"),
    ("chat", {"messages": [{"role": "user", "content": [
        {"type": "text", "text": "Hi", "cache_control": {"type": "ephemeral"}}]}]},
     "messages[0].content[0]: Unrecognized key(s) in object: ['cache_control']"),
    ("chat", {"messages": [{"role": "user", "content": [
        {"type": "document", "title": "T", "source": {"type": "text", "data": "x"}}]}]},
     "messages[0].content[0]: Unrecognized key(s) in object: ['title']"),
    ("chat", {"messages": [*user("Hi"), {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "hm"}, {"type": "text", "text": "Yes"}]}, *user("ok")]},
     "messages[1].content[0].signature: Required"),
    ("messages", {"max_tokens": None}, "max_tokens: Expected a value, received null"),
    ("messages", {"messages": [{"role": "system", "content": "x"}, *user("Hi")]},
     'Unexpected role "system"'),
    ("messages", {"messages": [{"role": "assistant", "content": [
        {"type": "image", "source": IMG}]}, *user("Hi")]},
     "`image` blocks are not allowed in `assistant` messages"),
]  # fmt: skip


@pytest.mark.parametrize(("endpoint", "fields", "message"), CASES)
def test_invalid_body_gets_400_with_a_precise_message(
    api: Api, endpoint: str, fields: dict[str, Any], message: str
):
    base: dict[str, Any] = {"model": MODEL, "messages": user("Hi"), "max_tokens": 100}
    body = {**base, **fields}
    path = "/chat/completions" if endpoint == "chat" else "/messages"
    response = api.post(path, body)
    assert response.status_code == 400, response.text
    envelope = response.json()
    assert list(envelope) == ["message", "path", "requestId", "statusCode", "timestamp"]
    assert envelope["statusCode"] == 400
    assert envelope["path"] == f"/v1{path}"
    assert envelope["requestId"] == response.headers["x-request-id"]
    assert message in envelope["message"]


def test_missing_max_tokens_on_messages_is_rejected(api: Api):
    response = api.post("/messages", {"model": MODEL, "messages": user("Hi")})
    assert response.status_code == 400
    assert response.json()["message"] == "max_tokens: Field required"


def test_the_same_body_without_the_fault_is_accepted(api: Api):
    # The table above is only meaningful if the base body itself is valid on both endpoints.
    base = {"model": MODEL, "messages": user("Hi"), "max_tokens": 100}
    assert api.post("/chat/completions", base).status_code == 201
    assert api.post("/messages", base).status_code == 200


def test_a_body_that_is_not_json_is_a_400(api: Api):
    response = api.client.post(
        f"{api.emu.base_url}/chat/completions",
        content=b"{not json",
        headers={"Authorization": f"Bearer {api.emu.api_key}"},
    )
    assert response.status_code == 400
    assert "valid JSON" in response.json()["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer sk-wrong"}, {"Authorization": "Bearer"}, {"x-api-key": "k"}],
)
def test_missing_or_wrong_key_gets_the_documented_401(api: Api, headers: dict[str, str]):
    response = api.client.post(
        f"{api.emu.base_url}/chat/completions",
        json={"model": MODEL, "messages": user("Hi")},
        headers=headers,
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert list(body) == [
        "title", "status", "message", "instance", "requestId", "timestamp", "error",
    ]  # fmt: skip
    assert body["title"] == "Unauthorized"
    assert body["status"] == 401
    assert body["instance"] == "/v1/chat/completions"
    assert body["error"]["name"] == "UnauthorizedException"
    assert "valid API key" in body["message"]


def test_x_api_key_is_accepted_on_messages(api: Api):
    response = api.client.post(
        f"{api.emu.base_url}/messages",
        json={"model": MODEL, "max_tokens": 50, "messages": user("Hi")},
        headers={"x-api-key": api.emu.api_key},
    )
    assert response.status_code == 200, response.text


def test_unknown_path_gets_a_404_envelope(api: Api):
    response = api.post("/completions", {"model": MODEL})
    assert response.status_code == 404
    assert response.json()["message"] == "Cannot POST /v1/completions"
    assert response.json()["statusCode"] == 404


def test_models_needs_no_key_and_lists_claude_ids(api: Api):
    response = api.client.get(f"{api.emu.base_url}/models")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["data"]}
    assert {"claude-sonnet-4-20250514", "anthropic/claude-sonnet-4.5"} <= ids


def test_a_document_in_a_tool_result_is_for_messages_only(api: Api):
    pdf = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf",
                                          "data": "JVBERi0xLjQK"}}  # fmt: skip
    history = [
        *user("read it"),
        {"role": "assistant", "content": [TOOL_USE]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": [pdf]}]},
    ]  # fmt: skip
    body = {"model": MODEL, "messages": history, "max_tokens": 200, "tools": [TOOL]}
    answer = api.post("/messages", body)
    assert answer.status_code == 200, answer.text
    assert "get_weather returned “[document]”" in answer.json()["content"][0]["text"]
    rejected = api.post("/chat/completions", body)
    assert rejected.status_code == 400
    assert "Expected one of text | image blocks in a tool_result" in rejected.json()["message"]
