"""Responses and streams match the documented examples: same keys, same order, same types.

The examples are read from the API pages themselves (verbatim copies in
tests/fixtures/aimlapi-docs), not retyped here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from emulator_support import DOCS, Api, sse_data, sse_events, user

SONNET_PAGE = DOCS / "api-references__text-models-llm__anthropic__claude-4-sonnet.md"
ANTHROPIC_PAGE = DOCS / "api-references__text-models-llm__Anthropic__README.md"


def _doc_blocks(page: Any) -> list[str]:
    return re.findall(r"```json5\n(.*?)```", page.read_text(), re.S)


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    return type(value).__name__


def test_whole_chat_completion_matches_the_documented_example(api: Api):
    doc = json.loads(_doc_blocks(SONNET_PAGE)[0])
    response = api.chat(messages=user("Hello"), max_tokens=200)
    assert response.status_code == 201  # the seeds document 201 for chat completions
    body = response.json()
    assert [k for k in body if k != "meta"] == list(doc)
    choice, doc_choice = body["choices"][0], doc["choices"][0]
    assert list(choice) == list(doc_choice)
    assert list(choice["message"]) == list(doc_choice["message"])
    assert list(body["usage"]) == list(doc["usage"])
    assert _types({k: v for k, v in body.items() if k != "meta"}) == {
        **_types(doc),
        "choices": "list",
    }
    assert choice["finish_reason"] == "end_turn"
    assert choice["message"]["reasoning_content"] == ""
    assert choice["logprobs"] is None
    usage = body["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    cost = body["meta"]["usage"]
    assert response.headers["x-aimlapi-credits-used"] == str(cost["credits_used"])
    assert float(response.headers["x-aimlapi-usd-spent"]) == pytest.approx(cost["usd_spent"])
    assert response.headers["x-request-id"]
    assert response.headers["x-inference-id"]


def test_chat_stream_matches_the_documented_2026_format(api: Api):
    doc_text = _doc_blocks(SONNET_PAGE)[1]
    doc = [json.loads(line[6:]) for line in doc_text.splitlines() if line.startswith("data: ")]
    response = api.chat(messages=user("Tell me about the sea"), max_tokens=200, stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "x-aimlapi-credits-used" not in response.headers  # cost moves into the stream
    assert "x-inference-id" in response.headers
    chunks = sse_data(response)
    assert "[DONE]" not in chunks
    assert len(chunks) >= 5
    first, text_chunks, usage_chunk, last = chunks[0], chunks[1:-2], chunks[-2], chunks[-1]
    assert list(first) == list(doc[0])
    assert first["id"].startswith("msg_")
    assert first["choices"][0]["delta"] == doc[0]["choices"][0]["delta"]
    assert all(c["id"] == "" for c in chunks[1:])
    for chunk in text_chunks:
        assert [k for k in chunk if k != "meta"] == list(doc[2])
        assert set(chunk["choices"][0]["delta"]) == set(doc[2]["choices"][0]["delta"])
        assert chunk["choices"][0]["delta"]["role"] == "assistant"
        assert chunk["usage"] is None
        assert "finish_reason" not in chunk["choices"][0]
    assert list(usage_chunk["choices"][0]) == list(doc[-2]["choices"][0])
    assert usage_chunk["choices"][0]["finish_reason"] == "stop"
    assert list(usage_chunk["usage"]) == list(doc[-2]["usage"])
    assert list(last["choices"][0]) == list(doc[-1]["choices"][0]) == ["index", "finish_reason"]
    assert last["usage"] is None
    assert set(last["meta"]["usage"]) == {"credits_used", "usd_spent"}
    # The stream carries the same answer and usage as the whole response to the same request.
    whole = api.chat(messages=user("Tell me about the sea"), max_tokens=200).json()
    text = "".join(c["choices"][0]["delta"]["content"] for c in chunks[:-1])
    assert text == whole["choices"][0]["message"]["content"]
    assert usage_chunk["usage"] == whole["usage"]


def test_whole_message_matches_the_documented_example(api: Api):
    doc = json.loads(_doc_blocks(ANTHROPIC_PAGE)[0])
    response = api.messages(messages=user("How are you?"), system="You are a robot.")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == list(doc)
    assert list(body["usage"]) == list(doc["usage"])
    assert _types(body["usage"]) == _types(doc["usage"])
    assert list(body["meta"]["usage"]) == list(doc["meta"]["usage"])
    assert body["content"][0]["type"] == "text"
    assert body["stop_reason"] == "end_turn"
    assert body["stop_sequence"] is None


def test_messages_stream_is_anthropic_sse(api: Api):
    response = api.messages(messages=user("Tell me about the sea"), stream=True)
    events = sse_events(response)
    names = [name for name, _ in events]
    assert names[:2] == ["message_start", "ping"]
    assert names[-2:] == ["message_delta", "message_stop"]
    assert all(name == data["type"] for name, data in events)
    start = events[0][1]["message"]
    assert start["content"] == []
    assert start["stop_reason"] is None
    whole = api.messages(messages=user("Tell me about the sea")).json()
    assert start["usage"]["input_tokens"] == whole["usage"]["input_tokens"]
    assert names[2:-2] == [
        "content_block_start", *["content_block_delta"] * (len(names) - 6), "content_block_stop",
    ]  # fmt: skip
    text = "".join(d["delta"]["text"] for n, d in events if n == "content_block_delta")
    assert text == whole["content"][0]["text"]
    delta = events[-2][1]
    assert delta["delta"] == {"stop_reason": "end_turn", "stop_sequence": None}
    assert delta["usage"] == {"output_tokens": whole["usage"]["output_tokens"]}
