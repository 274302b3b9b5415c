"""``ChatStream`` / ``AsyncChatStream``: a lazy streamed answer, and its decoding state.

Nothing is sent before ``with``/``async with`` or the first iteration. Events come out as the
body arrives; the response is closed in ``finally`` on every path — end of body, error, or the
caller leaving early (``break`` inside ``with``, or ``close()``). A body that ends before the
model's finish raises ``StreamError`` after handing out everything that did arrive.

:class:`StreamState` (SSE decoder → dialect stream decoder → accumulator) is fed body chunks by
either I/O loop; only the loops exist twice.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from types import TracebackType

import httpx

from ._accumulate import PartialPart, StreamAccumulator, events_of
from ._exchange import (
    HTTPX_ERRORS,
    Deadline,
    failure,
    header_values,
    json_or_raise,
    stream_read_error,
)
from ._redact import Secrets
from ._sse import SSEDecoder
from ._types import ChatResult, StreamEvent
from ._web_page import is_web_page, url_of
from .errors import StreamError
from .wire import Dialect

__all__ = ["AsyncChatStream", "ChatStream", "StreamState"]


class StreamState:
    """One streamed response's decoding state, fed with body chunks by either I/O loop."""

    __slots__ = (
        "_acc",
        "_answered",
        "_decoder",
        "_dialect",
        "_json_body",
        "_maybe_page",
        "_sse",
        "_values",
        "deadline",
        "headers",
        "idle_timeout",
        "request_id",
    )

    def __init__(
        self, dialect: Dialect, idle_timeout: float | None, deadline: Deadline | None = None
    ) -> None:
        self.deadline = deadline or Deadline(None)
        self._sse = SSEDecoder()
        self._dialect = dialect
        self._decoder = dialect.stream_decoder()
        self._acc = StreamAccumulator()
        self._json_body: bytearray | None = None
        self._answered: tuple[int, httpx.URL | None] = (200, None)  # status, URL of a whole body
        self._maybe_page = False
        self.idle_timeout = idle_timeout
        self.headers: httpx.Headers | None = None
        self._values: dict[str, str] = {}  # the headers as a dict, once started (header_values)
        self.request_id: str | None = None

    def started(self, response: httpx.Response) -> None:
        self.headers = response.headers
        self._values = values = header_values(response.headers)
        self.request_id = values.get("x-request-id")
        ctype = values.get("content-type", "")
        self._answered = (response.status_code, url_of(response))
        # A body labelled HTML is a web page (a wrong base URL) if it reads as one; a server that
        # mislabels its SSE is read as SSE (tests/e2e/test_fault_matrix.py).
        self._maybe_page = ctype.startswith("text/html")
        if ctype.startswith("application/") and "json" in ctype:
            # A stream request answered with one JSON body — an error envelope on a 2xx, or a
            # whole completion from a route that ignores "stream" — or with a web page: it is
            # read as what it is instead of failing later as a stream that "never finished".
            self._json_body = bytearray()

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if self.deadline.end is not None:
            self.deadline.check()
        if self._maybe_page:
            self._maybe_page = False
            if is_web_page(chunk[:64].decode("utf-8", "replace")):
                self._json_body = bytearray()  # read whole: json_or_raise says what it is
        if self._json_body is not None:
            self._json_body += chunk
            return []
        events: list[StreamEvent] = []
        add = self._acc.add
        for sse in self._sse.feed(chunk):
            # Accumulated as each SSE event is decoded: an error later in the same chunk still
            # finds everything before it in StreamError.partial.
            new = self._decoder.feed(sse)
            for event in new:
                add(event)
            events.extend(new)
        return events

    def end(self) -> list[StreamEvent]:
        """Events still buffered at the end of the body (a missing finish is checked by
        :meth:`check_finished` once these were handed out: nothing received is dropped)."""
        events: list[StreamEvent] = []
        if self._json_body is not None:
            body = json_or_raise(bytes(self._json_body), *self._answered)
            events = events_of(self._dialect.decode(body, self._values))
        else:
            for sse in self._sse.flush():
                events.extend(self._decoder.feed(sse))
        for event in events:
            self._acc.add(event)
        return events

    def check_finished(self) -> None:
        if not (self._decoder.finished or self._acc.finished):
            raise StreamError(
                "the stream ended before the model finished (no finish event); the answer is "
                f"incomplete, retry the request (request id {self.request_id})",
                partial=self.partial(),
            )

    def partial_parts(self) -> list[PartialPart]:
        """The parts so far, as snapshots (:meth:`StreamAccumulator.partial_parts`)."""
        return self._acc.partial_parts()

    def partial(self) -> ChatResult | None:
        """What arrived so far (``StreamError.partial``)."""
        result = self._acc.partial()
        if result is not None:
            result.request_id = result.request_id or self._values.get("x-request-id")
            result.inference_id = result.inference_id or self._values.get("x-inference-id")
        return result

    def fail(self, exc: Exception, key: Secrets) -> Exception:
        """The exception to raise for ``exc`` met while reading: an httpx error mapped, a
        :class:`StreamError` given what arrived before it, the key scrubbed
        (``_exchange.failure``)."""
        if isinstance(exc, httpx.TimeoutException) and self.deadline.expired():
            try:  # the read timed out because the deadline cut it: say so
                self.deadline.check()
            except Exception as deadline_error:
                deadline_error.__cause__ = exc
                exc = deadline_error
        if isinstance(exc, HTTPX_ERRORS):
            mapped = stream_read_error(
                exc, idle_timeout=self.idle_timeout, request_id=self.request_id, key=key
            )
            mapped.__cause__ = exc
            mapped.__suppress_context__ = True
            exc = mapped
        if isinstance(exc, StreamError) and exc.partial is None:
            exc.partial = self.partial()
        return failure(exc, key)

    def result(self) -> ChatResult:
        result = self._acc.result()
        result.request_id = result.request_id or self._values.get("x-request-id")
        result.inference_id = result.inference_id or self._values.get("x-inference-id")
        return result


