"""The rules of one HTTP exchange with the API, as functions of what they are given.

What goes out (headers, JSON body bytes), how long it may take (:class:`Deadline`), what a
failed attempt means (the retry decision, logged), and what comes back (a failed response as
the right exception, every httpx exception mapped with the key scrubbed, whole JSON bodies
read). No state: the clients (``_base_client.py`` holds their configuration), the streams
(``_stream.py``) and the Batches API (``_batches.py``) apply these rules to their own
settings and key. The error-envelope parser lives with the wire (``wire/envelope.py``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx

from ._client_settings import VERSION, ClientSettings
from ._json import read_json
from ._redact import Secrets, redact, scrub
from ._retry import (
    MAX_RETRY_AFTER,
    asked_beyond_cap,
    is_retryable_exception,
    is_retryable_status,
    retry_delay,
)
from ._types import ChatRequest, ChatResult
from ._web_page import is_web_page, url_of, wrong_server
from .errors import (
    AIMLAPIError,
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
# Generous pool: 500 concurrent async streams on one client is a target
# (benchmarks/concurrency.py).
POOL_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)


__all__ = ["Deadline", "failure", "redact"]

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


class Deadline:
    """The overall bound of one call (``ClientSettings.deadline``), started when the call is.

    Shared by both I/O loops: each attempt's timeouts are cut to the time left
    (:meth:`timeout`), a retry that would sleep past it is not made (:meth:`allows`), and the
    body loops call :meth:`check` after each chunk, so a server dripping a byte at a time cannot
    hold the call beyond it.
    """

    __slots__ = ("end", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.end: float | None = None

    def start(self) -> Deadline:
        if self.seconds is not None and self.end is None:
            self.end = time.monotonic() + self.seconds
        return self

    def remaining(self) -> float | None:
        return None if self.end is None else self.end - time.monotonic()

    def check(self) -> None:
        if self.end is not None and time.monotonic() >= self.end:
            raise APITimeoutError(
                f"the call did not finish within its deadline of {self.seconds} s (deadline=); "
                "raise the deadline or retry later"
            )

    def expired(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end

    def allows(self, delay: float) -> bool:
        left = self.remaining()
        return left is None or delay < left

    def timeout(self, timeout: httpx.Timeout) -> httpx.Timeout:
        left = self.remaining()
        if left is None:
            return timeout
        self.check()

        def cut(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=cut(timeout.connect),
            read=cut(timeout.read),
            write=cut(timeout.write),
            pool=cut(timeout.pool),
        )


def retry_after_error(
    settings: ClientSettings,
    retries: int,
    exc: BaseException,
    jitter: Any,
    deadline: Deadline | None = None,
) -> float | None:
    """Seconds to sleep before retrying after a transport error, or ``None``: do not retry."""
    if retries >= settings.max_retries or not is_retryable_exception(exc):
        return None
    delay = retry_delay(retries, None, rng=jitter)
    return delay if deadline is None or deadline.allows(delay) else None


def retry_after_status(
    settings: ClientSettings,
    retries: int,
    response: httpx.Response,
    jitter: Any,
    deadline: Deadline | None = None,
    error: APIStatusError | None = None,
) -> float | None:
    """Seconds to sleep before retrying a failed response, or ``None``: do not retry.

    Not retried: an upstream 4xx the gateway wrapped in a 5xx (``error.upstream_status``: the
    request is wrong, docs/wire.md "Errors"), a server asking for a longer wait than
    ``MAX_RETRY_AFTER`` (``_retry.py`` explains why), a delay that would pass the deadline.
    """
    if error is not None and error.upstream_status is not None:
        return None
    if retries >= settings.max_retries or not is_retryable_status(
        response.status_code, response.headers
    ):
        return None
    if asked_beyond_cap(response.headers) is not None:
        return None
    delay = retry_delay(retries, response.headers, rng=jitter)
    return delay if deadline is None or deadline.allows(delay) else None


def log_retry(request: httpx.Request, what: str, delay: float, retries: int) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return
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
    if not logger.isEnabledFor(logging.DEBUG):  # the header lookup costs on every call
        return
    logger.debug(
        "%s %s -> %d (request id %s, %d retries)",
        request.method,
        request.url,
        response.status_code,
        response.headers.get("x-request-id"),
        retries,
    )


# --------------------------------------------------------------------------- errors


def status_error(response: httpx.Response, key: Secrets) -> APIStatusError:
    """The :class:`APIStatusError` subclass for a failed (already read) response; the envelope
    is read by the same parser as 2xx error bodies and stream error events. The response's
    headers are kept on the error (``Retry-After``...)."""
    text = redact(response.text, key)  # also keeps the key out of ``body``
    body: Any
    try:
        body = read_json(text, "an error body") if text else None
    except ResponseValidationError:  # not JSON, or not readable as JSON: kept as text
        body = text
    error = make_status_error(
        response.status_code,
        body,
        fallback=response.reason_phrase or "no error message",
        request_id=response.headers.get("x-request-id"),
        headers=response.headers,
    )
    # A 5xx page is a proxy's in front of the right server (its message stays as sent).
    if response.status_code < 500 and isinstance(body, str) and is_web_page(body):
        error.message = wrong_server(response.status_code, url_of(response), body)
        error.args = (error.message,)
    asked = asked_beyond_cap(response.headers)
    if asked is not None and is_retryable_status(response.status_code, response.headers):
        error.message += (
            f" (not retried: the server asked to wait {asked:g} s, more than the "
            f"{MAX_RETRY_AFTER:g} s this client waits within a call; retry after that)"
        )
        error.args = (error.message,)
    return error


def undecodable(response: httpx.Response, exc: httpx.DecodingError) -> AIMLAPIError:
    """A body that cannot be decoded as its ``Content-Encoding`` says (a gzip label on a body
    that is not gzip): unreadable on a success, and the status still reported on a failure."""
    encoding = response.headers.get("content-encoding", "none")
    what = f"could not be decoded as its Content-Encoding ({encoding}) says: {exc}"
    if response.is_success:
        return ResponseValidationError(f"the API answered {response.status_code}; its body {what}")
    return make_status_error(
        response.status_code,
        None,
        fallback=f"{response.reason_phrase or 'error'} (the error body {what})",
        request_id=response.headers.get("x-request-id"),
        headers=response.headers,
    )


# Every exception httpx raises: its HTTPError tree and the ones outside it.
HTTPX_ERRORS: tuple[type[Exception], ...] = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpx.CookieConflict,
    httpx.StreamError,
)


def from_httpx(exc: Exception, url: httpx.URL | str | None, key: Secrets) -> AIMLAPIError:
    """Any httpx exception as an error of the family (the caller chains the cause)."""
    where = f" {url}" if url is not None else ""
    detail = redact(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, key)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"request to{where} timed out ({detail})")
    if isinstance(exc, httpx.DecodingError):
        return ResponseValidationError(
            f"the response body could not be decoded as its Content-Encoding (gzip, br, ...) "
            f"says ({detail})"
        )
    if isinstance(exc, httpx.TransportError):
        return APIConnectionError(f"could not reach{where} ({detail})")
    if isinstance(exc, httpx.InvalidURL):
        return APIConnectionError(f"the URL{where} is not valid ({detail}); check base_url")
    return APIConnectionError(f"the request to{where} failed ({detail})")


def transport_error(exc: Exception, url: httpx.URL | str, key: Secrets) -> AIMLAPIError:
    """An httpx exception raised before any answer, as our error (the caller chains the cause)."""
    scrub(exc, key)
    return from_httpx(exc, url, key)


def stream_read_error(
    exc: Exception, *, idle_timeout: float | None, request_id: str | None, key: Secrets
) -> Exception:
    """An httpx exception raised while reading a stream's body."""
    scrub(exc, key)
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"the stream sent nothing for {idle_timeout} s (stream_idle_timeout); "
            f"request id {request_id}"
        )
    detail = redact(f"{type(exc).__name__}: {exc}", key)
    if isinstance(exc, httpx.DecodingError):
        return ResponseValidationError(
            f"the stream's body could not be decoded ({detail}); request id {request_id}"
        )
    return StreamError(
        f"the connection broke mid-stream ({detail}); the answer is incomplete, retry the "
        f"request (request id {request_id})"
    )


