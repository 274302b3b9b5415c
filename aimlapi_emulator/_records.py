"""The request log other tests assert on: every request, in arrival order, credentials redacted;
and what each answered chat request was billed (benchmarks add it up)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aimlapi_core import is_secret_header

T = TypeVar("T")

REDACTED = "<redacted>"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it.

    `headers` are lower-cased, each credential the core clients' rule names
    (`aimlapi_core.is_secret_header`: the key, cookies, proxy credentials, any `*-api-key`...)
    replaced by "<redacted>" (an Authorization header keeps its scheme, e.g. "Bearer"); `json`
    is the parsed body exactly as sent (None when the body was empty or not JSON — `body` then
    holds the raw bytes).
    """

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    body: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class Bill:
    """What one answered chat request was billed: its prompt (every input token), the part of
    it read from and written to the prompt cache, its output, and ``meta.usage``'s cost."""

    path: str
    model: str
    input_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    output_tokens: int
    credits_used: int
    usd_spent: float


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` as logged: the core clients' one rule says which header is a credential, so
    the log a test prints or stores shows no credential a client would hide."""
    clean: dict[str, str] = {}
    for name, value in headers.items():
        name = name.lower()
        if is_secret_header(name, value):
            # (Proxy-)Authorization is "<scheme> <credentials>" (RFC 9110 §11.6.2, §11.7.2):
            # the scheme says how a client authenticated and is no secret. Elsewhere the first
            # word may be one (a cookie's first pair), so the whole value goes.
            scheme, _, rest = value.partition(" ")
            keep = rest and name.endswith("authorization")
            value = f"{scheme} {REDACTED}" if keep else REDACTED
        clean[name] = value
    return clean


DEFAULT_LOG_LIMIT = 10_000


class RequestLog(Generic[T]):
    """Thread-safe (the server thread writes, the test thread reads), holding the newest
    ``limit`` items: when full, the oldest goes first."""

    def __init__(self, limit: int = DEFAULT_LOG_LIMIT) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"request_log_limit must be a positive integer, got {limit!r}")
        self._lock = threading.Lock()
        self._items: deque[T] = deque(maxlen=limit)

    def append(self, item: T) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[T]:
        with self._lock:
            return list(self._items)

    def last(self) -> T | None:
        with self._lock:
            return self._items[-1] if self._items else None

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class InFlight:
    """How many requests are being answered at this moment, and the most there ever were.

    The server enters it for each request from arrival until its answer is ready (for a stream:
    until the body starts), so a test can assert how many requests a client had in flight at
    once — from the server's side, without timing anything.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.now -= 1

    def reset(self) -> None:
        with self._lock:
            self.peak = self.now
