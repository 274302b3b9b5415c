"""The transport pieces the sync and async clients share: everything except the I/O loop.

Request preparation (URL, headers, JSON body), the retry decision after each attempt and its
logging, turning a failed response into the right exception, mapping httpx exceptions (with the
key scrubbed), and reading a whole JSON body. The per-stream state lives with the stream
(``_stream.py``); the error-envelope parser with the wire (``wire/envelope.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from ._json import excerpt
from ._retry import is_retryable_exception, is_retryable_status, retry_delay
from ._settings import VERSION, ClientSettings
from ._types import ChatRequest, ChatResult
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ResponseValidationError,
    StreamError,
)
from .wire import Dialect
from .wire.envelope import make_status_error

logger = logging.getLogger("aimlapi_core")

USER_AGENT = f"aimlapi-integrations/{VERSION}"
# Generous pool: the design targets 500 concurrent async streams on one client (DESIGN.md).
POOL_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


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
    return json_bytes(dialect.encode(request, stream=stream))


def json_bytes(body: Any) -> bytes:
    """A request body as compact UTF-8 JSON (every endpoint)."""
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


def status_error(response: httpx.Response, key: str | None) -> APIStatusError:
    """The :class:`APIStatusError` subclass for a failed (already read) response; the envelope
    is read by the same parser as 2xx error bodies and stream error events."""
    text = redact(response.text, key)  # also keeps the key out of ``body``
    body: Any
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = text
    return make_status_error(
        response.status_code,
        body,
        fallback=response.reason_phrase or "no error message",
        request_id=response.headers.get("x-request-id"),
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


def stream_read_error(
    exc: Exception, *, idle_timeout: float | None, request_id: str | None, key: str | None
) -> Exception:
    """An httpx exception raised while reading a stream's body."""
    _scrub_credentials(exc)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"the stream sent nothing for {idle_timeout} s (stream_idle_timeout); "
            f"request id {request_id}"
        )
    detail = redact(f"{type(exc).__name__}: {exc}", key)
    return StreamError(
        f"the connection broke mid-stream ({detail}); the answer is incomplete, retry the "
        f"request (request id {request_id})"
    )


# --------------------------------------------------------------------------- responses


def decode_result(dialect: Dialect, response: httpx.Response) -> ChatResult:
    return dialect.decode(json_or_raise(response.content, response.status_code), response.headers)


def json_of(response: httpx.Response) -> Any:
    """A whole (already read) success body as JSON, or :class:`ResponseValidationError`."""
    return json_or_raise(response.content, response.status_code)


def json_or_raise(content: bytes, status: int = 200) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        text = content.decode("utf-8", "replace")
        raise ResponseValidationError(
            f"the API answered {status} with a body that is not JSON: {excerpt(text)!r}"
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
