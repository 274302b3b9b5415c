"""The retry policy, as pure functions (table-tested in tests/core/test_retry.py).

Modelled on anthropic-sdk-python's ``_base_client``: retry timeouts, connection failures and the
transient statuses; honour the server's ``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP
date) when it is sane, else back off exponentially with jitter. A stream is never retried once
it has yielded data — the caller would see the start of the answer twice — so the clients only
retry before a success response's body is read.

``Retry-After`` above :data:`MAX_RETRY_AFTER` (60 s, the Anthropic SDK's cap). *Judgement:* the
Anthropic SDK then ignores the header and backs off for about a second, so a server that asked
for two minutes gets two more requests within 1.4 s, both spent for nothing (the gateway's 429
is a rate limit: the retries count against it). Sleeping the full two minutes inside one call
looks like a hang. So the client does neither: when the server asks for more than the cap, the
error is raised at once, unretried, with the asked delay in its message and the response's
headers on ``APIStatusError.headers`` — the caller decides when to come back
(:func:`asked_beyond_cap`). :func:`retry_delay` stays the pure table below.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping

import httpx

__all__ = [
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "RETRY_STATUSES",
    "asked_beyond_cap",
    "is_retryable_exception",
    "is_retryable_status",
    "retry_delay",
]

# 408 request timeout, 409 lock conflict, 429 rate limit, 5xx transient gateway/upstream
# failures (docs/wire.md "Retries" and "Errors": 500 upstream failure, 502, 503, 504 generation
# timeout) and 529, Anthropic's "overloaded" which the gateway may pass through.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})

INITIAL_DELAY = 0.5  # seconds, doubled per attempt
MAX_DELAY = 8.0  # cap of the exponential backoff
MAX_RETRY_AFTER = 60.0  # a server asking for more gets no retry: the error is raised at once

# Transport failures worth another try: nothing (or nothing usable) came back. Protocol errors
# cover a pooled keep-alive connection the server closed between two requests.
_RETRYABLE_EXCEPTIONS: tuple[type[BaseException], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)


def is_retryable_status(status_code: int, headers: Mapping[str, str] | None = None) -> bool:
    """Whether an error status is worth retrying. An explicit ``x-should-retry: true|false``
    header from the server wins over the table."""
    if headers is not None:
        hint = headers.get("x-should-retry")
        if hint == "true":
            return True
        if hint == "false":
            return False
    return status_code in RETRY_STATUSES


def is_retryable_exception(exc: BaseException) -> bool:
    """Whether an httpx exception raised while sending a request is worth retrying."""
    return isinstance(exc, _RETRYABLE_EXCEPTIONS)


def _server_delay(headers: Mapping[str, str], now: Callable[[], float]) -> float | None:
    """The delay the server asked for, if any and if sane (0 < delay <= MAX_RETRY_AFTER)."""
    delay = _asked(headers, now)
    if delay is None or not 0 < delay <= MAX_RETRY_AFTER:
        return None
    return delay


def asked_beyond_cap(
    headers: Mapping[str, str], now: Callable[[], float] = time.time
) -> float | None:
    """The delay the server asked for when it is longer than :data:`MAX_RETRY_AFTER`, else
    ``None``. The clients raise at once in that case (see the module docstring)."""
    delay = _asked(headers, now)
    return delay if delay is not None and delay > MAX_RETRY_AFTER else None


def _asked(headers: Mapping[str, str], now: Callable[[], float]) -> float | None:
    """``retry-after-ms`` / ``Retry-After`` (seconds or an HTTP date) as seconds, if readable."""
    delay: float | None = None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            delay = float(ms) / 1000.0
        except ValueError:
            delay = None
    if delay is None:
        value = headers.get("retry-after")
        if value is not None:
            try:
                delay = float(value)
            except ValueError:
                parsed = email.utils.parsedate_tz(value)
                if parsed is not None:
                    delay = email.utils.mktime_tz(parsed) - now()
    if delay is None or delay != delay or delay in (float("inf"), float("-inf")):  # NaN, inf
        return None
    return delay


def retry_delay(
    attempt: int,
    headers: Mapping[str, str] | None = None,
    *,
    rng: Callable[[], float] | None = None,
    now: Callable[[], float] = time.time,
) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first retry).

    Args:
        attempt: how many retries were already made.
        headers: the failed response's headers (``None`` for a transport error).
        rng: returns a float in [0, 1); jitter removes up to 25 % of the backoff so that many
            clients do not retry in lockstep. Default: ``random.random``.
        now: the current Unix time, for ``Retry-After`` given as an HTTP date.
    """
    if headers is not None:
        asked = _server_delay(headers, now)
        if asked is not None:
            return asked
    if rng is None:
        import random

        rng = random.random
    backoff = min(INITIAL_DELAY * 2.0**attempt, MAX_DELAY)
    return backoff * (1.0 - 0.25 * rng())