class _StreamBase:
    """What both streams hold besides their I/O loop: the decoding state and the response."""

    def __init__(
        self,
        dialect: Dialect,
        *,
        idle_timeout: float | None,
        key: Secrets,
        deadline: Deadline | None = None,
    ) -> None:
        self._key = key
        self._state = StreamState(dialect, idle_timeout, deadline)
        self._response: httpx.Response | None = None

    @property
    def request_id(self) -> str | None:
        return self._state.request_id

    @property
    def response_headers(self) -> httpx.Headers | None:
        return self._state.headers

    def partial_parts(self) -> list[PartialPart]:
        """The answer so far, as :class:`PartialPart` snapshots from the stream's own
        accumulator (which every event has already been folded into): an adapter that shows
        the answer so far on each event reads it here rather than folding the events again.
        Constant work per part; later events do not change a snapshot."""
        return self._state.partial_parts()


class ChatStream(_StreamBase):
    """``with client.stream(req) as s: for event in s: ...``; ``s.get_final_result()``.

    Made by :meth:`AIMLAPIClient.stream`, which hands over ``open``: a callable that sends the
    request (with the client's retries) and returns the opened, unread response. It is called
    once, on ``with`` or the first iteration. ``key`` is only used to redact error texts.
    """

    def __init__(
        self,
        open: Callable[[], httpx.Response],
        dialect: Dialect,
        *,
        idle_timeout: float | None,
        key: Secrets,
        deadline: Deadline | None = None,
    ) -> None:
        super().__init__(dialect, idle_timeout=idle_timeout, key=key, deadline=deadline)
        self._open = open
        self._events: Generator[StreamEvent, None, None] | None = None

    def _start(self) -> Generator[StreamEvent, None, None]:
        if self._events is None:
            try:
                self._state.deadline.start()
                self._response = self._open()
            except Exception as exc:
                raise failure(exc, self._key)  # noqa: B904 (failure() chains the cause)
            self._state.started(self._response)
            self._events = self._iterate(self._response)
        return self._events

    def _iterate(self, response: httpx.Response) -> Generator[StreamEvent, None, None]:
        state, key = self._state, self._key
        try:
            try:
                for chunk in response.iter_bytes():
                    yield from state.feed(chunk)
                yield from state.end()
                state.check_finished()
            except Exception as exc:  # the one exit: mapped, given the partial, key scrubbed
                raise state.fail(exc, key)  # noqa: B904 (fail() chains the cause)
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
        try:
            return self._state.result()
        except Exception as exc:  # e.g. tool arguments that are not JSON: scrubbed like the rest
            raise failure(exc, self._key)  # noqa: B904 (failure() chains the cause)

    def close(self) -> None:
        """Closes the response; safe to call at any time, also mid-stream."""
        if self._events is not None:
            self._events.close()
        if self._response is not None:
            self._response.close()


class AsyncChatStream(_StreamBase):
    """``async with client.stream(req) as s: async for event in s: ...``;
    ``await s.get_final_result()``. ``open`` is awaited once, as :class:`ChatStream`'s is called.
    """

    def __init__(
        self,
        open: Callable[[], Awaitable[httpx.Response]],
        dialect: Dialect,
        *,
        idle_timeout: float | None,
        key: Secrets,
        deadline: Deadline | None = None,
    ) -> None:
        super().__init__(dialect, idle_timeout=idle_timeout, key=key, deadline=deadline)
        self._open = open
        self._events: AsyncGenerator[StreamEvent, None] | None = None

    async def _start(self) -> AsyncGenerator[StreamEvent, None]:
        if self._events is None:
            try:
                self._state.deadline.start()
                self._response = await self._open()
            except Exception as exc:
                raise failure(exc, self._key)  # noqa: B904 (failure() chains the cause)
            self._state.started(self._response)
            self._events = self._iterate(self._response)
        return self._events

    async def _iterate(self, response: httpx.Response) -> AsyncGenerator[StreamEvent, None]:
        state, key = self._state, self._key
        try:
            try:
                async for chunk in response.aiter_bytes():
                    for event in state.feed(chunk):
                        yield event
                for event in state.end():
                    yield event
                state.check_finished()
            except Exception as exc:  # the one exit: mapped, given the partial, key scrubbed
                raise state.fail(exc, key)  # noqa: B904 (fail() chains the cause)
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
        try:
            return self._state.result()
        except Exception as exc:  # e.g. tool arguments that are not JSON: scrubbed like the rest
            raise failure(exc, self._key)  # noqa: B904 (failure() chains the cause)

    async def aclose(self) -> None:
        if self._events is not None:
            await self._events.aclose()
        if self._response is not None:
            await self._response.aclose()

    close = aclose
