"""The request log other tests assert on: every request, in arrival order, key redacted; and
what each answered chat request was billed (benchmarks add it up)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

REDACTED = "<redacted>"
_SECRET_HEADERS = ("authorization", "x-api-key")


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the emulator received it.

    `headers` are lower-cased with the API key replaced by "<redacted>" (the scheme, e.g.
    "Bearer", is kept); `json` is the parsed body exactly as sent (None when the body was empty
    or not JSON — `body` then holds the raw bytes).
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
    clean: dict[str, str] = {}
    for name, value in headers.items():
        name = name.lower()
        if name in _SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            value = f"{scheme} {REDACTED}" if rest and name == "authorization" else REDACTED
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
