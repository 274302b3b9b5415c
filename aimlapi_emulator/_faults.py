"""Fault injection: a plan of `Fault`s consumed by matching requests, in order.

Each fault fires for the next `times` requests whose path matches (any path when `path` is
None). A fault either answers with an error status (`status`, in the "nest" or "problem"
envelope of docs/wire.md "Errors") or alters a successful answer: a slow first byte, a stream cut
after N chunks, the pre-2026 wrapped stream format, a malformed JSON body, or a `[DONE]` marker.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Envelope = Literal["nest", "problem"]

_FIELDS_HELP = (
    "status, message, envelope, path, times, retry_after, delay, cut_after, legacy_stream, "
    "malformed_json, upstream_400, done_marker, body, stream_events, stream_after, "
    "content_type, content_encoding"
)

# In `body` and `stream_events`, replaced by the request's Authorization header: a server
# (or a proxy's error page) that echoes what it was sent, key included.
ECHO_AUTHORIZATION = "%AUTHORIZATION%"


@dataclass
class Fault:
    """One injected misbehaviour.

    Args:
        status: answer with this HTTP error status (400-599) instead of a normal answer.
        message: the error message (a default per status is used otherwise).
        envelope: "nest" ({message, path, requestId, statusCode, timestamp}) or "problem"
            (application/problem+json with title/status/instance/error).
        path: only requests whose path ends with this ("/chat/completions", "/messages",
            "/v1/messages", ...); None matches every request.
        times: how many matching requests the fault applies to.
        retry_after: send `Retry-After: <seconds>` with the error (None: no header).
        delay: seconds to wait before the first byte (error or success).
        cut_after: streaming only: close the connection after this many SSE events, with no
            finish chunk and no `message_stop`.
        legacy_stream: /chat/completions streaming in the pre-2026 format, each line wrapped as
            `{"event": <chunk>, "state": {...}}`.
        malformed_json: the success body (or one stream event) is not valid JSON.
        upstream_400: answer 500 with a message starting "400 " (an upstream 400 surfacing).
        done_marker: end a /chat/completions stream with `data: [DONE]`.
        body: a whole (non-streamed) success answer's body, sent instead of the real one with
            the same status (any text: an error envelope, wrong-shaped JSON, an HTML page).
            Characters U+DC80..U+DCFF stand for the raw bytes 0x80..0xFF (invalid UTF-8), and
            `%AUTHORIZATION%` for the request's Authorization header (a server echoing it).
        stream_events: SSE events (each the text of one event, e.g. `data: {...}` or
            `event: error\ndata: {...}`) sent after the first `stream_after` real events of a
            streamed answer, instead of the rest; same escapes as `body`.
        stream_after: how many real events precede `stream_events` (default 1).
        content_type: the Content-Type of a success answer (whole or streamed).
        content_encoding: a Content-Encoding header on a success answer; the body is not
            encoded (a gzip label on a plain body).
    """

    status: int | None = None
    message: str | None = None
    envelope: Envelope = "nest"
    path: str | None = None
    times: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    cut_after: int | None = None
    legacy_stream: bool = False
    malformed_json: bool = False
    upstream_400: bool = False
    done_marker: bool = False
    body: str | None = None
    stream_events: list[str] | None = None
    stream_after: int = 1
    content_type: str | None = None
    content_encoding: str | None = None

    def __post_init__(self) -> None:
        if self.upstream_400 and self.status is None:
            self.status = 500
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError(f"Fault.status must be an error status 400-599, got {self.status}")
        if self.envelope not in ("nest", "problem"):
            raise ValueError(f"Fault.envelope must be 'nest' or 'problem', got {self.envelope!r}")
        if self.times < 1:
            raise ValueError(f"Fault.times must be at least 1, got {self.times}")
        if self.delay < 0:
            raise ValueError(f"Fault.delay must be >= 0 seconds, got {self.delay}")
        if self.cut_after is not None and self.cut_after < 0:
            raise ValueError(f"Fault.cut_after must be >= 0, got {self.cut_after}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """Build a fault from a JSON object (the CLI's `--fault` form)."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise ValueError(f"unknown Fault field(s) {unknown}; valid fields: {_FIELDS_HELP}")
        return cls(**data)

    def alter_whole(
        self, content: bytes, headers: dict[str, str], authorization: str
    ) -> tuple[bytes, dict[str, str]]:
        """A whole success answer as this fault sends it (``body`` / content headers)."""
        if self.body is not None:
            content = _raw(self.body, authorization)
        return content, self._headers(headers)

    def alter_events(self, events: list[bytes], authorization: str) -> list[bytes]:
        """A streamed answer's events as this fault sends them (``stream_events``)."""
        if self.stream_events is None:
            return events
        injected = [_raw(e, authorization) + b"\n\n" for e in self.stream_events]
        return events[: self.stream_after] + injected

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        headers = dict(headers)
        if self.content_type is not None:
            headers["content-type"] = self.content_type
        if self.content_encoding is not None:
            headers["content-encoding"] = self.content_encoding
        return headers

    def stream_headers(self, headers: dict[str, str]) -> dict[str, str]:
        return self._headers(headers)

    def matches(self, path: str) -> bool:
        if self.path is None:
            return True
        return _strip_v1(path) == _strip_v1(self.path)


def _raw(text: str, authorization: str) -> bytes:
    return text.replace(ECHO_AUTHORIZATION, authorization).encode("utf-8", "surrogateescape")


def _strip_v1(path: str) -> str:
    path = "/" + path.strip("/")
    return path[3:] if path.startswith("/v1/") else path


def parse_faults(text: str) -> list[Fault]:
    """Parse `--fault` JSON: one object or a list of objects."""
    data = json.loads(text)
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise ValueError("a fault must be a JSON object or a list of JSON objects")
    return [Fault.from_dict(item) for item in items]


class FaultPlan:
    """Thread-safe queue of faults; `take(path)` consumes one use of the first match."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self._lock = threading.Lock()
        self._items: list[list[Any]] = []  # [fault, remaining uses]
        for fault in faults:
            self.add(fault)

    def add(self, fault: Fault) -> None:
        if not isinstance(fault, Fault):
            raise TypeError(f"expected a Fault, got {type(fault).__name__}")
        with self._lock:
            self._items.append([fault, fault.times])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return [item[0] for item in self._items]

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for item in self._items:
                fault: Fault = item[0]
                if fault.matches(path):
                    item[1] -= 1
                    if item[1] <= 0:
                        self._items.remove(item)
                    return fault
        return None
