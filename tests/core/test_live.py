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


@pytest.mark.parametrize(
    ("model", "options", "length"),
    [
        ("text-embedding-3-small", {"dimensions": 256}, 256),
        ("text-embedding-3-small", {"encoding_format": "base64"}, 1536),
        ("text-multilingual-embedding-002", {"task_type": "RETRIEVAL_DOCUMENT"}, 768),
        ("voyage-2", {"input_type": "document"}, 1024),
    ],
)
def test_live_embed(model: str, options: dict[str, object], length: int) -> None:
    texts = ["The ferry leaves at 08:15.", "The lighthouse was built in 1871.", "Ferry times"]
    with AIMLAPIClient() as client:
        result = client.embed(texts, model=model, **options)  # type: ignore[arg-type]
    assert [len(v) for v in result.vectors] == [length] * 3
    assert result.usage.input_tokens > 0
    ferry, lighthouse, query = result.vectors
    dot = [sum(a * b for a, b in zip(query, v, strict=True)) for v in (ferry, lighthouse)]
    assert dot[0] > dot[1]  # a real model ranks the ferry sentence first
