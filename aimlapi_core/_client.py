"""``AIMLAPIClient`` and ``AsyncAIMLAPIClient``: the transport of the core.

Both clients share everything in ``_transport.py`` (headers, body, retry decisions, error
mapping), ``_stream.py`` (stream state) and ``_images.py``; only the I/O loops below exist
twice. One pooled httpx client per instance, created on first use; an injected ``http_client``
is used as is and never closed.

Example:
    >>> from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart
    >>> client = AIMLAPIClient(api_key="sk-...")  # doctest: +SKIP
    >>> req = ChatRequest(model="claude-sonnet-4-20250514", max_tokens=256,
    ...                   messages=[Message(role="user", parts=[TextPart(text="Hi")])])
    >>> client.create(req).text  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import httpx

from . import _transport as h
from ._batches import AsyncBatches, Batches
from ._embeddings import (
    DEFAULT_EMBEDDING_MODEL,
    EMBEDDINGS_PATH,
    EmbeddingCollector,
    EmbeddingPlan,
    EmbeddingResult,
    EncodingFormat,
    plan_embeddings,
)
from ._images import ImageFetch, Inlined, inline_images, urls_to_fetch
from ._settings import ClientSettings
from ._stream import AsyncChatStream, ChatStream
from ._types import ChatRequest, ChatResult
from .errors import InvalidRequestError
from .wire import Dialect, get_dialect

__all__ = ["AIMLAPIClient", "AsyncAIMLAPIClient", "AsyncChatStream", "ChatStream"]

_H = TypeVar("_H", httpx.Client, httpx.AsyncClient)
_CLOSING: set[asyncio.Task[None]] = set()  # keeps close tasks started by __del__ alive


def _closed(task: asyncio.Task[None]) -> None:
    _CLOSING.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: a failed best-effort close is not worth a traceback


class _PoolHeaders(dict[str, str]):
    """The headers set on a pool we own. The key is among them: never shown."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} headers set on the pool>"


