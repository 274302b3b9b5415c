"""Servers that echo the key, on every path an error can take — 0 leaks.

Each case makes a client fail with a body or exception carrying the key, on both dialects and
on create / stream (sync and async), and checks the error everywhere it can be read: ``str``,
``repr``, ``args``, ``message``, ``body``, ``headers``, ``partial``, the formatted traceback,
and every exception chained as ``__cause__`` / ``__context__`` (and a chained httpx request's
headers). The DEBUG logs of httpx, httpcore and ours are checked against the emulator.
(The adapter half extends this to dumpd/to_dict/LangSmith/instrumentation.)
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient, ChatRequest, Message, TextPart
from aimlapi_core.errors import AIMLAPIError
from aimlapi_emulator import Emulator, Fault

KEY = "sk-echo-secret-0f1e2d3c4b5a6978"


def request() -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=8,
        messages=[Message(role="user", parts=[TextPart(text="hi")])],
    )


def leaks(exc: BaseException) -> list[str]:
    """Where ``KEY`` can still be read from ``exc`` (empty: nowhere)."""
    found: list[str] = []
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        views = {
            "str": str(e),
            "repr": repr(e),
            "args": repr(e.args),
            "vars": repr({k: v for k, v in vars(e).items() if k != "request"}),
        }
        request = getattr(e, "_request", None)
        if isinstance(request, httpx.Request):
            views["request headers"] = repr(request.headers.raw)
        partial = getattr(e, "partial", None)
        if partial is not None:
            views["partial"] = repr(partial)
        found += [f"{type(e).__name__}.{name}" for name, text in views.items() if KEY in text]
        todo += [e.__cause__, e.__context__]
    if KEY in "".join(traceback.format_exception(exc)):
        found.append("traceback")
    return found


def sse(*objs: Any, raw: bytes = b"") -> bytes:
    return b"".join(b"data: " + json.dumps(o).encode() + b"\n\n" for o in objs) + raw


ECHO = f"Bearer {KEY}"
HTML = f"<html><body><h1>Request headers</h1><pre>Authorization: {ECHO}</pre></body></html>"
CC_START = {"id": "c", "choices": [{"index": 0, "delta": {"content": f"you sent {KEY}"}}]}

# name -> (status, content type, body) served for every request of the case.
CASES: dict[str, tuple[int, str, bytes]] = {
    "2xx error body": (
        200,
        "application/json",
        json.dumps({"error": {"message": f"key {KEY} is bad"}}).encode(),
    ),
    "2xx finish_reason error": (
        200,
        "application/json",
        json.dumps(
            {
                "choices": [{"finish_reason": "error", "message": {"content": KEY}}],
                "error": {"message": ECHO},
            }
        ).encode(),
    ),
    "4xx body": (
        401,
        "application/json",
        json.dumps({"message": f"Invalid key {KEY}", "statusCode": 401}).encode(),
    ),
    "5xx html": (502, "text/html", HTML.encode()),
    "2xx html": (200, "text/html", HTML.encode()),
    "2xx wrong shape": (
        200,
        "application/json",
        json.dumps({"choices": [[ECHO]], "usage": ECHO}).encode(),
    ),
    "sse error event": (
        200,
        "text/event-stream",
        sse(CC_START)
        + b"event: error\ndata: "
        + json.dumps({"error": {"message": ECHO}}).encode()
        + b"\n\n",
    ),
    "sse chunk with error next to choices": (
        200,
        "text/event-stream",
        sse(
            CC_START,
            {"choices": [{"delta": {}, "finish_reason": "error"}], "error": {"message": ECHO}},
        ),
    ),
    "sse wrong shape": (200, "text/event-stream", sse(CC_START, {"choices": {"0": ECHO}})),
    "sse not json": (200, "text/event-stream", sse(CC_START) + f"data: {{{ECHO}\n\n".encode()),
    "sse cut": (200, "text/event-stream", sse(CC_START)),
    "sse not utf-8": (
        200,
        "text/event-stream",
        sse(CC_START) + f"data: {ECHO} \xff\n\n".encode("latin-1"),
    ),
    "sse tool arguments echoing the key": (
        200,
        "text/event-stream",
        sse(
            {
                "id": "c",
                "choices": [
                    {
                        "index": 0,
                        "delta": {
                            "tool_calls": [
                                {
                                    "index": 0,
                                    "id": "t",
                                    "function": {"name": "f", "arguments": f"not json {KEY}"},
                                }
                            ]
                        },
                    }
                ],
            },
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
        ),
    ),
    "messages sse error": (
        200,
        "text/event-stream",
        b"event: error\ndata: "
        + json.dumps(
            {"type": "error", "error": {"type": "overloaded_error", "message": ECHO}}
        ).encode()
        + b"\n\n",
    ),
}


def handler_for(case: str) -> Callable[[httpx.Request], httpx.Response]:
    status, ctype, body = CASES[case]

    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": ctype, "x-echo": ECHO})

    return handler


def sync_client(handler: Any, api: str = "chat_completions") -> AIMLAPIClient:
    return AIMLAPIClient(
        api_key=KEY,
        api=api,
        base_url="http://gateway.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )


def async_client(handler: Any, api: str = "chat_completions") -> AsyncAIMLAPIClient:
    return AsyncAIMLAPIClient(
        api_key=KEY,
        api=api,
        base_url="http://gateway.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
@pytest.mark.parametrize("case", list(CASES))
async def test_no_error_carries_the_key(case: str, api: str) -> None:
    errors: list[BaseException] = []
    handler = handler_for(case)
    for call in ("create", "stream"):
        try:
            client = sync_client(handler, api)
            if call == "create":
                client.create(request())
            else:
                client.stream(request()).get_final_result()
        except AIMLAPIError as exc:
            errors.append(exc)
        try:
            aclient = async_client(handler, api)
            if call == "create":
                await aclient.create(request())
            else:
                await aclient.stream(request()).get_final_result()
        except AIMLAPIError as exc:
            errors.append(exc)
    assert errors, "every case fails on at least one surface"
    for exc in errors:
        assert leaks(exc) == [], (case, api, type(exc).__name__)


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError(f"refused {ECHO}"),
        httpx.DecodingError(f"bad gzip near {ECHO}"),
        httpx.TooManyRedirects(f"loop {ECHO}"),
        httpx.InvalidURL(f"bad {ECHO}"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_httpx_exceptions_echoing_the_key_are_scrubbed_with_their_chain(exc: Exception) -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise exc

    for call in (lambda c: c.create(request()), lambda c: c.stream(request()).get_final_result()):
        with pytest.raises(AIMLAPIError) as info:
            call(sync_client(handler))
        assert info.value.__cause__ is exc
        assert leaks(info.value) == []


def test_a_stream_partial_echoing_the_key_is_scrubbed() -> None:
    with pytest.raises(AIMLAPIError) as info:
        sync_client(handler_for("sse cut")).stream(request()).get_final_result()
    partial = info.value.partial  # type: ignore[attr-defined]
    assert partial is not None
    assert "[redacted]" in partial.text
    assert leaks(info.value) == []


@pytest.mark.parametrize("api", ["chat_completions", "messages"])
def test_debug_logs_of_httpx_httpcore_and_ours_never_carry_the_key(
    api: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Emulator(api_key=KEY) as emu:
        emu.add_fault(Fault(status=503, times=1))
        emu.add_fault(Fault(status=401, message=f"Invalid key {KEY}", times=1))
        client = AIMLAPIClient(api_key=KEY, api=api, base_url=emu.base_url, sleep=lambda _: None)
        with pytest.raises(AIMLAPIError) as info:
            client.create(request())
        assert leaks(info.value) == []
        assert client.create(request()).text
        with client.stream(request()) as stream:
            assert stream.get_final_result().text
        client.close()
    names = {r.name.split(".")[0] for r in caplog.records}
    assert {"httpx", "httpcore", "aimlapi_core"} <= names  # all three were logging
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)
    assert KEY not in caplog.text


def test_a_placeholder_key_is_not_cut_out_of_every_word() -> None:
    # Redacting a one-letter test key would mangle every message ("thin[redacted]ing").
    from aimlapi_core._redact import redact

    assert redact("keep thinking", "k") == "keep thinking"
    assert redact(f"bad {KEY}", KEY) == "bad [redacted]"


# --------------------------------------------------------------------------- batches, embeddings


def _message(**over: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "text", "text": "fine"}],
        "stop_reason": "end_turn",
        **over,
    }


ECHOING_RESULTS = [
    {"custom_id": "0", "result": {"type": "succeeded", "message": _message()}},
    {
        "custom_id": "1",
        "result": {
            "type": "errored",
            "error": {"type": "error", "error": {"type": "invalid_request_error", "message": ECHO}},
        },
    },
    {
        "custom_id": "2",
        "result": {
            "type": "succeeded",
            "message": _message(stop_reason="error", error={"message": ECHO}),
        },
    },
    {
        "custom_id": "3",
        "result": {
            "type": "succeeded",
            "message": _message(content=[{"type": "text", "text": 5, "note": ECHO}]),
        },
    },
    {"custom_id": "4", "result": {"type": ECHO}},
    {"custom_id": ECHO, "result": {"type": "succeeded", "message": _message()}},
    {"result": ECHO},
]
RESULTS_BODY = b"".join(json.dumps(r).encode() + b"\n" for r in ECHOING_RESULTS)


def _results_handler(req: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=RESULTS_BODY)


async def test_no_batch_result_error_carries_the_key() -> None:
    from aimlapi_core import in_input_order

    batch = sync_client(_results_handler).batches.retrieve("b1")
    abatch = await async_client(_results_handler).batches.retrieve("b1")
    for got in (batch, abatch):
        assert got.results is not None
        errors = [r.error for r in got.results if r.error is not None]
        assert len(errors) == 5  # every result but the first and the stray success
        assert [leaks(e) for e in errors] == [[]] * len(errors)
        slots = in_input_order(got, 5)
        assert [leaks(s) for s in slots if isinstance(s, BaseException)] == [[]] * 4


EMBEDDING_ECHOES: dict[str, bytes] = {
    "2xx error body": json.dumps({"error": {"message": ECHO}}).encode(),
    "item without an index": json.dumps({"data": [{"embedding": [1.0], "note": ECHO}]}).encode(),
    "embedding as text": json.dumps({"data": [{"index": 0, "embedding": ECHO}]}).encode(),
    "embedding of strings": json.dumps({"data": [{"index": 0, "embedding": [ECHO]}]}).encode(),
    "not json": f"{{{ECHO}".encode(),
}


@pytest.mark.parametrize("case", list(EMBEDDING_ECHOES))
async def test_no_embedding_error_carries_the_key(case: str) -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=EMBEDDING_ECHOES[case])

    with pytest.raises(AIMLAPIError) as caught:
        sync_client(handler).embed(["a"])
    assert leaks(caught.value) == []
    with pytest.raises(AIMLAPIError) as acaught:
        await async_client(handler).embed(["a"])
    assert leaks(acaught.value) == []


# --------------------------------------------------------------------------- default_headers

PROXY_KEY = "sk-proxy-only-in-default-headers-77"
COOKIE = "session-cookie-secret-5e4d"
HEADERS = {"Authorization": f"Bearer {PROXY_KEY}", "Cookie": f"sid={COOKIE}"}


def _echo_request_headers(req: httpx.Request) -> httpx.Response:
    shown = "\n".join(f"{k}: {v}" for k, v in req.headers.items())
    return httpx.Response(502, text=f"<pre>{shown}</pre>", headers={"x-echo": shown})


async def _calls_with(headers: dict[str, str]) -> list[BaseException]:
    """Every call surface of both clients, against a server echoing the request's headers."""
    mock = httpx.MockTransport(_echo_request_headers)
    sync = AIMLAPIClient(
        api_key="placeholder-key",
        default_headers=headers,
        http_client=httpx.Client(transport=mock),
        max_retries=0,
    )
    aclient = AsyncAIMLAPIClient(
        api_key="placeholder-key",
        default_headers=headers,
        http_client=httpx.AsyncClient(transport=mock),
        max_retries=0,
    )

    def stream() -> None:
        with sync.stream(request()) as events:
            list(events)

    async def astream() -> None:
        async with aclient.stream(request()) as events:
            [e async for e in events]

    caught: list[BaseException] = []
    for call in (
        lambda: sync.create(request()),
        stream,
        lambda: sync.embed(["a"]),
        lambda: sync.list_models(),
        lambda: sync.batches.retrieve("b1"),
    ):
        with pytest.raises(AIMLAPIError) as info:
            call()
        caught.append(info.value)
    for acall in (
        lambda: aclient.create(request()),
        astream,
        lambda: aclient.embed(["a"]),
        lambda: aclient.batches.retrieve("b1"),
    ):
        with pytest.raises(AIMLAPIError) as ainfo:
            await acall()
        caught.append(ainfo.value)
    return caught


async def test_no_error_shows_a_credential_given_only_in_default_headers() -> None:
    caught = await _calls_with(HEADERS)
    assert len(caught) == 9
    shown = ["".join(traceback.format_exception(e)) + repr(vars(e)) + repr(e.args) for e in caught]
    assert [s[:60] for s in shown if PROXY_KEY in s or COOKIE in s] == []
    assert all("placeholder-key" in s or "[redacted]" in s for s in shown)  # echoed, redacted
