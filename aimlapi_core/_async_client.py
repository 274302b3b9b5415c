"""``AsyncAIMLAPIClient``: the asynchronous client of the core.

The same names as :class:`AIMLAPIClient` (``_client.py``), awaited; everything but the I/O loops
below is shared with it through ``_base_client.py``. Its own: a pool per event loop (a pool
cannot outlive the loop that opened it) closed when that loop ends (``_close_with_loop``), and
embeddings sent concurrently.

Example:
    >>> from aimlapi_core import AsyncAIMLAPIClient, ChatRequest, Message, TextPart
    >>> req = ChatRequest(model="claude-sonnet-4-20250514", max_tokens=256,
    ...                   messages=[Message(role="user", parts=[TextPart(text="Hi")])])
    >>> async with AsyncAIMLAPIClient() as client:  # doctest: +SKIP
    ...     print((await client.create(req)).text)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from . import _exchange as exchange
from ._base_client import _INHERITED, _ClientBase
from ._embeddings import (
    DEFAULT_EMBEDDING_MODEL,
    EmbeddingCollector,
    EmbeddingResult,
    EncodingFormat,
)
from ._images import ImageFetch, Inlined, inline_images, urls_to_fetch
from ._stream import AsyncChatStream
from ._types import ChatRequest, ChatResult
from .errors import InvalidRequestError

if TYPE_CHECKING:  # imported by the batches property: a chat call never needs it
    from ._batches import AsyncBatches

__all__ = ["AsyncAIMLAPIClient", "AsyncChatStream"]


def _close_with_loop(http: httpx.AsyncClient) -> AsyncGenerator[None, None]:
    """An async generator, started and left suspended, that closes ``http`` when the running
    loop finalises it: ``asyncio.run()`` closes every async generator of its loop before it
    ends the loop (``loop.shutdown_asyncgens``), and the loop finalises one that is collected
    sooner (the client was). So the pool's sockets are closed on the loop that opened them
    when that loop ends — after one ``asyncio.run()`` of many — instead of by the garbage
    collector later (``ResourceWarning: unclosed transport``). The loop's hooks see it at its
    first step (``sys.set_asyncgen_hooks``), taken here without awaiting: nothing precedes
    the ``yield``."""

    async def close_at_loop_end() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            await http.aclose()

    closer = close_at_loop_end()
    with contextlib.suppress(StopIteration):
        closer.__anext__().send(None)  # runs to the yield: the loop now finalises it
    return closer


class AsyncAIMLAPIClient(_ClientBase[httpx.AsyncClient]):
    """Asynchronous client: same names as :class:`AIMLAPIClient`, awaited."""

    def __init__(
        self, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._sleep = sleep
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop that owns our pool
        self._closer: AsyncGenerator[None, None] | None = None  # closes it when the loop ends

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._pid != os.getpid():
            self._after_fork()
        # No await between check and set: no race on one event loop. A pool we own belongs to
        # the loop that opened it; after asyncio.run() ended that loop, reusing its connections
        # fails with "Event loop is closed", so a later loop gets a pool of its own.
        if self._http is None or (self._owns_http and loop is not self._loop):
            self._http = httpx.AsyncClient(
                timeout=self.settings.timeout,
                limits=exchange.POOL_LIMITS,
                headers=self._new_pool_headers(),
            )
            self._loop = loop
            self._closer = _close_with_loop(self._http)
        return self._http

    async def _send(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        headers: dict[str, str],
        content: bytes | None = None,
        timeout: httpx.Timeout,
        stream: bool = False,
        deadline: exchange.Deadline | None = None,
    ) -> httpx.Response:
        http, retries = self._client(), 0
        deadline = deadline or self._deadline().start()
        while True:
            attempt = deadline.timeout(timeout)
            req = self._build(http, method, url, headers, content, attempt)
            try:
                resp = await http.send(req, stream=True)
                if not (stream and resp.is_success):
                    try:
                        read = await self._read(resp, deadline)
                    except httpx.DecodingError as exc:
                        raise exchange.undecodable(resp, exc) from exc
                    finally:
                        await resp.aclose()
                    resp = read
            except httpx.TransportError as exc:
                await self._sleep(self._error_delay(exc, req, retries, deadline))
                retries += 1
                continue
            exchange.log_response(req, resp, retries)
            if resp.is_success:
                return resp
            await self._sleep(self._status_delay(req, resp, retries, deadline))
            retries += 1

    @staticmethod
    async def _read(resp: httpx.Response, deadline: exchange.Deadline) -> httpx.Response:
        if deadline.end is None or resp.is_stream_consumed:  # (already read: a mocked response)
            await resp.aread()
            return resp
        raw = bytearray()
        async for chunk in resp.aiter_raw():  # the deadline checked between reads
            raw += chunk
            deadline.check()
        return exchange.rebuilt(resp, bytes(raw))

    async def _fetch_image(self, url: str, deadline: exchange.Deadline) -> Inlined:
        fetch, http = ImageFetch(url), self._client()
        try:
            while True:
                req = fetch.request(deadline.timeout(self.settings.timeout))
                resp = await http.send(req, stream=True, auth=None, follow_redirects=False)
                try:
                    if fetch.follow(resp):
                        continue
                    fetch.begin(resp)
                    async for chunk in resp.aiter_bytes():
                        fetch.add(chunk)
                        deadline.check()
                    return fetch.result(resp)
                finally:
                    await resp.aclose()
        except exchange.HTTPX_ERRORS as exc:
            raise fetch.error(exc) from exc

    async def _inline(self, request: ChatRequest, deadline: exchange.Deadline) -> ChatRequest:
        fetched = {url: await self._fetch_image(url, deadline) for url in urls_to_fetch(request)}
        return inline_images(request, fetched)

    async def create(self, request: ChatRequest) -> ChatResult:
        try:
            self.settings.require_key()
            deadline = self._deadline().start()
            url, headers, body = self._post(await self._inline(request, deadline), stream=False)
            resp = await self._send(
                "POST",
                url,
                headers=headers,
                content=body,
                timeout=self.settings.timeout,
                deadline=deadline,
            )
            return exchange.decode_result(self.dialect_for(request), resp)
        except Exception as exc:  # the one exit: mapped into the family, key scrubbed
            raise exchange.failure(exc, self._secrets)  # noqa: B904 (failure() chains the cause)

    def stream(self, request: ChatRequest) -> AsyncChatStream:
        deadline = self._deadline()  # started by the stream when it opens

        async def open_response() -> httpx.Response:
            self.settings.require_key()
            url, headers, body = self._post(await self._inline(request, deadline), stream=True)
            timeout = self.settings.stream_timeout
            return await self._send(
                "POST",
                url,
                headers=headers,
                content=body,
                timeout=timeout,
                stream=True,
                deadline=deadline,
            )

        idle, key = self.settings.stream_idle_timeout, self._secrets
        return AsyncChatStream(
            open_response, self.dialect_for(request), idle_timeout=idle, key=key, deadline=deadline
        )

    @property
    def batches(self) -> AsyncBatches:
        """The Batches API, awaited: ``await client.batches.create(...)``."""
        from ._batches import AsyncBatches

        return AsyncBatches(self)

    async def list_models(self) -> list[dict[str, Any]]:
        try:
            url, headers = self._models_call()
            resp = await self._send("GET", url, headers=headers, timeout=self.settings.timeout)
            return exchange.models_of(resp)
        except Exception as exc:
            raise exchange.failure(exc, self._secrets)  # noqa: B904 (failure() chains the cause)

    async def embed(
        self,
        texts: Sequence[str],
        *,
        model: str = DEFAULT_EMBEDDING_MODEL,
        dimensions: int | None = None,
        encoding_format: EncodingFormat | None = None,
        task_type: str | None = None,
        title: str | None = None,
        auto_truncate: bool | None = None,
        input_type: str | None = None,
        batch_size: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        max_concurrency: int = 4,
    ) -> EmbeddingResult:
        """:meth:`AIMLAPIClient.embed`, awaited; up to ``max_concurrency`` requests in flight.

        The answers may arrive in any order; the vectors come back in the order of ``texts``.
        If one request fails for good, the others are cancelled and its error is raised.
        """
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            raise InvalidRequestError(f"max_concurrency must be an int, got {max_concurrency!r}")
        if max_concurrency < 1:
            raise InvalidRequestError(f"max_concurrency must be at least 1, got {max_concurrency}")
        plan, url, headers = self._embedding_call(
            texts,
            extra_headers,
            model=model,
            dimensions=dimensions,
            encoding_format=encoding_format,
            task_type=task_type,
            title=title,
            auto_truncate=auto_truncate,
            input_type=input_type,
            batch_size=batch_size,
        )
        out = EmbeddingCollector(plan)
        todo = iter(range(len(plan.bodies)))  # shared: each worker takes the next batch

        async def worker() -> None:
            for i in todo:
                resp = await self._send(
                    "POST",
                    url,
                    headers=headers,
                    content=plan.bodies[i],
                    timeout=self.settings.timeout,
                )
                out.add(i, exchange.json_of(resp), resp.headers, resp.content)

        try:
            await self._embed_workers(worker, min(max_concurrency, len(plan.bodies)))
            return out.result()
        except Exception as exc:  # the one exit: httpx errors mapped, the key scrubbed
            raise exchange.failure(exc, self._secrets)  # noqa: B904 (failure() chains the cause)

    @staticmethod
    async def _embed_workers(worker: Callable[[], Awaitable[None]], workers: int) -> None:
        if workers <= 1:
            await worker()
            return
        tasks = [asyncio.ensure_future(worker()) for _ in range(workers)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def close(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    def _after_fork(self) -> None:
        # The closer belongs to the parent's loop: kept with the inherited pool, never run here.
        if self._closer is not None:
            _INHERITED.append(self._closer)
            self._closer = None
        super()._after_fork()

    async def __aenter__(self) -> AsyncAIMLAPIClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
