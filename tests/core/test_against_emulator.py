"""The clients at level 3: a real loopback HTTP server (the emulator, plus one tiny stalling
server for the mid-stream idle timeout, which the emulator has no fault for)."""

from __future__ import annotations

import gc
import socket
import threading
import warnings
from collections.abc import Iterator

import pytest

from aimlapi_core import (
    AIMLAPIClient,
    AsyncAIMLAPIClient,
    ChatRequest,
    Message,
    TextDelta,
    TextPart,
    ToolSpec,
)
from aimlapi_core.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    RateLimitError,
    StreamError,
)
from aimlapi_emulator import Emulator, Fault

APIS = ["chat_completions", "messages"]


def request(text: str = "Say hello to the test suite", **kw: object) -> ChatRequest:
    return ChatRequest(
        model="claude-sonnet-4-20250514",
        max_tokens=256,
        messages=[Message(role="user", parts=[TextPart(text=text)])],
        **kw,  # type: ignore[arg-type]
    )


def client(emu: Emulator, sleeps: list[float] | None = None, **kw: object) -> AIMLAPIClient:
    kw.setdefault("api_key", emu.api_key)
    return AIMLAPIClient(
        base_url=emu.base_url,
        sleep=(sleeps.append if sleeps is not None else lambda _: None),
        jitter=lambda: 0.0,
        **kw,  # type: ignore[arg-type]
    )


WEATHER = ToolSpec(
    name="get_weather",
    description="Weather for a city",
    input_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    "req",
    [request(), request('Use get_weather for "Paris"', tools=[WEATHER])],
    ids=["text", "tool"],
)
def test_create_equals_accumulated_stream(emulator: Emulator, api: str, req: ChatRequest) -> None:
    with client(emulator, api=api) as c:
        whole = c.create(req)
        with c.stream(req) as s:
            streamed = s.get_final_result()
    assert whole.parts  # a real answer came back
    assert streamed.parts == whole.parts
    assert (streamed.stop_reason, streamed.usage) == (whole.stop_reason, whole.usage)
    assert streamed.request_id
    assert whole.request_id
    assert streamed.request_id != whole.request_id


@pytest.mark.parametrize("api", APIS)
async def test_async_create_equals_accumulated_stream(emulator: Emulator, api: str) -> None:
    async with AsyncAIMLAPIClient(
        api_key=emulator.api_key, base_url=emulator.base_url, api=api
    ) as c:
        whole = await c.create(request())
        async with c.stream(request()) as s:
            events = [e async for e in s]
            streamed = await s.get_final_result()
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == whole.text
    assert streamed.parts == whole.parts


@pytest.mark.parametrize("retry_after", [1.0, None])
def test_retry_on_a_real_429(fresh_emulator: Emulator, retry_after: float | None) -> None:
    fresh_emulator.add_fault(Fault(status=429, retry_after=retry_after))
    sleeps: list[float] = []
    with client(fresh_emulator, sleeps) as c:
        assert c.create(request()).text
    assert len(fresh_emulator.requests) == 2
    assert sleeps == [1.0 if retry_after else 0.5]


@pytest.mark.parametrize("envelope", ["nest", "problem"])
def test_429_after_max_retries_reads_the_envelope(fresh_emulator: Emulator, envelope: str) -> None:
    fresh_emulator.add_fault(
        Fault(status=429, message="Free-tier limit", envelope=envelope, times=3)
    )  # type: ignore[arg-type]
    sleeps: list[float] = []
    with client(fresh_emulator, sleeps) as c, pytest.raises(RateLimitError) as info:
        c.create(request())
    assert info.value.message == "Free-tier limit"
    assert info.value.request_id
    assert (len(fresh_emulator.requests), sleeps) == (3, [0.5, 1.0])


def test_wrong_key_is_a_401_without_the_key(emulator: Emulator) -> None:
    wrong = "sk-wrong-key-0000111122223333"
    with client(emulator, api_key=wrong) as c, pytest.raises(AuthenticationError) as info:
        c.create(request())
    assert wrong not in str(info.value)
    assert info.value.request_id


def test_the_pre_2026_wrapped_stream_reads_like_the_current_one(fresh_emulator: Emulator) -> None:
    with client(fresh_emulator) as c:
        current = c.stream(request()).get_final_result()
        fresh_emulator.add_fault(Fault(legacy_stream=True))
        legacy = c.stream(request()).get_final_result()
    assert legacy.text == current.text
    assert legacy.usage == current.usage
    assert legacy.cost == current.cost
    assert legacy.cost is not None


