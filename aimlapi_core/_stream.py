"""``ChatStream`` / ``AsyncChatStream``: a lazy streamed answer.

Nothing is sent before ``with``/``async with`` or the first iteration. Events come out as the
body arrives; the response is closed in ``finally`` on every path — end of body, error, or the
caller leaving early (``break`` inside ``with``, or ``close()``). A body that ends before the
model's finish raises ``StreamError`` after handing out everything that did arrive.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from . import _http as h
from ._types import ChatRequest, ChatResult, StreamEvent

if TYPE_CHECKING:
    from ._client import AIMLAPIClient, AsyncAIMLAPIClient

__all__ = ["AsyncChatStream", "ChatStream"]


class ChatStream:
    """``with client.stream(req) as s: for event in s: ...``; ``s.get_final_result()``."""

    def __init__(self, client: AIMLAPIClient, request: ChatRequest) -> None:
        self._client, self._request = client, request
        self._state = h.StreamState(client.dialect, client.settings.stream_idle_timeout)
        self._response: httpx.Response | None = None
        self._events: Generator[StreamEvent, None, None] | None = None

    @property
    def request_id(self) -> str | None:
        return self._state.request_id

    @property
    def response_headers(self) -> httpx.Headers | None:
        return self._state.headers

    def _start(self) -> Generator[StreamEvent, None, None]:
        if self._events is None:
            c = self._client
            c.settings.require_key()
            url, headers, body = c._post(c._inline(self._request), stream=True)
            self._response = c._send(
                "POST",
                url,
                headers=headers,
                content=body,
                timeout=c.settings.stream_timeout,
                stream=True,
            )
            self._state.started(self._response)
            self._events = self._iterate(self._response)
        return self._events

    def _iterate(self, response: httpx.Response) -> Generator[StreamEvent, None, None]:
        state, key = self._state, self._client._key
        try:
            try:
                for chunk in response.iter_bytes():
                    yield from state.feed(chunk)
            except httpx.TransportError as exc:
                raise h.stream_read_error(exc, state, key) from exc
            yield from state.end()
            state.check_finished()
        finally:
            response.close()

    def __enter__(self) -> ChatStream:
        self._start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __iter__(self) -> ChatStream:
        return self

    def __next__(self) -> StreamEvent:
        return next(self._start())

    def get_final_result(self) -> ChatResult:
        """Reads whatever is left of the stream, then returns the accumulated result
        (``StreamError`` if the model never finished)."""
        for _ in self:
            pass
        return self._state.result()

    def close(self) -> None:
        """Closes the response; safe to call at any time, also mid-stream."""
        if self._events is not None:
            self._events.close()
        if self._response is not None:
            self._response.close()


class AsyncChatStream:
    """``async with client.stream(req) as s: async for event in s: ...``;
    ``await s.get_final_result()``."""

    def __init__(self, client: AsyncAIMLAPIClient, request: ChatRequest) -> None:
        self._client, self._request = client, request
        self._state = h.StreamState(client.dialect, client.settings.stream_idle_timeout)
        self._response: httpx.Response | None = None
        self._events: AsyncGenerator[StreamEvent, None] | None = None

    @property
    def request_id(self) -> str | None:
        return self._state.request_id

    @property
    def response_headers(self) -> httpx.Headers | None:
        return self._state.headers

    async def _start(self) -> AsyncGenerator[StreamEvent, None]:
        if self._events is None:
            c = self._client
            c.settings.require_key()
            url, headers, body = c._post(await c._inline(self._request), stream=True)
            self._response = await c._send(
                "POST",
                url,
                headers=headers,
                content=body,
                timeout=c.settings.stream_timeout,
                stream=True,
            )
            self._state.started(self._response)
            self._events = self._iterate(self._response)
        return self._events

    async def _iterate(self, response: httpx.Response) -> AsyncGenerator[StreamEvent, None]:
        state, key = self._state, self._client._key
        try:
            try:
                async for chunk in response.aiter_bytes():
                    for event in state.feed(chunk):
                        yield event
            except httpx.TransportError as exc:
                raise h.stream_read_error(exc, state, key) from exc
            for event in state.end():
                yield event
            state.check_finished()
        finally:
            await response.aclose()

    async def __aenter__(self) -> AsyncChatStream:
        await self._start()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncChatStream:
        return self

    async def __anext__(self) -> StreamEvent:
        return await (await self._start()).__anext__()

    async def get_final_result(self) -> ChatResult:
        async for _ in self:
            pass
        return self._state.result()

    async def aclose(self) -> None:
        if self._events is not None:
            await self._events.aclose()
        if self._response is not None:
            await self._response.aclose()

    close = aclose
