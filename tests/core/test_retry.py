"""The retry policy as tables: which statuses and exceptions retry, and how long to wait."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from aimlapi_core._retry import (
    MAX_DELAY,
    is_retryable_exception,
    is_retryable_status,
    retry_delay,
)

NOW = 1_750_000_000.0


@pytest.mark.parametrize(
    ("status", "retry"),
    [
        (408, True),
        (409, True),
        (429, True),
        (500, True),
        (502, True),
        (503, True),
        (504, True),
        (529, True),
        (400, False),
        (401, False),
        (403, False),
        (404, False),
        (422, False),
        (501, False),
    ],
)
def test_retryable_statuses(status: int, retry: bool) -> None:
    assert is_retryable_status(status) is retry


def test_x_should_retry_header_overrides_the_table() -> None:
    assert is_retryable_status(400, httpx.Headers({"x-should-retry": "true"})) is True
    assert is_retryable_status(503, httpx.Headers({"x-should-retry": "false"})) is False


REQ = httpx.Request("POST", "http://x")


@pytest.mark.parametrize(
    ("exc", "retry"),
    [
        (httpx.ConnectError("refused", request=REQ), True),
        (httpx.ConnectTimeout("slow", request=REQ), True),
        (httpx.ReadTimeout("slow", request=REQ), True),
        (httpx.WriteTimeout("slow", request=REQ), True),
        (httpx.PoolTimeout("busy", request=REQ), True),
        (httpx.ReadError("reset", request=REQ), True),
        (httpx.RemoteProtocolError("closed", request=REQ), True),
        (httpx.LocalProtocolError("bad", request=REQ), False),
        (httpx.UnsupportedProtocol("ftp", request=REQ), False),
        (ValueError("x"), False),
    ],
)
def test_retryable_exceptions(exc: BaseException, retry: bool) -> None:
    assert is_retryable_exception(exc) is retry


@pytest.mark.parametrize(
    ("attempt", "rng", "expected"),
    [
        (0, 0.0, 0.5),
        (1, 0.0, 1.0),
        (2, 0.0, 2.0),
        (3, 0.0, 4.0),
        (4, 0.0, 8.0),
        (5, 0.0, 8.0),  # capped
        (30, 0.0, 8.0),
        (0, 0.999999, 0.5 * (1 - 0.25 * 0.999999)),  # jitter removes up to 25 %
        (2, 0.5, 2.0 * 0.875),
    ],
)
def test_backoff_without_server_hint(attempt: int, rng: float, expected: float) -> None:
    assert retry_delay(attempt, None, rng=lambda: rng) == pytest.approx(expected)
    assert retry_delay(attempt, httpx.Headers({}), rng=lambda: rng) == pytest.approx(expected)


def _http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),  # ms wins
        ({"Retry-After": "3"}, 3.0),
        ({"Retry-After": "0.5"}, 0.5),
        ({"Retry-After": "60"}, 60.0),
        ({"Retry-After": _http_date(NOW + 20)}, 20.0),
        # Not sane → exponential backoff (attempt 1, rng 0 → 1.0 s).
        ({"Retry-After": "61"}, 1.0),
        ({"Retry-After": "86400"}, 1.0),
        ({"Retry-After": "0"}, 1.0),
        ({"Retry-After": "-5"}, 1.0),
        ({"Retry-After": "soon"}, 1.0),
        ({"Retry-After": "nan"}, 1.0),
        ({"Retry-After": _http_date(NOW - 30)}, 1.0),
        ({"Retry-After": _http_date(NOW + 3600)}, 1.0),
        ({"retry-after-ms": "abc"}, 1.0),
        ({"retry-after-ms": "999999"}, 1.0),
    ],
)
def test_server_requested_delay(headers: dict[str, str], expected: float) -> None:
    got = retry_delay(1, httpx.Headers(headers), rng=lambda: 0.0, now=lambda: NOW)
    assert got == pytest.approx(expected)


def test_default_jitter_stays_within_bounds() -> None:
    delays = {retry_delay(3, None) for _ in range(50)}
    assert all(0.75 * 4.0 <= d <= 4.0 for d in delays)
    assert max(delays) <= MAX_DELAY
