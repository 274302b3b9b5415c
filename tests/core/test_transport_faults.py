"""What httpx raises, what the server asks (Retry-After, a wrapped upstream 4xx), the overall
deadline and image fetches — each a typed error of the family, asserted on what was sent
(httpx.MockTransport) and what was received."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from aimlapi_core import (
    AIMLAPIClient,
    AsyncAIMLAPIClient,
    ChatRequest,
    ImagePart,
    Message,
    TextPart,
)
from aimlapi_core._images import MAX_IMAGE_BYTES
from aimlapi_core.errors import (
    AIMLAPIError,
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    ResponseValidationError,
    UnsupportedContentError,
)

KEY = "sk-transport-test-1a2b3c4d"
BASE = "http://gateway.test/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
CC_OK = {
    "id": "c1",
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"content": "fine"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1},
}
SSE_OK = (
    b'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"fine"}}]}\n\n'
    b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
)


def req(*parts: Any) -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=16,
        messages=[Message(role="user", parts=list(parts) or [TextPart(text="hi")])],
    )


class Recorder:
    def __init__(self, handler: Any) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)


def sync_client(handler: Any, sleeps: list[float] | None = None, **kw: Any) -> AIMLAPIClient:
    kw.setdefault("api", "chat_completions")  # the chat-format fixtures these tests serve
    return AIMLAPIClient(
        api_key=KEY,
        base_url=kw.pop("base_url", BASE),
        http_client=kw.pop("http_client", None)
        or httpx.Client(transport=httpx.MockTransport(handler)),
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
        jitter=lambda: 0.0,
        **kw,
    )


def async_client(handler: Any, sleeps: list[float] | None = None, **kw: Any) -> AsyncAIMLAPIClient:
    async def sleep(delay: float) -> None:
        if sleeps is not None:
            sleeps.append(delay)

    kw.setdefault("api", "chat_completions")  # the chat-format fixtures these tests serve
    return AsyncAIMLAPIClient(
        api_key=KEY,
        base_url=BASE,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        sleep=sleep,
        jitter=lambda: 0.0,
        **kw,
    )


def drain(client: AIMLAPIClient, request: ChatRequest | None = None) -> Any:
    with client.stream(request or req()) as stream:
        return stream.get_final_result()


async def adrain(client: AsyncAIMLAPIClient) -> Any:
    async with client.stream(req()) as stream:
        return await stream.get_final_result()


# --------------------------------------------------------------------------- httpx exceptions


def not_gzip(status: int, content_type: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status,
            content=iter([b"this is not gzip at all"]),  # a stream, read later, as off a socket
            headers={"content-encoding": "gzip", "content-type": content_type},
        )

    return handler


def test_gzip_label_on_a_plain_body_is_a_library_error_on_every_sync_surface() -> None:
    with pytest.raises(ResponseValidationError, match="gzip"):
        sync_client(not_gzip(200, "application/json")).create(req())
    with pytest.raises(ResponseValidationError, match="DecodingError"):
        drain(sync_client(not_gzip(200, "text/event-stream")))
    with pytest.raises(InternalServerError, match="could not be decoded") as info:
        sync_client(not_gzip(500, "application/json"), max_retries=0).create(req())
    assert info.value.status_code == 500


def not_gzip_async(status: int, content_type: str) -> Any:
    async def body() -> AsyncIterator[bytes]:
        yield b"this is not gzip at all"

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-encoding": "gzip", "content-type": content_type}
        return httpx.Response(status, content=body(), headers=headers)

    return handler


async def test_gzip_label_on_a_plain_body_is_a_library_error_on_every_async_surface() -> None:
    with pytest.raises(ResponseValidationError, match="gzip"):
        await async_client(not_gzip_async(200, "application/json")).create(req())
    with pytest.raises(ResponseValidationError):
        await adrain(async_client(not_gzip_async(200, "text/event-stream")))
    with pytest.raises(InternalServerError):
        await async_client(not_gzip_async(502, "application/json"), max_retries=0).create(req())


@pytest.mark.parametrize(
    "exc",
    [
        httpx.TooManyRedirects("loop"),
        httpx.CookieConflict("two cookies"),
        httpx.StreamConsumed(),
        httpx.InvalidURL("bad url"),
        httpx.DecodingError("bad bytes"),
        httpx.ReadError("reset"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_every_httpx_exception_maps_into_the_family(exc: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    for call in (lambda c: c.create(req()), drain, lambda c: c.list_models()):
        with pytest.raises(AIMLAPIError) as info:
            call(sync_client(handler, max_retries=0))
        assert info.value.__cause__ is exc


async def test_every_httpx_exception_maps_into_the_family_async() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.TooManyRedirects("loop")

    with pytest.raises(APIConnectionError):
        await async_client(handler, max_retries=0).create(req())
    with pytest.raises(APIConnectionError):
        await adrain(async_client(handler, max_retries=0))


def test_an_invalid_base_url_is_a_library_error() -> None:
    client = sync_client(lambda r: httpx.Response(200), base_url="http://[::1/v1")
    with pytest.raises(APIConnectionError, match="not valid"):
        client.create(req())


# ------------------------------------------------------------------ Retry-After, upstream 4xx


def status(code: int, body: Any, **headers: str) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(code, json=body, headers=headers)

    return handler


def test_retry_after_within_the_cap_is_honoured() -> None:
    sleeps: list[float] = []
    rec = Recorder(status(429, {"message": "slow down", "statusCode": 429}, **{"retry-after": "3"}))
    with pytest.raises(RateLimitError) as info:
        sync_client(rec, sleeps, max_retries=2).create(req())
    assert sleeps == [3.0, 3.0]
    assert len(rec.requests) == 3
    assert info.value.headers["retry-after"] == "3"


def test_retry_after_beyond_the_cap_raises_at_once_with_the_headers() -> None:
    sleeps: list[float] = []
    rec = Recorder(
        status(
            429,
            {"message": "slow down", "statusCode": 429},
            **{"retry-after": "120", "x-request-id": "r1"},
        )
    )
    with pytest.raises(RateLimitError) as info:
        sync_client(rec, sleeps, max_retries=2).create(req())
    assert sleeps == []
    assert len(rec.requests) == 1
    assert info.value.headers["retry-after"] == "120"
    assert "120 s" in str(info.value)
    assert info.value.request_id == "r1"


async def test_retry_after_beyond_the_cap_raises_at_once_async() -> None:
    sleeps: list[float] = []
    rec = Recorder(status(503, {"message": "busy"}, **{"retry-after": "600"}))
    with pytest.raises(InternalServerError):
        await async_client(rec, sleeps).create(req())
    assert sleeps == []
    assert len(rec.requests) == 1


@pytest.mark.parametrize("surface", ["create", "stream"])
def test_an_upstream_400_wrapped_in_a_500_is_raised_at_once(surface: str) -> None:
    body = {
        "message": "400 messages.0.content.0.text: text content blocks must be non-empty",
        "statusCode": 500,
    }
    rec = Recorder(status(500, body))
    sleeps: list[float] = []
    client = sync_client(rec, sleeps, max_retries=2)
    with pytest.raises(BadRequestError) as info:
        client.create(req()) if surface == "create" else drain(client)
    assert len(rec.requests) == 1
    assert sleeps == []
    assert (info.value.status_code, info.value.upstream_status) == (500, 400)
    assert "upstream 400" in str(info.value)


def test_a_plain_500_is_still_retried() -> None:
    rec = Recorder(status(500, {"message": "Internal server error", "statusCode": 500}))
    with pytest.raises(InternalServerError) as info:
        sync_client(rec, max_retries=2).create(req())
    assert len(rec.requests) == 3
    assert info.value.upstream_status is None


# --------------------------------------------------------------------------- deadline


def drip(body: bytes, pause: float) -> Iterator[bytes]:
    for i in range(len(body)):
        time.sleep(pause)
        yield body[i : i + 1]


async def adrip(body: bytes, pause: float) -> AsyncIterator[bytes]:
    for i in range(len(body)):
        await asyncio.sleep(pause)
        yield body[i : i + 1]


def dripping(body: bytes, ctype: str, *, sync: bool = True) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        content = drip(body, 0.02) if sync else adrip(body, 0.02)
        return httpx.Response(200, content=content, headers={"content-type": ctype})

    return handler


WHOLE = json.dumps(CC_OK).encode()


def test_without_a_deadline_a_dripping_server_holds_the_call_until_done() -> None:
    # The baseline: timeout bounds each read only (each byte comes well within it).
    assert (
        sync_client(dripping(WHOLE[:], "application/json"), timeout=5.0).create(req()).text
        == "fine"
    )


def test_the_deadline_bounds_a_dripping_whole_body() -> None:
    client = sync_client(dripping(WHOLE, "application/json"), deadline=0.3, timeout=5.0)
    with pytest.raises(APITimeoutError, match=r"deadline of 0\.3 s"):
        client.create(req())


def test_the_deadline_bounds_a_dripping_stream() -> None:
    client = sync_client(dripping(SSE_OK * 3, "text/event-stream"), deadline=0.3, timeout=5.0)
    with pytest.raises(APITimeoutError, match="deadline"):
        drain(client)


async def test_the_deadline_bounds_a_dripping_body_async() -> None:
    client = async_client(
        dripping(WHOLE, "application/json", sync=False), deadline=0.3, timeout=5.0
    )
    with pytest.raises(APITimeoutError, match="deadline"):
        await client.create(req())
    client = async_client(
        dripping(SSE_OK * 3, "text/event-stream", sync=False), deadline=0.3, timeout=5.0
    )
    with pytest.raises(APITimeoutError, match="deadline"):
        await adrain(client)


def test_the_deadline_stops_retries_that_would_sleep_past_it() -> None:
    sleeps: list[float] = []
    rec = Recorder(status(503, {"message": "busy"}, **{"retry-after": "30"}))
    with pytest.raises(InternalServerError):
        sync_client(rec, sleeps, max_retries=5, deadline=10.0).create(req())
    assert sleeps == []
    assert len(rec.requests) == 1


def test_the_deadline_cuts_each_attempts_timeouts() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json=CC_OK))
    sync_client(rec, deadline=2.0, timeout=30.0).create(req())
    timeouts = rec.requests[0].extensions["timeout"]
    assert all(0 < v <= 2.0 for v in timeouts.values())


def test_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError, match="deadline"):
        AIMLAPIClient(api_key=KEY, deadline=0)


# --------------------------------------------------------------------------- image fetches


class Hosts:
    """A MockTransport answering for the API host and any image host; records every request."""

    def __init__(self, images: dict[str, Any]) -> None:
        self.images = images
        self.requests: list[httpx.Request] = []
        self.served = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "gateway.test":
            return httpx.Response(200, json=CC_OK)
        answer = self.images.get(str(request.url), httpx.Response(404))
        return answer(self) if callable(answer) else answer


def big_body(hosts: Hosts, size: int) -> Iterator[bytes]:
    chunk = b"\x00" * 65536
    yield PNG
    while hosts.served < size:
        hosts.served += len(chunk)
        yield chunk


def image_req(url: str) -> ChatRequest:
    return req(TextPart(text="what is it?"), ImagePart(url=url))


def test_a_300_mb_image_is_cut_off_at_the_cap_without_downloading_it() -> None:
    size = 300 * 1024 * 1024
    hosts = Hosts(
        {
            "http://img.test/big.png": lambda h: httpx.Response(
                200, content=big_body(h, size), headers={"content-type": "image/png"}
            )
        }
    )
    with pytest.raises(UnsupportedContentError, match="limit"):
        sync_client(hosts).create(image_req("http://img.test/big.png"))
    assert hosts.served <= MAX_IMAGE_BYTES + 65536
    assert not [r for r in hosts.requests if r.url.host == "gateway.test"]


def test_a_declared_content_length_over_the_cap_is_refused_before_reading() -> None:
    hosts = Hosts(
        {
            "http://img.test/big.png": lambda h: httpx.Response(
                200,
                content=big_body(h, 10 * MAX_IMAGE_BYTES),
                headers={"content-type": "image/png", "content-length": str(10 * MAX_IMAGE_BYTES)},
            )
        }
    )
    with pytest.raises(UnsupportedContentError, match="Content-Length"):
        sync_client(hosts).create(image_req("http://img.test/big.png"))
    assert hosts.served == 0


def test_no_user_headers_reach_an_image_host_even_across_redirects() -> None:
    hosts = Hosts(
        {
            "http://img.test/a.png": httpx.Response(
                302, headers={"location": "http://cdn.other/b.png"}
            ),
            "http://cdn.other/b.png": httpx.Response(
                200, content=PNG, headers={"content-type": "image/png"}
            ),
        }
    )
    http = httpx.Client(
        transport=httpx.MockTransport(hosts),
        headers={"x-team-secret": "s3cret"},
        auth=("user", "pass"),
        cookies={"session": "c00kie"},
    )
    client = sync_client(hosts, http_client=http, default_headers={"x-tenant": "t1"})
    client.create(image_req("http://img.test/a.png"))
    image_requests = [r for r in hosts.requests if r.url.host != "gateway.test"]
    assert [str(r.url) for r in image_requests] == [
        "http://img.test/a.png",
        "http://cdn.other/b.png",
    ]
    for r in image_requests:
        names = {k.lower() for k in r.headers}
        assert not names & {"authorization", "x-api-key", "x-team-secret", "x-tenant", "cookie"}, (
            names
        )
    api = [r for r in hosts.requests if r.url.host == "gateway.test"]
    assert api[0].headers["x-tenant"] == "t1"
    assert api[0].headers["x-team-secret"] == "s3cret"
    sent = json.loads(api[0].content)
    assert "image" in json.dumps(sent)


def test_redirect_loops_and_bad_targets_are_library_errors() -> None:
    loop = Hosts(
        {"http://img.test/loop.png": httpx.Response(302, headers={"location": "/loop.png"})}
    )
    with pytest.raises(UnsupportedContentError, match="redirected more than"):
        sync_client(loop).create(image_req("http://img.test/loop.png"))
    assert len(loop.requests) == 6  # the first request and five redirects, then refused
    to_file = Hosts(
        {"http://img.test/f.png": httpx.Response(302, headers={"location": "file:///etc/passwd"})}
    )
    with pytest.raises(UnsupportedContentError, match="file"):
        sync_client(to_file).create(image_req("http://img.test/f.png"))


@pytest.mark.parametrize(
    "url", ["http://[::1/x.png", "http://exa mple.com/x.png", "http://img.test:99999/x.png"]
)
def test_an_invalid_image_url_is_a_library_error(url: str) -> None:
    hosts = Hosts({})
    with pytest.raises(UnsupportedContentError):
        sync_client(hosts).create(image_req(url))
    assert not [r for r in hosts.requests if r.url.host == "gateway.test"]


async def test_image_fetch_async_is_capped_and_bare() -> None:
    hosts = Hosts(
        {
            "http://img.test/a.png": httpx.Response(
                301, headers={"location": "https://cdn.other/b.png"}
            ),
            "https://cdn.other/b.png": httpx.Response(
                200, content=PNG, headers={"content-type": "image/png"}
            ),
            "http://img.test/big.png": httpx.Response(
                200,
                content=PNG + b"\x00" * (MAX_IMAGE_BYTES + 10),
                headers={"content-type": "image/png"},
            ),
        }
    )
    client = AsyncAIMLAPIClient(
        api_key=KEY,
        base_url=BASE,
        default_headers={"x-tenant": "t1"},
        http_client=httpx.AsyncClient(
            transport=httpx.MockTransport(hosts), headers={"x-team-secret": "s"}
        ),
        api="chat_completions",  # the gateway answers in the chat format
    )
    assert (await client.create(image_req("http://img.test/a.png"))).text == "fine"
    for r in hosts.requests:
        if r.url.host != "gateway.test":
            assert "x-tenant" not in r.headers
            assert "x-team-secret" not in r.headers
    with pytest.raises(UnsupportedContentError, match="limit"):
        await client.create(image_req("http://img.test/big.png"))


def test_a_read_timeout_well_before_the_deadline_stays_a_read_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("stalled", request=request)

    with pytest.raises(APITimeoutError, match="timed out"):
        sync_client(handler, deadline=30.0, max_retries=0).create(req())


def test_a_stream_stall_past_the_deadline_names_the_deadline() -> None:
    def stall(request: httpx.Request) -> httpx.Response:
        def body() -> Iterator[bytes]:
            yield SSE_OK.split(b"\n\n")[0] + b"\n\n"
            time.sleep(0.3)
            raise httpx.ReadTimeout("no more bytes", request=request)

        return httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})

    client = sync_client(stall, deadline=0.2, timeout=5.0)
    with pytest.raises(APITimeoutError, match="deadline"):
        drain(client)
