"""The one redaction step: the API key out of every error a client lets go.

Error texts are built in many places (the envelope reader, the decoders' excerpts, httpx's own
messages), and a server may echo anything: the key in a 2xx error body, in an SSE error event,
in an HTML page that prints the request headers. Rather than trust each builder to redact, every
error leaving a client passes through :func:`scrub` once (``_exchange.failure``), which rewrites
the error and everything chained to it. What it covers:

- ``message``, ``args`` and ``body`` / ``headers`` (recursively through dicts and lists);
- ``partial`` (a :class:`StreamError`'s accumulated answer: its text parts);
- every exception reachable through ``__cause__`` / ``__context__`` (their ``args``), and the
  ``Authorization`` / ``x-api-key`` headers of a chained httpx request.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any

import httpx

__all__ = ["REDACTED", "redact", "redact_value", "scrub"]

REDACTED = "[redacted]"
_CREDENTIAL_HEADERS = ("authorization", "x-api-key")


# A key shorter than this is not looked for: "k" or "test" (placeholders in tests and demos)
# would otherwise be cut out of every word of every message. Real keys are 32+ characters.
MIN_KEY_LENGTH = 6


def redact(text: str, key: str | None) -> str:
    """``text`` without ``key`` (nothing to do when there is no key, or a placeholder one)."""
    if not key or len(key) < MIN_KEY_LENGTH or key not in text:
        return text
    return text.replace(key, REDACTED)


def redact_value(value: Any, key: str | None, _depth: int = 0) -> Any:
    """A copy of a JSON-like value (str, bytes, dict, list, tuple) with ``key`` redacted from
    every string in it, keys included; other values are returned as they are."""
    if not key or len(key) < MIN_KEY_LENGTH or _depth > 64:
        return value
    if isinstance(value, str):
        return redact(value, key)
    if isinstance(value, bytes | bytearray):
        raw = key.encode("utf-8", "replace")
        return value.replace(raw, REDACTED.encode()) if raw in value else value
    if isinstance(value, dict):
        return {
            redact_value(k, key, _depth + 1): redact_value(v, key, _depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v, key, _depth + 1) for v in value)
    return value


def _scrub_request(exc: BaseException) -> None:
    try:
        request = (
            exc.request if isinstance(exc, httpx.RequestError | httpx.HTTPStatusError) else None
        )
    except RuntimeError:  # an httpx error raised without a request attached
        return
    if request is not None:
        for name in _CREDENTIAL_HEADERS:
            if name in request.headers:
                request.headers[name] = "<redacted>"


def _scrub_one(exc: BaseException, key: str | None) -> None:
    _scrub_request(exc)
    if not key or len(key) < MIN_KEY_LENGTH:
        return
    with contextlib.suppress(TypeError, AttributeError):  # a C exception may refuse new args
        exc.args = tuple(redact_value(a, key) for a in exc.args)
    # Every plain attribute: ``message``, ``body``, ``headers`` of ours, ``doc`` of a
    # JSONDecodeError, ``object`` of a UnicodeDecodeError...
    names = set(getattr(exc, "__dict__", {})) | {"message", "body", "headers", "doc", "object"}
    for name in names:
        value = getattr(exc, name, None)
        if isinstance(value, str | bytes | bytearray | dict | list | tuple):
            with contextlib.suppress(AttributeError, TypeError):  # read-only on a foreign error
                setattr(exc, name, redact_value(value, key))
    partial: Any = getattr(exc, "partial", None)
    parts = getattr(partial, "parts", None)
    if isinstance(parts, list):
        partial.parts = [_scrub_part(p, key) if dataclasses.is_dataclass(p) else p for p in parts]


def _scrub_part(part: Any, key: str) -> Any:
    changes = {
        f.name: redact_value(getattr(part, f.name), key)
        for f in dataclasses.fields(part)
        if isinstance(getattr(part, f.name), str | dict | list)
    }
    return dataclasses.replace(part, **changes) if changes else part


def scrub(exc: BaseException, key: str | None) -> BaseException:
    """Remove ``key`` from ``exc`` and from every exception chained to it; returns ``exc``."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        _scrub_one(current, key)
        todo.append(current.__cause__)
        todo.append(current.__context__)
    return exc
