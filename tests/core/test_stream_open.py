"""``ChatStream`` is handed an ``open()`` callable by the client and drives nothing else of it:
``open`` runs once, on ``with`` or the first event, and the key it is given redacts errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aimlapi_core import ChatStream
from aimlapi_core.errors import StreamError
from aimlapi_core.wire import get_dialect

SSE = (Path(__file__).parent / "fixtures" / "cc_text.sse").read_bytes()
KEY = "sk-stream-open-3c9d"


def sse_response(stream: httpx.SyncByteStream | bytes) -> httpx.Response:
    headers = {"content-type": "text/event-stream", "x-request-id": "r-open"}
    if isinstance(stream, bytes):
        return httpx.Response(200, content=stream, headers=headers)
    return httpx.Response(200, stream=stream, headers=headers)


def test_open_runs_once_and_only_when_the_stream_is_used() -> None:
    calls: list[int] = []

    def open_response() -> httpx.Response:
        calls.append(1)
        return sse_response(SSE)

    stream = ChatStream(open_response, get_dialect("chat_completions"), idle_timeout=None, key=KEY)
    assert calls == []  # lazy: made, not opened
    with stream as s:
        first = next(s)
        result = s.get_final_result()
    assert calls == [1]
    assert type(first).__name__ == "MessageStart"
    assert result.text.startswith("I find humanity fascinating")
    assert (result.request_id, stream.request_id) == ("r-open", "r-open")


def test_the_given_key_redacts_a_broken_stream_error() -> None:
    class Broken(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield SSE.split(b"\n\n")[0] + b"\n\n"
            raise httpx.ReadError(f"reset while sending Bearer {KEY}")

    stream = ChatStream(
        lambda: sse_response(Broken()), get_dialect("chat_completions"), idle_timeout=None, key=KEY
    )
    with pytest.raises(StreamError, match="mid-stream") as info, stream as s:
        list(s)
    assert KEY not in str(info.value)
    assert "[redacted]" in str(info.value)