class _ClientBase(Generic[_H]):
    def __init__(
        self,
        *,
        api_key: Any = None,
        base_url: str | None = None,
        api: str = "chat_completions",
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        http_client: _H | None = None,
        stream_idle_timeout: float | None = None,
        deadline: float | None = None,
        jitter: Callable[[], float] | None = None,
    ) -> None:
        self.settings = ClientSettings(
            api_key=api_key,
            base_url=base_url,
            api=api,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            stream_idle_timeout=stream_idle_timeout,
            deadline=deadline,
        )
        self.dialect: Dialect = get_dialect(self.settings.api)
        self._http: _H | None = http_client
        self._owns_http = http_client is None
        self._jitter = jitter
        self._lock = threading.Lock()
        self._urls: dict[str, httpx.URL] = {}
        # The headers every request of this client carries, set once on the pool we own (None
        # for a pool passed in, which gets them per request): see _build.
        self._pool_headers: _PoolHeaders | None = None

    @property
    def _key(self) -> str | None:
        return self.settings.api_key.get_secret_value() if self.settings.api_key else None

    def _post(
        self, request: ChatRequest, *, stream: bool
    ) -> tuple[httpx.URL, dict[str, str], bytes]:
        """URL, headers and body of a chat request whose images are already inlined."""
        key = self.settings.require_key()
        body = h.encode_body(self.dialect, request, stream=stream)
        headers = h.request_headers(self.settings, key, stream=stream, extra=request.extra_headers)
        return self._url(self.dialect.path), headers, body

    def _url(self, path: str) -> httpx.URL:
        """``base_url + path`` for one of the API's fixed paths, parsed once per client: httpx
        parses a ``str`` URL on every request, about 30 µs of a 1 ms call."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self.settings.base_url + path)
        return url

    def _new_pool_headers(self) -> dict[str, str]:
        """The headers a pool we own carries for every request: those of a whole-body POST.

        httpx merges per-request headers into the pool's one by one (about 4 µs a header), so
        ``_build`` passes only what differs. ``None`` when two names differ only in case
        (``default_headers={"authorization": ...}``): then every request carries its own."""
        headers = _PoolHeaders(h.request_headers(self.settings, self._key, stream=False))
        unique = len({name.lower() for name in headers}) == len(headers)
        self._pool_headers = headers if unique else None
        return headers if unique else {}

    def _build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        url: httpx.URL | str,
        headers: dict[str, str],
        content: bytes | None,
        timeout: httpx.Timeout,
    ) -> httpx.Request:
        """The request with exactly ``headers`` (besides httpx's own: Host, Content-Length,
        Accept-Encoding, Connection), whether or not the pool carries some of them."""
        pooled = self._pool_headers if self._owns_http else None
        if pooled is None:
            return http.build_request(
                method, url, headers=headers, content=content, timeout=timeout
            )
        own = {name: value for name, value in headers.items() if pooled.get(name) != value}
        req = http.build_request(method, url, headers=own or None, content=content, timeout=timeout)
        for name in pooled:
            if name not in headers:  # e.g. no key and no Content-Type on GET /models
                del req.headers[name]
        return req

    def _deadline(self) -> h.Deadline:
        return h.Deadline(self.settings.deadline)

    def _embedding_call(
        self, texts: Sequence[str], extra_headers: Mapping[str, str] | None, **options: Any
    ) -> tuple[EmbeddingPlan, httpx.URL, dict[str, str]]:
        """The checked plan (every input error raised here, before I/O), URL and headers."""
        plan = plan_embeddings(texts, **options)
        key = self.settings.require_key() if plan.bodies else None
        headers = h.request_headers(self.settings, key, stream=False, extra=extra_headers)
        return plan, self._url(EMBEDDINGS_PATH), headers

    def __repr__(self) -> str:  # the key is never shown
        return (
            f"{type(self).__name__}(base_url={self.settings.base_url!r}, "
            f"api={self.settings.api!r}, max_retries={self.settings.max_retries})"
        )


# =========================================================================== sync


class AIMLAPIClient(_ClientBase[httpx.Client]):
    """Synchronous client. See ``docs/INTERNALS.md`` and :class:`ClientSettings` for the
    arguments; ``sleep`` (default ``time.sleep``) and ``jitter`` exist so tests can record the
    retry delays."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sleep = sleep

    def _client(self) -> httpx.Client:
        if self._http is None:
            with self._lock:
                if self._http is None:
                    self._http = httpx.Client(
                        timeout=self.settings.timeout,
                        limits=h.POOL_LIMITS,
                        headers=self._new_pool_headers(),
                    )
        return self._http

    def _send(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        headers: dict[str, str],
        content: bytes | None = None,
        timeout: httpx.Timeout,
        stream: bool = False,
        deadline: h.Deadline | None = None,
    ) -> httpx.Response:
        """One request with retries; a streamed success comes back unread, anything else read
        and closed. Failed attempts are closed before the sleep. ``deadline`` (started) bounds
        the attempts, the sleeps and the reading of a whole body."""
        http, retries = self._client(), 0
        deadline = deadline or self._deadline().start()
        while True:
            attempt = deadline.timeout(timeout)
            req = self._build(http, method, url, headers, content, attempt)
            try:
                resp = http.send(req, stream=True)
                if not (stream and resp.is_success):
                    try:
                        read = self._read(resp, deadline)
                    except httpx.DecodingError as exc:
                        raise h.undecodable(resp, exc) from exc
                    finally:
                        resp.close()
                    resp = read
            except httpx.TransportError as exc:
                delay = h.retry_after_error(self.settings, retries, exc, self._jitter, deadline)
                if delay is None:
                    deadline.check()  # a timeout the deadline caused is reported as such
                    raise h.transport_error(exc, req.url, self._key) from exc
                h.log_retry(req, type(exc).__name__, delay, retries)
                self._sleep(delay)
                retries += 1
                continue
            h.log_response(req, resp, retries)
            if resp.is_success:
                return resp
            error = h.status_error(resp, self._key)
            delay = h.retry_after_status(
                self.settings, retries, resp, self._jitter, deadline, error
            )
            if delay is None:
                raise error
            h.log_retry(req, str(resp.status_code), delay, retries)
            self._sleep(delay)
            retries += 1

    @staticmethod
    def _read(resp: httpx.Response, deadline: h.Deadline) -> httpx.Response:
        if deadline.end is None or resp.is_stream_consumed:  # (already read: a mocked response)
            resp.read()
            return resp
        raw = bytearray()
        for chunk in resp.iter_raw():  # the deadline checked between reads
            raw += chunk
            deadline.check()
        return h.rebuilt(resp, bytes(raw))

    def _fetch_image(self, url: str, deadline: h.Deadline) -> Inlined:
        fetch, http = ImageFetch(url), self._client()
        try:
            while True:
                req = fetch.request(deadline.timeout(self.settings.timeout))
                resp = http.send(req, stream=True, auth=None, follow_redirects=False)
                try:
                    if fetch.follow(resp):
                        continue
                    fetch.begin(resp)
                    for chunk in resp.iter_bytes():
                        fetch.add(chunk)
                        deadline.check()
                    return fetch.result(resp)
                finally:
                    resp.close()
        except h.HTTPX_ERRORS as exc:
            raise fetch.error(exc) from exc

    def _inline(self, request: ChatRequest, deadline: h.Deadline) -> ChatRequest:
        fetched = {url: self._fetch_image(url, deadline) for url in urls_to_fetch(request)}
        return inline_images(request, fetched)

    def create(self, request: ChatRequest) -> ChatResult:
        """Send ``request`` and return the whole answer."""
        try:
            self.settings.require_key()
            deadline = self._deadline().start()
            url, headers, body = self._post(self._inline(request, deadline), stream=False)
            resp = self._send(
                "POST",
                url,
                headers=headers,
                content=body,
                timeout=self.settings.timeout,
                deadline=deadline,
            )
            return h.decode_result(self.dialect, resp)
        except Exception as exc:  # the one exit: mapped into the family, key scrubbed
            raise h.failure(exc, self._key)  # noqa: B904 (failure() chains the cause)

    def stream(self, request: ChatRequest) -> ChatStream:
        """A lazy stream of :data:`StreamEvent`: nothing is sent before ``with`` or iteration."""
        deadline = self._deadline()  # started by the stream when it opens

        def open_response() -> httpx.Response:
            self.settings.require_key()
            url, headers, body = self._post(self._inline(request, deadline), stream=True)
            timeout = self.settings.stream_timeout
            return self._send(
                "POST",
                url,
                headers=headers,
                content=body,
                timeout=timeout,
                stream=True,
                deadline=deadline,
            )

        idle, key = self.settings.stream_idle_timeout, self._key
        return ChatStream(
            open_response, self.dialect, idle_timeout=idle, key=key, deadline=deadline
        )

    @property
    def batches(self) -> Batches:
        """The Batches API (``create``, ``retrieve``, ``cancel``, ``wait``); see ``_batches.py``."""
        return Batches(self)

    def list_models(self) -> list[dict[str, Any]]:
        """``GET {base_url}/models``: the catalogue (no key needed, none sent)."""
        try:
            headers = h.request_headers(self.settings, None, stream=False, has_body=False)
            url = self._url("/models")
            resp = self._send("GET", url, headers=headers, timeout=self.settings.timeout)
            return h.models_of(resp)
        except Exception as exc:
            raise h.failure(exc, self._key)  # noqa: B904 (failure() chains the cause)

    def embed(
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
    ) -> EmbeddingResult:
        """Embed ``texts`` with ``POST {base_url}/embeddings``, one vector per text, in order.

        The texts are sent in as few requests as the model's limits allow (at most
        ``batch_size`` texts each, if given), one after another, each with the client's retries.

        Args:
            texts: the strings to embed (none may be empty).
            model: an embedding model id (default ``text-embedding-3-small``).
            dimensions: shorter vectors, where the model takes it (text-embedding-3-*, Qwen,
                Google).
            encoding_format: ``"base64"`` for a smaller answer (OpenAI models; decoded here).
            task_type, title, auto_truncate: ``text-multilingual-embedding-002`` only.
            input_type: ``"document"``, voyage-* only.
            batch_size: at most this many texts per request.
            extra_headers: added to every request.

        Raises:
            InvalidRequestError: a field the model does not take, a value it forbids, an empty
                text — before any request.

        Example:
            >>> with AIMLAPIClient() as client:  # doctest: +SKIP
            ...     result = client.embed(["a cat", "a dog"], dimensions=256)
            >>> len(result.vectors), len(result.vectors[0]), result.cost  # doctest: +SKIP
            (2, 256, Cost(credits_used=1.0, usd_spent=5e-07))
        """
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
        try:
            for i, body in enumerate(plan.bodies):
                resp = self._send(
                    "POST", url, headers=headers, content=body, timeout=self.settings.timeout
                )
                out.add(i, h.json_of(resp), resp.headers)
            return out.result()
        except Exception as exc:  # the one exit: httpx errors mapped, the key scrubbed
            raise h.failure(exc, self._key)  # noqa: B904 (failure() chains the cause)

    def close(self) -> None:
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None

    def __del__(self) -> None:
        # The adapters' models (a LangChain chat model) have no close(): free the pooled
        # sockets when the client is collected instead of leaking them (ResourceWarning).
        http = getattr(self, "_http", None)
        if getattr(self, "_owns_http", False) and http is not None and not http.is_closed:
            http.close()

    def __enter__(self) -> AIMLAPIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# =========================================================================== async


