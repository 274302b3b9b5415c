"""What the sync and async clients share: everything except the I/O loop.

Request preparation (URL, headers, JSON body), the retry decision after each attempt, reading
both error envelopes into the right exception, mapping httpx exceptions, decoding a whole body,
and the per-stream state (SSE decoder → dialect stream decoder → accumulator).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from ._accumulate import StreamAccumulator, events_of
from ._dialect import Dialect
from ._retry import is_retryable_exception, is_retryable_status, retry_delay
from ._settings import VERSION, ClientSettings
from ._sse import SSEDecoder
from ._types import ChatRequest, ChatResult, StreamEvent
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ResponseValidationError,
    StreamError,
    status_error_class,
)

logger = logging.getLogger("aimlapi_core")

USER_AGENT = f"aimlapi-integrations/{VERSION}"
# Generous pool: the design targets 500 concurrent async streams on one client (DESIGN.md).
POOL_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


def _excerpt(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def redact(text: str, key: str | None) -> str:
    """Defence in depth: the key never reaches an exception text, even if a server echoes it."""
    return text.replace(key, "[redacted]") if key else text


# --------------------------------------------------------------------------- requests


def request_headers(
    settings: ClientSettings,
    key: str | None,
    *,
    stream: bool,
    has_body: bool = True,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Our headers, then ``default_headers``, then the request's ``extra_headers`` (last wins)."""
    headers = {
        "Accept": "text/event-stream" if stream else "application/json",
        "User-Agent": USER_AGENT,
    }
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    if has_body:
        headers["Content-Type"] = "application/json"
    headers.update(settings.default_headers)
    if extra:
        headers.update(extra)
    return headers


def encode_body(dialect: Dialect, request: ChatRequest, *, stream: bool) -> bytes:
    body = dialect.encode(request, stream=stream)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --------------------------------------------------------------------------- retries


def retry_after_error(
    settings: ClientSettings, retries: int, exc: BaseException, jitter: Any
) -> float | None:
    """Seconds to sleep before retrying after a transport error, or ``None``: do not retry."""
    if retries >= settings.max_retries or not is_retryable_exception(exc):
        return None
    return retry_delay(retries, None, rng=jitter)


def retry_after_status(
    settings: ClientSettings, retries: int, response: httpx.Response, jitter: Any
) -> float | None:
    """Seconds to sleep before retrying a failed response, or ``None``: do not retry."""
    if retries >= settings.max_retries or not is_retryable_status(
        response.status_code, response.headers
    ):
        return None
    return retry_delay(retries, response.headers, rng=jitter)


def log_retry(request: httpx.Request, what: str, delay: float, retries: int) -> None:
    logger.debug(
        "%s %s failed (%s); retry %d in %.2f s",
        request.method,
        request.url,
        what,
        retries + 1,
        delay,
    )


def log_response(request: httpx.Request, response: httpx.Response, retries: int) -> None:
    # Method, URL, status, request id and retries only: never headers (they hold the key).
    logger.debug(
        "%s %s -> %d (request id %s, %d retries)",
        request.method,
        request.url,
        response.status_code,
        response.headers.get("x-request-id"),
        retries,
    )


# --------------------------------------------------------------------------- errors


def _message_of(body: Any) -> str | None:
    """The human message of either error envelope (WIRE.md "Errors"):
    ``{"message", "path", "requestId", "statusCode"}`` or problem+json ``{"title", "status",
    "message", "error": {"name", "message"}}``; also Anthropic/OpenAI ``{"error": {...}}``."""
    if isinstance(body, str):
        return body.strip() or None
    if not isinstance(body, dict):
        return None
    message = body.get("message")
    if isinstance(message, list):  # NestJS validation errors come as a list of strings
        message = "; ".join(str(m) for m in message)
    if isinstance(message, str) and message:
        return message
    err = body.get("error")
    if isinstance(err, dict) and isinstance(err.get("message"), str) and err["message"]:
        return str(err["message"])
    if isinstance(err, str) and err:
        return err
    for name in ("detail", "title"):
        value = body.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def status_error(response: httpx.Response, key: str | None) -> APIStatusError:
    """The :class:`APIStatusError` subclass for a failed (already read) response."""
    text = redact(response.text, key)  # also keeps the key out of ``body``
    body: Any
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = text
    message = _message_of(body) or response.reason_phrase or "no error message"
    request_id = None
    if isinstance(body, dict):
        rid = body.get("requestId") or body.get("request_id")
        request_id = rid if isinstance(rid, str) and rid else None
    request_id = request_id or response.headers.get("x-request-id")
    cls = status_error_class(response.status_code)
    return cls(
        _excerpt(message),
        status_code=response.status_code,
        request_id=request_id,
        body=body,
    )


