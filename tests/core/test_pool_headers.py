"""A pool the client owns carries the constant headers once (httpx merges per-request headers
one by one, a cost on every call); what each request sends must not change because of it."""

from __future__ import annotations

from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_emulator import Emulator

MODEL = "claude-sonnet-4-20250514"


def _req(**extra: object) -> ChatRequest:
    return ChatRequest(
        model=MODEL,
        max_tokens=64,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
        **extra,  # type: ignore[arg-type]
    )


def _sent(emu: Emulator) -> list[tuple[str, str, dict[str, str]]]:
    return [(r.method, r.path, r.headers) for r in emu.requests]


def _check(emu: Emulator) -> None:
    (_, _, whole), (_, _, streamed), (_, _, extra), (method, path, models) = _sent(emu)
    for headers in (whole, streamed, extra):
        assert headers["authorization"] == "Bearer <redacted>"
        assert headers["content-type"] == "application/json"
        assert headers["user-agent"].startswith("aimlapi-integrations/")
        assert headers["x-team"] == "blue"
    assert whole["accept"] == "application/json"
    assert streamed["accept"] == "text/event-stream"
    assert extra["x-trace"] == "t-1"
    assert "x-trace" not in whole
    # GET /models needs no key and has no body: neither is sent, though the pool carries both.
    assert (method, path) == ("GET", "/v1/models")
    assert "authorization" not in models
    assert "content-type" not in models
    assert models["x-team"] == "blue"
    assert models["accept"] == "application/json"


def test_an_owned_pool_sends_exactly_each_requests_headers(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    with AIMLAPIClient(
        api_key=emulator_api_key,
        base_url=fresh_emulator.base_url,
        default_headers={"X-Team": "blue"},
    ) as client:
        client.create(_req())
        with client.stream(_req()) as stream:
            list(stream)
        client.create(_req(extra_headers={"X-Trace": "t-1"}))
        client.list_models()
        assert client._pool_headers is not None  # the owned pool carries them
        assert emulator_api_key not in repr(vars(client))
    _check(fresh_emulator)


async def test_the_async_client_sends_the_same(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    # An async test, not asyncio.run() in a sync one: asyncio.run() drops the loop an older
    # pytest-asyncio (make test-oldest) left current, which then dies unclosed (ResourceWarning).
    client = AsyncAIMLAPIClient(
        api_key=emulator_api_key,
        base_url=fresh_emulator.base_url,
        default_headers={"X-Team": "blue"},
    )
    await client.create(_req())
    async with client.stream(_req()) as stream:
        async for _ in stream:
            pass
    await client.create(_req(extra_headers={"X-Trace": "t-1"}))
    await client.list_models()
    await client.close()
    _check(fresh_emulator)


def test_header_names_differing_only_in_case_go_with_each_request(
    fresh_emulator: Emulator, emulator_api_key: str
) -> None:
    # A default header spelled like one of ours: the pool carries none, and each request has
    # both spellings exactly as before (httpx sends repeated names as given).
    with AIMLAPIClient(
        api_key=emulator_api_key,
        base_url=fresh_emulator.base_url,
        default_headers={"user-agent": "mine/1.0"},
    ) as client:
        client.create(_req())
        assert client._pool_headers is None
    (recorded,) = fresh_emulator.requests
    assert "mine/1.0" in recorded.headers["user-agent"]
    assert recorded.headers["authorization"] == "Bearer <redacted>"
