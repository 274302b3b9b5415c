"""The base of :class:`AIMLAPIClient` (``_client.py``) and :class:`AsyncAIMLAPIClient`
(``_async_client.py``): a client's configuration and the preparation of its requests.

As in the Anthropic SDK's ``_base_client.py``: the settings, the dialect, the parsed URLs, the
headers set on the pool and the building of each request on them, the chat / embeddings /
models call prepared before any I/O, and the exchange rules (``_exchange.py``) bound to this
client's settings, key and jitter (a failed attempt's retry delay, logged, or its error). Each
client module keeps only the loops that ``send`` / ``await``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import httpx

from . import _exchange as exchange
from ._client_settings import ClientSettings
from ._embeddings import EMBEDDINGS_PATH, EmbeddingPlan, plan_embeddings
from ._redact import header_secrets
from ._types import ChatRequest
from .catalog import default_api
from .wire import Dialect, get_dialect

_H = TypeVar("_H", httpx.Client, httpx.AsyncClient)

# Pools a forked child inherited from its parent: their sockets are the parent's keep-alive
# connections, so the child must neither use them (it would read the parent's answers) nor
# close them (a TLS close_notify would end the parent's session). Kept here, never collected.
_INHERITED: list[Any] = []


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
        api: str | None = None,
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
        # None: each request's endpoint is chosen from its model (catalog.default_api).
        self.dialect: Dialect | None = get_dialect(self.settings.api) if self.settings.api else None
        self._http: _H | None = http_client
        self._owns_http = http_client is None
        self._jitter = jitter
        self._lock = threading.Lock()
        self._pid = os.getpid()  # the process whose pool this is (fork safety: _after_fork)
        self._header_secrets = header_secrets(self.settings.default_headers)
        self._urls: dict[str, httpx.URL] = {}
        # The headers every request of this client carries, set once on the pool we own (None
        # for a pool passed in, which gets them per request): see _build.
        self._pool_headers: _PoolHeaders | None = None

    def _after_fork(self) -> None:
        """Called when this process is not the one that opened the pool: a child forked after
        the client was used (gunicorn/uWSGI preload, multiprocessing with fork). The inherited
        pool is left behind untouched (``_INHERITED``) and the next call opens a fresh one, as
        the Anthropic and OpenAI SDKs and database drivers do. A pool passed in is the caller's."""
        self._pid = os.getpid()
        self._lock = threading.Lock()  # held by another thread at the fork, it stays held here
        if self._owns_http and self._http is not None:
            _INHERITED.append(self._http)
            self._http = None

    @property
    def _key(self) -> str | None:
        return self.settings.api_key.get_secret_value() if self.settings.api_key else None

    @property
    def _secrets(self) -> tuple[str, ...]:
        """What leaves no error of this client: the key and the default headers' credentials
        (a key given only as a default ``Authorization`` header is still a key)."""
        key = self._key
        return (key, *self._header_secrets) if key else self._header_secrets

    def _post(
        self, request: ChatRequest, *, stream: bool
    ) -> tuple[httpx.URL, dict[str, str], bytes]:
        """URL, headers and body of a chat request whose images are already inlined."""
        key = self.settings.require_key()
        dialect = self.dialect_for(request)
        body = exchange.encode_body(dialect, request, stream=stream)
        headers = exchange.request_headers(
            self.settings, key, stream=stream, extra=request.extra_headers
        )
        return self._url(dialect.path), headers, body

    def dialect_for(self, request: ChatRequest) -> Dialect:
        """The dialect ``request`` goes out in: the client's ``api=``, or, when none was given,
        the full-fidelity endpoint the catalogue names for the request's model (/messages where
        a /v1/messages schema lists the id; docs/wire.md "Default endpoint")."""
        return self.dialect or get_dialect(default_api(request.model))

    def _url(self, path: str) -> httpx.URL:
        """``base_url + path`` for one of the API's fixed paths, parsed once per client: httpx
        parses a ``str`` URL on every request, a few percent of a call's CPU
        (benchmarks/results/micro_timings.md)."""
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self.settings.base_url + path)
        return url

    def _new_pool_headers(self) -> dict[str, str]:
        """The headers a pool we own carries for every request: those of a whole-body POST.

        httpx merges per-request headers into the pool's one by one (a cost per header:
        benchmarks/results/micro_timings.md), so ``_build`` passes only what differs. ``None``
        when two names differ only in case (``default_headers={"authorization": ...}``): then
        every request carries its own."""
        headers = _PoolHeaders(exchange.request_headers(self.settings, self._key, stream=False))
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

    def _deadline(self) -> exchange.Deadline:
        return exchange.Deadline(self.settings.deadline)

    def _error_delay(
        self,
        exc: httpx.TransportError,
        req: httpx.Request,
        retries: int,
        deadline: exchange.Deadline,
    ) -> float:
        """After an attempt failed in transport: the delay before the next one (logged), or
        the error to report raised (a timeout the deadline caused is reported as such)."""
        delay = exchange.retry_after_error(self.settings, retries, exc, self._jitter, deadline)
        if delay is None:
            deadline.check()
            raise exchange.transport_error(exc, req.url, self._secrets) from exc
        exchange.log_retry(req, type(exc).__name__, delay, retries)
        return delay

    def _status_delay(
        self, req: httpx.Request, resp: httpx.Response, retries: int, deadline: exchange.Deadline
    ) -> float:
        """After a read non-2xx answer: the delay before the next attempt (logged), or its
        status error raised."""
        error = exchange.status_error(resp, self._secrets)
        delay = exchange.retry_after_status(
            self.settings, retries, resp, self._jitter, deadline, error
        )
        if delay is None:
            raise error
        exchange.log_retry(req, str(resp.status_code), delay, retries)
        return delay

    def _models_call(self) -> tuple[httpx.URL, dict[str, str]]:
        """URL and headers of ``GET /models``: no key, none sent."""
        headers = exchange.request_headers(self.settings, None, stream=False, has_body=False)
        return self._url("/models"), headers

    def _embedding_call(
        self, texts: Sequence[str], extra_headers: Mapping[str, str] | None, **options: Any
    ) -> tuple[EmbeddingPlan, httpx.URL, dict[str, str]]:
        """The checked plan (every input error raised here, before I/O), URL and headers."""
        plan = plan_embeddings(texts, **options)
        key = self.settings.require_key() if plan.bodies else None
        headers = exchange.request_headers(self.settings, key, stream=False, extra=extra_headers)
        return plan, self._url(EMBEDDINGS_PATH), headers

    def __repr__(self) -> str:  # the key is never shown
        return (
            f"{type(self).__name__}(base_url={self.settings.base_url!r}, "
            f"api={self.settings.api!r}, max_retries={self.settings.max_retries})"
        )