def _scrub_credentials(exc: Exception) -> None:
    """Our errors chain the httpx exception (``__cause__``), whose ``request`` still carries the
    Authorization header: redact it there, so that the key is reachable from no exception."""
    try:
        request = exc.request if isinstance(exc, httpx.RequestError) else None
    except RuntimeError:  # an httpx error raised without a request attached
        return
    if request is not None:
        for name in _CREDENTIAL_HEADERS:
            if name in request.headers:
                request.headers[name] = "<redacted>"


_CREDENTIAL_HEADERS = ("authorization", "x-api-key")


def transport_error(exc: Exception, url: httpx.URL | str, key: str | None) -> APIConnectionError:
    """An httpx exception raised before any answer, as our error (the caller chains the cause)."""
    _scrub_credentials(exc)
    detail = redact(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, key)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request to {url} timed out ({detail})")
    return APIConnectionError(f"could not reach {url} ({detail})")


def stream_read_error(exc: Exception, state: StreamState, key: str | None) -> Exception:
    """An httpx exception raised while reading a stream's body."""
    _scrub_credentials(exc)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"the stream sent nothing for {state.idle_timeout} s (stream_idle_timeout); "
            f"request id {state.request_id}"
        )
    detail = redact(f"{type(exc).__name__}: {exc}", key)
    return StreamError(
        f"the connection broke mid-stream ({detail}); the answer is incomplete, retry the "
        f"request (request id {state.request_id})"
    )


# --------------------------------------------------------------------------- responses


def decode_result(dialect: Dialect, response: httpx.Response) -> ChatResult:
    return dialect.decode(_json_or_raise(response.content, response.status_code), response.headers)


def _json_or_raise(content: bytes, status: int = 200) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        text = content.decode("utf-8", "replace")
        raise ResponseValidationError(
            f"the API answered {status} with a body that is not JSON: {_excerpt(text, 300)!r}"
        ) from None


def models_of(response: httpx.Response) -> list[dict[str, Any]]:
    """The ``data`` list of ``GET /models`` (complete-model-list.md)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        raise ResponseValidationError("GET /models answered with a body that is not JSON") from None
    data = body.get("data") if isinstance(body, dict) else body
    if not isinstance(data, list):
        raise ResponseValidationError("GET /models answered without a 'data' list")
    return [m for m in data if isinstance(m, dict)]


class StreamState:
    """One streamed response's decoding state, fed with body chunks by either I/O loop."""

    __slots__ = (
        "_acc",
        "_decoder",
        "_dialect",
        "_json_body",
        "_sse",
        "headers",
        "idle_timeout",
        "request_id",
    )

    def __init__(self, dialect: Dialect, idle_timeout: float | None) -> None:
        self._sse = SSEDecoder()
        self._dialect = dialect
        self._decoder = dialect.stream_decoder()
        self._acc = StreamAccumulator()
        self._json_body: bytearray | None = None
        self.idle_timeout = idle_timeout
        self.headers: httpx.Headers | None = None
        self.request_id: str | None = None

    def started(self, response: httpx.Response) -> None:
        self.headers = response.headers
        self.request_id = response.headers.get("x-request-id")
        ctype = response.headers.get("content-type", "")
        if ctype.startswith("application/") and "json" in ctype:
            # A stream request answered with one JSON body — an error envelope on a 2xx, or a
            # whole completion from a route that ignores "stream": it is read as what it is
            # instead of failing later as a stream that "never finished".
            self._json_body = bytearray()

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        if self._json_body is not None:
            self._json_body += chunk
            return []
        events: list[StreamEvent] = []
        for sse in self._sse.feed(chunk):
            events.extend(self._decoder.feed(sse))
        for event in events:
            self._acc.add(event)
        return events

    def end(self) -> list[StreamEvent]:
        """Events still buffered at the end of the body (a missing finish is checked by
        :meth:`check_finished` once these were handed out: nothing received is dropped)."""
        events: list[StreamEvent] = []
        if self._json_body is not None:
            body = _json_or_raise(bytes(self._json_body))
            events = events_of(self._dialect.decode(body, self.headers or httpx.Headers()))
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
                f"incomplete, retry the request (request id {self.request_id})"
            )

    def result(self) -> ChatResult:
        result = self._acc.result()
        headers = self.headers
        if headers is not None:
            result.request_id = result.request_id or headers.get("x-request-id")
            result.inference_id = result.inference_id or headers.get("x-inference-id")
        return result