@pytest.mark.parametrize("api", APIS)
def test_stream_cut_midway_is_a_stream_error(fresh_emulator: Emulator, api: str) -> None:
    fresh_emulator.add_fault(Fault(cut_after=2))
    got: list[object] = []
    with pytest.raises(StreamError), client(fresh_emulator, api=api) as c:  # noqa: SIM117
        with c.stream(request()) as s:
            got.extend(s)
    assert len(fresh_emulator.requests) == 1  # never retried


def test_slow_first_byte_times_out(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault(Fault(delay=1.0, times=2))
    with client(fresh_emulator, timeout=0.2, max_retries=0) as c:
        with pytest.raises(APITimeoutError):
            c.create(request())
        with pytest.raises(APITimeoutError), c.stream(request()):
            pass


async def test_slow_first_byte_times_out_async(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault(Fault(delay=1.0))
    async with AsyncAIMLAPIClient(
        api_key=fresh_emulator.api_key,
        base_url=fresh_emulator.base_url,
        stream_idle_timeout=0.2,
        max_retries=0,
    ) as c:
        with pytest.raises(APITimeoutError):
            await c.stream(request()).__aenter__()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_refused_port_is_a_connection_error_after_retries() -> None:
    sleeps: list[float] = []
    c = AIMLAPIClient(
        api_key="sk-x",
        base_url=f"http://127.0.0.1:{_free_port()}/v1",
        sleep=sleeps.append,
        jitter=lambda: 0.0,
    )
    with c, pytest.raises(APIConnectionError) as info:
        c.create(request())
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.__cause__ is not None
    assert sleeps == [0.5, 1.0]


# --------------------------------------------------------------------------- mid-stream stall

FIRST_CHUNK = (
    b'data: {"id":"msg_1","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}],'
    b'"model":"claude-sonnet-4-20250514","object":"chat.completion.chunk"}\n\n'
)


@pytest.fixture
def stalling_server() -> Iterator[str]:
    """Answers one SSE chunk, then goes silent with the connection open."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    release = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(
                next(
                    line.split(b":")[1]
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
            )
            while len(body) < length:
                body += conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                b"x-request-id: rid-stall\r\ntransfer-encoding: chunked\r\n\r\n"
                + f"{len(FIRST_CHUNK):x}\r\n".encode()
                + FIRST_CHUNK
                + b"\r\n"
            )
            release.wait(10)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/v1"
    release.set()
    thread.join(10)
    server.close()


def test_stream_stalling_midway_raises_api_timeout_error(stalling_server: str) -> None:
    c = AIMLAPIClient(
        api_key="sk-x", base_url=stalling_server, stream_idle_timeout=0.3, api="chat_completions"
    )  # the server stalls in the chat stream format
    got: list[object] = []
    with c, pytest.raises(APITimeoutError, match="stream_idle_timeout") as info:  # noqa: SIM117
        with c.stream(request()) as s:
            got.extend(s)
    assert [e for e in got if isinstance(e, TextDelta)] == [TextDelta(0, "Hel")]
    assert "rid-stall" in str(info.value)


def test_a_collected_client_frees_its_sockets(emulator: Emulator) -> None:
    # Adapters' models have no close(): a dropped client must not leak its pooled connection.
    c = client(emulator)
    assert c.create(request()).text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del c
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_an_async_client_collected_on_another_event_loop_closes_quietly(
    emulator: Emulator,
) -> None:
    """Scripts call asyncio.run() more than once; a client whose pool belongs to an earlier,
    closed loop must not raise 'Event loop is closed' when it is collected in a later loop."""
    import asyncio

    holder = [AsyncAIMLAPIClient(api_key=emulator.api_key, base_url=emulator.base_url)]
    result = asyncio.run(holder[0].create(request()))
    assert result.text
    reported: list[dict[str, object]] = []

    async def collect_in_a_new_loop() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: reported.append(ctx))
        holder.clear()
        gc.collect()
        await asyncio.sleep(0.05)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the old loop's sockets: unreachable
        asyncio.run(collect_in_a_new_loop())
        gc.collect()
    assert reported == []


def test_async_client_works_in_a_second_event_loop(emulator: Emulator) -> None:
    """asyncio.run() twice with one client (a script, or a LangChain model reused across runs):
    the pool of the first, closed loop must not be reused — it fails with 'Event loop is
    closed'. The second loop gets a fresh pool."""
    import asyncio

    aclient = AsyncAIMLAPIClient(api_key=emulator.api_key, base_url=emulator.base_url)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the old loop's sockets: unreachable
        first = asyncio.run(aclient.create(request("first run")))

        async def second_run() -> str:
            try:
                return (await aclient.create(request("second run"))).text
            finally:
                await aclient.close()

        second = asyncio.run(second_run())
        gc.collect()
    assert first.text
    assert second
    assert [r.json["messages"][0]["content"] for r in emulator.requests[-2:]] == [
        "first run",
        "second run",
    ]
