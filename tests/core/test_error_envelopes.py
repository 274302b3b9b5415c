"""One error envelope reads the same however it arrives: as a non-2xx body, as a 2xx body and as
an SSE ``error`` event mid-stream, on both dialects (docs/wire.md "Errors")."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_core.errors import APIStatusError, StreamError

KEY = "sk-envelope-test-5e1a"
BASE = "http://gateway.test/v1"

# (envelope, the message every path must report, the status a 2xx body maps to)
ENVELOPES: list[tuple[str, dict[str, Any], str, int]] = [
    (
        "nest-list",
        {"statusCode": 400, "message": ["max_tokens must be a number"]},
        "max_tokens must be a number",
        400,
    ),
    (
        "nest-string",
        {"message": "Free-tier limit", "path": "/v1/messages", "statusCode": 429},
        "Free-tier limit",
        429,
    ),
    (
        # errors-and-messages__general-info.md's example writes the status as a string.
        "nest-string-status",
        {"message": "Free-tier limit", "requestId": "798b", "statusCode": "429"},
        "Free-tier limit",
        429,
    ),
    (
        "problem+json",
        {
            "title": "Unauthorized",
            "status": 401,
            "message": "You provided an empty string as an API key",
            "error": {"name": "UnauthorizedException", "message": "empty key"},
        },
        "You provided an empty string as an API key",
        401,
    ),
    (
        "problem-title-only",
        {"title": "Forbidden", "status": 403},
        "Forbidden",
        403,
    ),
    (
        "anthropic",
        {"type": "error", "error": {"type": "invalid_request_error", "message": "bad tool"}},
        "bad tool",
        400,
    ),
    (
        "openai",
        {"error": {"message": "upstream refused", "type": "invalid_request_error"}},
        "upstream refused",
        400,  # no status in the body: the type's status (OpenAI shares Anthropic's type name)
    ),
    ("error-string", {"error": "upstream timed out"}, "upstream timed out", 500),  # no type: 500,
]
IDS = [e[0] for e in ENVELOPES]
KINDS = {
    "problem+json": "UnauthorizedException",
    "anthropic": "invalid_request_error",
    "openai": "invalid_request_error",
}
API = ["chat_completions", "messages"]


def request() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=32,
        messages=[Message(role="user", parts=[TextPart(text="Hi")])],
    )


def client(api: str, *responses: httpx.Response) -> tuple[AIMLAPIClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []
    answers = list(responses)

    def handler(req: httpx.Request) -> httpx.Response:
        sent.append(req)
        return answers.pop(0)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return AIMLAPIClient(api_key=KEY, base_url=BASE, api=api, http_client=http, max_retries=0), sent


def sse_error(body: dict[str, Any]) -> httpx.Response:
    raw = b"event: error\ndata: " + json.dumps(body).encode() + b"\n\n"
    return httpx.Response(200, content=raw, headers={"content-type": "text/event-stream"})


@pytest.mark.parametrize("api", API)
@pytest.mark.parametrize(("name", "body", "message", "status"), ENVELOPES, ids=IDS)
def test_non_2xx_2xx_and_stream_error_event_agree(
    api: str, name: str, body: dict[str, Any], message: str, status: int
) -> None:
    c, sent = client(
        api,
        httpx.Response(422, json=body),
        httpx.Response(200, json=body),
        httpx.Response(200, json=body),  # a stream request answered with one JSON body
        sse_error(body),
    )
    with pytest.raises(APIStatusError) as non_2xx:
        c.create(request())
    with pytest.raises(APIStatusError) as on_2xx:
        c.create(request())
    with pytest.raises(APIStatusError) as streamed_json, c.stream(request()) as s:
        list(s)
    with pytest.raises(StreamError) as mid_stream, c.stream(request()) as s:
        list(s)

    assert non_2xx.value.message == message
    assert (non_2xx.value.status_code, non_2xx.value.body) == (422, body)
    assert on_2xx.value.message == message
    assert (on_2xx.value.status_code, on_2xx.value.body) == (status, body)
    assert streamed_json.value.message == message
    assert streamed_json.value.status_code == status
    kind = KINDS.get(name)  # a stream error names the error's type when the body has one
    expected = f"{kind}: {message}" if kind else message
    assert str(mid_stream.value) == f"the API reported an error mid-stream: {expected}"
    path = "/chat/completions" if api == "chat_completions" else "/messages"
    assert [r.url.path for r in sent] == [f"/v1{path}"] * 4


@pytest.mark.parametrize("api", API)
async def test_async_client_reads_envelopes_the_same(api: str) -> None:
    body = {"statusCode": 400, "message": ["max_tokens must be a number"]}
    answers = [httpx.Response(200, json=body), httpx.Response(400, json=body), sse_error(body)]

    async def handler(req: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    c = AsyncAIMLAPIClient(api_key=KEY, base_url=BASE, api=api, http_client=http, max_retries=0)
    messages = []
    for _ in range(2):
        with pytest.raises(APIStatusError) as info:
            await c.create(request())
        messages.append(info.value.message)
    async with c.stream(request()) as s:
        with pytest.raises(StreamError, match="mid-stream: max_tokens must be a number"):
            await s.get_final_result()
    assert messages == ["max_tokens must be a number"] * 2
    await http.aclose()


def test_the_type_prefixes_a_stream_error_but_not_a_status_error() -> None:
    # A status error says what kind of failure it is by its status code; a stream error has
    # none, so it keeps the envelope's type in front of the same message.
    body = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    c, _ = client("messages", httpx.Response(529, json=body), sse_error(body))
    with pytest.raises(APIStatusError) as status:
        c.create(request())
    with pytest.raises(StreamError) as stream, c.stream(request()) as s:
        list(s)
    assert status.value.message == "Overloaded"
    assert "mid-stream: overloaded_error: Overloaded (the model is overloaded" in str(stream.value)


def test_a_2xx_error_body_takes_the_request_id_header_when_the_body_has_none() -> None:
    body = {"statusCode": 429, "message": "slow down"}
    c, _ = client(
        "chat_completions", httpx.Response(200, json=body, headers={"x-request-id": "h1"})
    )
    with pytest.raises(APIStatusError) as info:
        c.create(request())
    assert (info.value.message, info.value.request_id) == ("slow down", "h1")
