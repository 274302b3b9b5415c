"""Level 4: the real AI/ML API. Skipped unless AIMLAPI_API_KEY is set.

The default options only allow loopback sockets; run with `pytest -m live -o addopts=""`.
"""

from __future__ import annotations

import os

import pytest

from aimlapi_core import AIMLAPIClient, ChatRequest, Finish, Message, TextDelta, TextPart

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not os.environ.get("AIMLAPI_API_KEY"), reason="AIMLAPI_API_KEY not set"),
    pytest.mark.enable_socket,
]

MODEL = os.environ.get("AIMLAPI_LIVE_MODEL", "claude-sonnet-4-20250514")


def request() -> ChatRequest:
    return ChatRequest(
        model=MODEL,
        max_tokens=64,
        messages=[Message(role="user", parts=[TextPart(text="Reply with the word: pong")])],
    )


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_live_create(api: str) -> None:
    with AIMLAPIClient(api=api) as client:
        result = client.create(request())
    assert "pong" in result.text.lower()
    assert result.usage.input_tokens > 0
    assert result.request_id


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_live_stream(api: str) -> None:
    with AIMLAPIClient(api=api) as client, client.stream(request()) as stream:
        events = list(stream)
        final = stream.get_final_result()
    assert sum(isinstance(e, Finish) for e in events) == 1
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == final.text
    assert "pong" in final.text.lower()