def failure(exc: Exception, key: Secrets) -> Exception:
    """The exception a client lets go for ``exc``: the one exit of every call (create, stream
    iteration, list_models). An error of the family is scrubbed of the key
    (``_redact.scrub``); an httpx exception is mapped into the family first (its cause
    chained); anything else (a bug) goes through unchanged. Use as ``raise failure(exc, key)``.
    """
    if isinstance(exc, AIMLAPIError):
        return scrub(exc, key)  # type: ignore[return-value]
    if isinstance(exc, HTTPX_ERRORS):
        try:
            url: httpx.URL | None = exc.request.url if isinstance(exc, httpx.RequestError) else None
        except RuntimeError:
            url = None
        error = from_httpx(exc, url, key)
        error.__cause__ = exc
        error.__suppress_context__ = True
        return scrub(error, key)  # type: ignore[return-value]
    return exc


# --------------------------------------------------------------------------- responses


def rebuilt(response: httpx.Response, raw: bytes) -> httpx.Response:
    """A read response from ``response``'s status and headers and its raw (still encoded) body,
    read in chunks by the caller to check a deadline between them; decoding happens here
    (``httpx.DecodingError`` for a body its Content-Encoding does not fit)."""
    copy = httpx.Response(
        response.status_code,
        headers=response.headers,
        content=raw,
        request=response.request,
        extensions=response.extensions,
    )
    copy.read()
    return copy


def decode_result(dialect: Dialect, response: httpx.Response) -> ChatResult:
    body = json_or_raise(response.content, response.status_code, url_of(response))
    return dialect.decode(body, header_values(response.headers))


def header_values(headers: httpx.Headers) -> dict[str, str]:
    """``headers`` as a plain dict: lower-case names, repeated ones joined with ", " (what
    ``headers.get`` returns), read in one pass. Each ``httpx.Headers.get`` scans and decodes
    every header, and a decoder reads four (ids, cost): benchmarks/results/micro_timings.md."""
    return dict(headers.items())


def json_of(response: httpx.Response) -> Any:
    """A whole (already read) success body as JSON, or :class:`ResponseValidationError`."""
    return json_or_raise(response.content, response.status_code, url_of(response))


def json_or_raise(content: bytes, status: int = 200, url: httpx.URL | None = None) -> Any:
    try:
        return read_json(content, f"the API answered {status} with a body")
    except ResponseValidationError:
        page = content[:2000].decode("utf-8", "replace")
        if is_web_page(page):
            raise ResponseValidationError(wrong_server(status, url, page)) from None
        raise


def models_of(response: httpx.Response) -> list[dict[str, Any]]:
    """The ``data`` list of ``GET /models`` (complete-model-list.md)."""
    body = read_json(response.content, "GET /models answered with a body")
    data = body.get("data") if isinstance(body, dict) else body
    if not isinstance(data, list):
        raise ResponseValidationError("GET /models answered without a 'data' list")
    return [m for m in data if isinstance(m, dict)]
