"""Scripted replies: exactly what a test says, in either dialect, whole or streamed."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from emulator_support import MODEL, Api, sse_data, sse_events, user

from aimlapi_emulator import Emulator, RecordedRequest, Reply, ToolCall


def _chat_text(chunks: list[Any]) -> str:
    return "".join(c["choices"][0].get("delta", {}).get("content", "") for c in chunks)


def test_replies_are_used_in_order_then_the_default_assistant_answers():
    with Emulator(replies=[Reply(text="first"), "second"]) as emu, httpx.Client() as client:
        api = Api(emu, client)
        assert api.chat(messages=user("a")).json()["choices"][0]["message"]["content"] == "first"
        assert api.messages(messages=user("b")).json()["content"] == [
            {"type": "text", "text": "second"}
        ]
        assert emu.pending_replies == []
        default = api.chat(messages=user("c")).json()["choices"][0]["message"]["content"]
        assert "default answer" in default
        assert [r.json["messages"][0]["content"] for r in emu.requests] == ["a", "b", "c"]


def test_a_refused_request_does_not_use_a_reply(fresh_api: Api):
    fresh_api.emu.add_reply("kept for the valid request")
    assert fresh_api.chat(messages=user("x"), temperature=3).status_code == 400
    body = fresh_api.chat(messages=user("x")).json()
    assert body["choices"][0]["message"]["content"] == "kept for the valid request"


def test_a_scripted_reply_streams_in_both_dialects(fresh_api: Api):
    text = "exactly this, and nothing else — streamed in several pieces"
    for _ in range(2):
        fresh_api.emu.add_reply(Reply(text=text))
    chunks = sse_data(fresh_api.chat(messages=user("hi"), stream=True))
    assert len(chunks) > 3
    assert _chat_text(chunks) == text
    events = sse_events(fresh_api.messages(messages=user("hi"), stream=True))
    assert "".join(d["delta"].get("text", "") for n, d in events if n == "content_block_delta") == (
        text
    )


def test_scripted_tool_calls_thinking_stop_reason_and_usage(fresh_api: Api):
    weather = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}
    reply = Reply(
        text="Checking both.",
        thinking="Two cities, two calls.",
        tool_calls=[
            {"name": "get_weather", "input": {"city": "Oslo"}},
            ToolCall("get_weather", {"city": "Rome"}, id="toolu_fixed"),
        ],
        usage={"input_tokens": 11, "output_tokens": 22},
    )
    fresh_api.emu.set_replies([reply, reply])
    thinking = {"type": "enabled", "budget_tokens": 1024}
    body = fresh_api.messages(
        messages=user("weather?"), tools=[weather], thinking=thinking, max_tokens=2000
    ).json()
    assert [b["type"] for b in body["content"]] == ["thinking", "text", "tool_use", "tool_use"]
    assert body["content"][0]["thinking"] == "Two cities, two calls."
    assert body["content"][0]["signature"] == fresh_api.emu.sign_thinking("Two cities, two calls.")
    assert [(b["name"], b["input"]) for b in body["content"][2:]] == [
        ("get_weather", {"city": "Oslo"}),
        ("get_weather", {"city": "Rome"}),
    ]
    assert body["content"][2]["id"].startswith("toolu_01")
    assert body["content"][3]["id"] == "toolu_fixed"
    assert body["stop_reason"] == "tool_use"
    assert (body["usage"]["input_tokens"], body["usage"]["output_tokens"]) == (11, 22)
    chunks = sse_data(
        fresh_api.chat(
            messages=user("weather?"), tools=[weather], thinking=thinking, max_tokens=2000,
            stream=True,
        )
    )  # fmt: skip
    calls = [
        c["choices"][0]["delta"]["tool_calls"][0] for c in chunks
        if "tool_calls" in c["choices"][0].get("delta", {})
    ]  # fmt: skip
    assert [c["function"]["name"] for c in calls if "id" in c] == ["get_weather", "get_weather"]
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_an_explicit_stop_reason_is_sent_as_scripted(fresh_api: Api):
    fresh_api.emu.add_reply(Reply(text="cut", stop_reason="max_tokens"))
    body = fresh_api.chat(messages=user("x"), max_tokens=100).json()
    assert body["choices"][0]["finish_reason"] == "max_tokens"
    assert body["choices"][0]["message"]["content"] == "cut"


def test_a_function_sees_the_request_and_none_falls_back():
    seen: list[RecordedRequest] = []

    def answer(request: RecordedRequest) -> Reply | None:
        seen.append(request)
        if request.path.endswith("/messages"):
            return None
        return Reply(text=f"you said {request.json['messages'][-1]['content']}")

    with Emulator(replies=answer) as emu, httpx.Client() as client:
        api = Api(emu, client)
        body = api.chat(messages=user("ping"), temperature=0.5).json()
        assert body["choices"][0]["message"]["content"] == "you said ping"
        assert seen[0].json["temperature"] == 0.5
        assert seen[0] == emu.requests[0]
        assert "default answer" in api.messages(messages=user("pong")).json()["content"][0]["text"]
        with pytest.raises(RuntimeError, match="answers with a function"):
            emu.add_reply("x")


def test_a_failing_function_is_reported_in_the_answer():
    def broken(request: RecordedRequest) -> Reply:
        raise ValueError("no script for this")

    with Emulator(replies=broken) as emu, httpx.Client() as client:
        response = Api(emu, client).chat(messages=user("x"))
    assert response.status_code == 500
    assert "replies function raised ValueError: no script for this" in response.json()["message"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"stop_reason": "done"}, "stop_reason must be one of"),
        ({"usage": {"prompt_tokens": 3}}, "Reply.usage takes"),
        ({"tool_calls": [{"function": "f"}]}, "a scripted tool call is"),
    ],
)
def test_a_malformed_reply_is_refused_when_built(kwargs: dict[str, Any], error: str):
    with pytest.raises(ValueError, match=error):
        Reply(**kwargs)


@pytest.mark.parametrize(
    ("reply", "text"),
    [
        (json.dumps({"text": "from the command line"}), "from the command line"),
        ("Hello", "Hello"),  # plain text, as Emulator(replies=["Hello"]) takes it
    ],
)
def test_cli_takes_replies(reply: str, text: str):
    command = [sys.executable, "-m", "aimlapi_emulator", "--port", "0"]
    with subprocess.Popen([*command, "--reply", reply], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        body = {"model": MODEL, "messages": user("Hello")}
        response = httpx.post(
            f"{base_url}/chat/completions", json=body, headers={"Authorization": "Bearer k"}
        )
        assert response.json()["choices"][0]["message"]["content"] == text
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    bad = subprocess.run(
        [*command, "--reply", '{"txt": "typo"}'], capture_output=True, text=True, timeout=30
    )
    assert bad.returncode == 2
    assert "unknown Reply field(s) ['txt']" in bad.stderr


@pytest.mark.parametrize(
    ("argument", "texts"),
    [
        ("Hello", ["Hello"]),
        ("Bonjour !", ["Bonjour !"]),
        ('{"text": "Paris."}', ["Paris."]),
        ('["one", {"text": "two"}]', ["one", "two"]),
    ],
)
def test_cli_reply_takes_plain_text_as_the_python_api_does(argument: str, texts: list[str]):
    from aimlapi_emulator.__main__ import parse_reply

    assert parse_reply(argument) == [Reply(text=t) for t in texts]


def test_cli_reply_that_starts_like_json_must_be_json():
    from aimlapi_emulator.__main__ import parse_reply

    with pytest.raises(ValueError):
        parse_reply('{"text": "unclosed')