class AsyncAIMLAPIClient(_ClientBase[httpx.AsyncClient]):
    """Asynchronous client: same names as :class:`AIMLAPIClient`, awaited."""

    def __init__(
        self, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._sleep = sleep
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop that owns our pool

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        # No await between check and set: no race on one event loop. A pool we own belongs to
        # the loop that opened it; after asyncio.run() ended that loop, reusing its connections
        # fails with "Event loop is closed", so a later loop gets a pool of its own.
        if self._http is None or (self._owns_http and loop is not self._loop):
            self._http = httpx.AsyncClient(
                timeout=self.settings.timeout,
                limits=h.POOL_LIMITS,
                headers=self._new_pool_headers(),
            )
            self._loop = loop
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
        deadline: h.Deadline | None = None,
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
                        raise h.undecodable(resp, exc) from exc
                    finally:
                        await resp.aclose()
                    resp = read
            except httpx.TransportError as exc:
                delay = h.retry_after_error(self.settings, retries, exc, self._jitter, deadline)
                if delay is None:
                    deadline.check()  # a timeout the deadline caused is reported as such
                    raise h.transport_error(exc, req.url, self._key) from exc
                h.log_retry(req, type(exc).__name__, delay, retries)
                await self._sleep(delay)
                retries += 1
                continue
            h.log_response(req, resp, retries)
            if resp.is_success:
                return resp
            error = h.status_error(resp, self._key)
            delay = h.retry_after_status(
                self.settings, retries, resp, self._jitter, deadline, error
            )
            if delay is None:
                raise error
            h.log_retry(req, str(resp.status_code), delay, retries)
            await self._sleep(delay)
            retries += 1

    @staticmethod
    async def _read(resp: httpx.Response, deadline: h.Deadline) -> httpx.Response:
        if deadline.end is None or resp.is_stream_consumed:  # (already read: a mocked response)
            await resp.aread()
            return resp
        raw = bytearray()
        async for chunk in resp.aiter_raw():  # the deadline checked between reads
            raw += chunk
            deadline.check()
        return h.rebuilt(resp, bytes(raw))

    async def _fetch_image(self, url: str, deadline: h.Deadline) -> Inlined:
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
        except h.HTTPX_ERRORS as exc:
            raise fetch.error(exc) from exc

    async def _inline(self, request: ChatRequest, deadline: h.Deadline) -> ChatRequest:
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
            return h.decode_result(self.dialect, resp)
        except Exception as exc:  # the one exit: mapped into the family, key scrubbed
            raise h.failure(exc, self._key)  # noqa: B904 (failure() chains the cause)

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

        idle, key = self.settings.stream_idle_timeout, self._key
        return AsyncChatStream(
            open_response, self.dialect, idle_timeout=idle, key=key, deadline=deadline
        )

    @property
    def batches(self) -> AsyncBatches:
        """The Batches API, awaited: ``await client.batches.create(...)``."""
        return AsyncBatches(self)

    async def list_models(self) -> list[dict[str, Any]]:
        try:
            headers = h.request_headers(self.settings, None, stream=False, has_body=False)
            url = self._url("/models")
            resp = await self._send("GET", url, headers=headers, timeout=self.settings.timeout)
            return h.models_of(resp)
        except Exception as exc:
            raise h.failure(exc, self._key)  # noqa: B904 (failure() chains the cause)

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
                out.add(i, h.json_of(resp), resp.headers)

        try:
            await self._embed_workers(worker, min(max_concurrency, len(plan.bodies)))
            return out.result()
        except Exception as exc:  # the one exit: httpx errors mapped, the key scrubbed
            raise h.failure(exc, self._key)  # noqa: B904 (failure() chains the cause)

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

    def __del__(self) -> None:
        # Best effort, as for the sync client: an async pool can only be closed on its loop.
        http = getattr(self, "_http", None)
        if not getattr(self, "_owns_http", False) or http is None or http.is_closed:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if loop is not self._loop:
            # The pool's sockets belong to another (often already closed) loop: closing them
            # from this one fails with "Event loop is closed". Nothing can be done from here.
            return
        task = loop.create_task(http.aclose())
        _CLOSING.add(task)
        task.add_done_callback(_closed)

    async def __aenter__(self) -> AsyncAIMLAPIClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
