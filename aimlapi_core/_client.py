"""``AIMLAPIClient``: the synchronous client of the core.

Everything but its I/O loops is shared with :class:`AsyncAIMLAPIClient` (``_async_client.py``)
through ``_base_client.py`` (configuration, pool headers, requests built and prepared),
``_exchange.py`` (headers, body, retry decisions, error mapping), ``_stream.py`` (stream state)
and ``_images.py``.
One pooled httpx client per instance, created on first use; an injected ``http_client`` is used
as is and never closed.

Example:
    >>> from aimlapi_core import AIMLAPIClient, ChatRequest, Message, TextPart
    >>> client = AIMLAPIClient(api_key="sk-...")  # doctest: +SKIP
    >>> req = ChatRequest(model="claude-sonnet-4-20250514", max_tokens=256,
    ...                   messages=[Message(role="user", parts=[TextPart(text="Hi")])])
    >>> client.create(req).text  # doctest: +SKIP
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from . import _exchange as exchange
from ._base_client import _ClientBase
from ._embeddings import (
    DEFAULT_EMBEDDING_MODEL,
    EmbeddingCollector,
    EmbeddingResult,
    EncodingFormat,
)
from ._images import ImageFetch, Inlined, inline_images, urls_to_fetch
from ._stream import ChatStream
from ._types import ChatRequest, ChatResult

if TYPE_CHECKING:  # imported by the batches property: a chat call never needs it
    from ._batches import Batches

__all__ = ["AIMLAPIClient", "ChatStream"]


class AIMLAPIClient(_ClientBase[httpx.Client]):
    """Synchronous client. See ``docs/INTERNALS.md`` and :class:`ClientSettings` for the
    arguments; ``sleep`` (default ``time.sleep``) and ``jitter`` exist so tests can record the
    retry delays."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._sleep = sleep

    def _client(self) -> httpx.Client:
        if self._pid != os.getpid():
            self._after_fork()
        if self._http is None:
            with self._lock:
                if self._http is None:
                    self._http = httpx.Client(
                        timeout=self.settings.timeout,
                        limits=exchange.POOL_LIMITS,
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
        deadline: exchange.Deadline | None = None,
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
                        raise exchange.undecodable(resp, exc) from exc
                    finally:
                        resp.close()
                    resp = read
            except httpx.TransportError as exc:
                self._sleep(self._error_delay(exc, req, retries, deadline))
                retries += 1
                continue
            exchange.log_response(req, resp, retries)
            if resp.is_success:
                return resp
            self._sleep(self._status_delay(req, resp, retries, deadline))
            retries += 1

    @staticmethod
    def _read(resp: httpx.Response, deadline: exchange.Deadline) -> httpx.Response:
        if deadline.end is None or resp.is_stream_consumed:  # (already read: a mocked response)
            resp.read()
            return resp
        raw = bytearray()
        for chunk in resp.iter_raw():  # the deadline checked between reads
            raw += chunk
            deadline.check()
        return exchange.rebuilt(resp, bytes(raw))

    def _fetch_image(self, url: str, deadline: exchange.Deadline) -> Inlined:
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
        except exchange.HTTPX_ERRORS as exc:
            raise fetch.error(exc) from exc

    def _inline(self, request: ChatRequest, deadline: exchange.Deadline) -> ChatRequest:
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
            return exchange.decode_result(self.dialect_for(request), resp)
        except Exception as exc:  # the one exit: mapped into the family, key scrubbed
            raise exchange.failure(exc, self._secrets)  # noqa: B904 (failure() chains the cause)

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

        idle, key = self.settings.stream_idle_timeout, self._secrets
        return ChatStream(
            open_response, self.dialect_for(request), idle_timeout=idle, key=key, deadline=deadline
        )

    @property
    def batches(self) -> Batches:
        """The Batches API (``create``, ``retrieve``, ``cancel``, ``wait``); see ``_batches.py``."""
        from ._batches import Batches

        return Batches(self)

    def list_models(self) -> list[dict[str, Any]]:
        """``GET {base_url}/models``: the catalogue (no key needed, none sent)."""
        try:
            url, headers = self._models_call()
            resp = self._send("GET", url, headers=headers, timeout=self.settings.timeout)
            return exchange.models_of(resp)
        except Exception as exc:
            raise exchange.failure(exc, self._secrets)  # noqa: B904 (failure() chains the cause)

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
            task_type: ``text-multilingual-embedding-002`` only.
            title: ``text-multilingual-embedding-002`` only, with
                ``task_type="RETRIEVAL_DOCUMENT"``.
            auto_truncate: ``text-multilingual-embedding-002`` only.
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
                out.add(i, exchange.json_of(resp), resp.headers, resp.content)
            return out.result()
        except Exception as exc:  # the one exit: httpx errors mapped, the key scrubbed
            raise exchange.failure(exc, self._secrets)  # noqa: B904 (failure() chains the cause)

    def close(self) -> None:
        if self._owns_http and self._http is not None:
            self._http.close()
            self._http = None

    def __del__(self) -> None:
        # The adapters' models (a LangChain chat model) have no close(): free the pooled
        # sockets when the client is collected instead of leaking them (ResourceWarning).
        http = getattr(self, "_http", None)
        if getattr(self, "_pid", None) != os.getpid():  # a forked child's: the parent's sockets
            return
        if getattr(self, "_owns_http", False) and http is not None and not http.is_closed:
            http.close()

    def __enter__(self) -> AIMLAPIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
