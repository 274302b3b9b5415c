"""The async client at level 2: the same behaviour as the sync one through its own I/O loop."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from aimlapi_core import (
    AsyncAIMLAPIClient,
    ChatRequest,
    Finish,
    ImagePart,
    Message,
    TextDelta,
    TextPart,
)
from aimlapi_core.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    StreamError,
)

FIXTURES = Path(__file__).parent / "fixtures"
KEY = "sk-async-test-51e0c3aa"
BASE = "http://gateway.test/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 16


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def request(**kw: object) -> ChatRequest:
    base: dict[str, object] = {
        "model": "claude-sonnet-4-20250514",
        "max_tokens": 64,
        "messages": [Message(role="user", parts=[TextPart(text="Hello")])],
    }
    base.update(kw)
    return ChatRequest(**base)  # type: ignore[arg-type]


class Script:
    def __init__(self, *answers: httpx.Response | Exception | Callable[..., httpx.Response]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    async def __call__(self, req: httpx.Request) -> httpx.Response:
        self.requests.append(req)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(req)
        return answer


def make(script: Script, **kw: object) -> tuple[AsyncAIMLAPIClient, list[float]]:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    kw.setdefault("api_key", KEY)
    kw.setdefault("api", "chat_completions")  # the chat-format fixtures these tests serve
    client = AsyncAIMLAPIClient(
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(script)),
        sleep=sleep,
        jitter=lambda: 0.0,
        **kw,  # type: ignore[arg-type]
    )
    return client, sleeps


class Body(httpx.AsyncByteStream):
    """An async body from blocks; optionally fails or stalls after them; records aclose()."""

    def __init__(self, blocks: list[bytes], after: Exception | None = None, stall: bool = False):
        self.blocks, self.after, self.stall, self.closed = blocks, after, stall, False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for block in self.blocks:
            yield block
        if self.stall:
            await asyncio.Event().wait()  # never set: cancelled by the test's own timeout
        if self.after is not None:
            raise self.after

    async def aclose(self) -> None:
        self.closed = True


def blocks(name: str) -> list[bytes]:
    return [b + b"\n\n" for b in fixture_bytes(name).split(b"\n\n") if b.strip()]


async def drain(client: AsyncAIMLAPIClient, sink: list[object] | None = None) -> None:
    async with client.stream(request()) as s:
        async for event in s:
            if sink is not None:
                sink.append(event)


def sse(body: Body, **headers: str) -> httpx.Response:
    return httpx.Response(
        200, stream=body, headers={"content-type": "text/event-stream", **headers}
    )


@pytest.mark.parametrize(
    ("api", "path", "prefix"),
    [("chat_completions", "/v1/chat/completions", "cc"), ("messages", "/v1/messages", "msg")],
)
async def test_create_and_stream_send_exactly_and_agree(api: str, path: str, prefix: str) -> None:
    headers = {"x-request-id": "rid-a", "x-inference-id": "inf-a"}
    script = Script(
        httpx.Response(200, content=fixture_bytes(f"{prefix}_text.json")),
        sse(Body(blocks(f"{prefix}_text.sse")), **headers),
    )
    client, sleeps = make(script, api=api, stream_idle_timeout=3.0, timeout=9.0)
    whole = await client.create(request())
    stream = client.stream(request())
    assert len(script.requests) == 1  # lazy
    async with stream as s:
        events = [e async for e in s]
        final = await s.get_final_result()
    assert s.request_id == "rid-a"

    first, second = script.requests
    for sent in script.requests:
        assert (sent.method, str(sent.url)) == ("POST", f"http://gateway.test{path}")
        assert sent.headers["authorization"] == f"Bearer {KEY}"
        assert sent.headers["user-agent"] == "aimlapi-integrations/0.1.0"
    assert first.headers["accept"] == "application/json"
    assert second.headers["accept"] == "text/event-stream"
    assert json.loads(first.content) == {
        "model": "claude-sonnet-4-20250514",
        "messages": [{"role": "user", "content": "Hello"}],
        "max_tokens": 64,
    }
    assert json.loads(second.content) == {**json.loads(first.content), "stream": True}
    assert first.extensions["timeout"]["read"] == 9.0
    assert second.extensions["timeout"]["read"] == 3.0
    assert sum(isinstance(e, Finish) for e in events) == 1
    assert final.parts == whole.parts
    assert (final.request_id, final.inference_id) == ("rid-a", "inf-a")
    assert sleeps == []


async def test_retry_sequence_with_recorded_sleeps() -> None:
    busy = {"message": "busy", "statusCode": 503}
    script = Script(
        httpx.Response(429, json={"message": "slow down"}, headers={"Retry-After": "2"}),
        httpx.ConnectError("refused"),
        httpx.Response(200, content=fixture_bytes("cc_text.json")),
        httpx.Response(503, json=busy),
        httpx.Response(503, json=busy),
        httpx.Response(503, json=busy),
    )
    client, sleeps = make(script)
    assert (await client.create(request())).text
    assert sleeps == [2.0, 1.0]  # Retry-After, then backoff for attempt 1
    sleeps.clear()
    with pytest.raises(InternalServerError):
        await client.create(request())
    assert sleeps == [0.5, 1.0]
    assert len(script.requests) == 6


async def test_400_not_retried_and_envelopes_read() -> None:
    problem = {
        "title": "Unauthorized",
        "status": 401,
        "message": "Bad key",
        "requestId": "p-1",
        "error": {"name": "UnauthorizedException", "message": "Bad key"},
    }
    script = Script(
        httpx.Response(400, json={"message": "bad body", "statusCode": 400, "requestId": "n-1"}),
        httpx.Response(401, json=problem, headers={"content-type": "application/problem+json"}),
        httpx.Response(429, text="Too many", headers={"x-request-id": "h-1"}),
    )
    client, sleeps = make(script, max_retries=0)
    with pytest.raises(BadRequestError) as bad:
        await client.create(request())
    with pytest.raises(AuthenticationError) as auth:
        await client.create(request())
    with pytest.raises(RateLimitError) as rate:
        await client.create(request())
    assert (bad.value.message, bad.value.request_id) == ("bad body", "n-1")
    assert (auth.value.message, auth.value.request_id) == ("Bad key", "p-1")
    assert (rate.value.message, rate.value.request_id) == ("Too many", "h-1")
    assert sleeps == []


async def test_connection_errors_map_with_cause() -> None:
    cause = httpx.ConnectTimeout("slow connect")
    client, _ = make(Script(cause), max_retries=0)
    with pytest.raises(APITimeoutError) as info:
        await client.create(request())
    assert info.value.__cause__ is cause
    client, _ = make(Script(httpx.ConnectError("refused")), max_retries=0)
    with pytest.raises(APIConnectionError):
        await client.create(request())


async def test_stream_idle_timeout() -> None:
    body = Body(blocks("cc_text.sse")[:2], after=httpx.ReadTimeout("no data"))
    script = Script(sse(body))
    client, sleeps = make(script, stream_idle_timeout=0.5)
    with pytest.raises(APITimeoutError, match=r"0\.5 s \(stream_idle_timeout\)"):
        await drain(client)
    assert body.closed
    assert (len(script.requests), sleeps) == (1, [])


async def test_mid_stream_failure_is_not_retried() -> None:
    body = Body(blocks("cc_text.sse")[:3], after=httpx.RemoteProtocolError("peer closed"))
    script = Script(sse(body), httpx.Response(200, content=fixture_bytes("cc_text.json")))
    client, sleeps = make(script)
    got: list[object] = []
    with pytest.raises(StreamError, match="mid-stream"):
        await drain(client, got)
    assert any(isinstance(e, TextDelta) for e in got)
    assert (len(script.requests), sleeps) == (1, [])


async def test_unfinished_stream_raises_stream_error() -> None:
    body = Body(blocks("cc_truncated.sse"))
    client, _ = make(Script(sse(body)))
    with pytest.raises(StreamError, match="before the model finished"):
        await drain(client)
    assert body.closed


async def test_break_closes_the_response() -> None:
    body = Body(blocks("cc_text.sse"), stall=True)  # would hang if read to the end
    client, _ = make(Script(sse(body)))
    async with client.stream(request()) as s:
        async for event in s:
            if isinstance(event, TextDelta):
                break
        assert not body.closed
    assert body.closed


async def test_images_fetched_with_the_same_client() -> None:
    def route(req: httpx.Request) -> httpx.Response:
        if req.url.host == "img.test":
            return httpx.Response(200, content=PNG, headers={"content-type": "image/png"})
        return httpx.Response(200, content=fixture_bytes("msg_text.json"))

    script = Script(route, route)
    client, _ = make(script, api="messages")
    part = ImagePart(url="https://img.test/a.png")
    await client.create(
        request(messages=[Message(role="user", parts=[TextPart(text="see"), part])])
    )
    assert part.data is None  # the caller's part is untouched
    fetch, post = script.requests
    assert "authorization" not in fetch.headers
    image = json.loads(post.content)["messages"][0]["content"][1]
    assert image["source"]["data"] == base64.b64encode(PNG).decode()


async def test_list_models_and_close() -> None:
    script = Script(httpx.Response(200, json={"data": [{"id": "claude-sonnet-4"}]}))
    client, _ = make(script, api_key=None)
    assert await client.list_models() == [{"id": "claude-sonnet-4"}]
    assert "authorization" not in script.requests[0].headers
    own = AsyncAIMLAPIClient(api_key=KEY)
    http = own._client()
    async with own:
        pass
    assert http.is_closed
