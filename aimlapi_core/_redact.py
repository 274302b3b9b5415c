"""The one redaction step: the API key out of every error a client lets go.

Error texts are built in many places (the envelope reader, the decoders' excerpts, httpx's own
messages), and a server may echo anything: the key in a 2xx error body, in an SSE error event,
in an HTML page that prints the request headers. Rather than trust each builder to redact, every
error leaving a client passes through :func:`scrub` once (``_exchange.failure``), which rewrites
the error and everything chained to it. What it covers:

- ``message``, ``args`` and ``body`` / ``headers`` (recursively through dicts and lists);
- ``partial`` (a :class:`StreamError`'s accumulated answer: its text parts);
- every exception reachable through ``__cause__`` / ``__context__`` (their ``args``), and the
  credential headers of a chained httpx request.

What is redacted is the key and every credential the caller put in ``default_headers`` (a
proxy's ``Authorization``, a cookie: :func:`is_secret_header`, the one rule, also used by the
adapters when they serialize a model's headers and, as the public ``aimlapi_core.is_secret_header``,
by the emulator's request log; docs/wire.md "Credentials"): a server echoing the request's headers
shows those too, and a key given only that way is still a key.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

import httpx

__all__ = [
    "REDACTED",
    "Secrets",
    "header_secrets",
    "is_secret_header",
    "redact",
    "redact_value",
    "redactor",
    "scrub",
]

REDACTED = "[redacted]"

Secrets: TypeAlias = str | Sequence[str] | None
"""What to redact: the key, or the key and the credentials of the default headers."""

# A key shorter than this is not looked for: "k" or "test" (placeholders in tests and demos)
# would otherwise be cut out of every word of every message. Real keys are 32+ characters.
MIN_KEY_LENGTH = 6

# A header is a credential when its name says so (Authorization, Proxy-Authorization, Cookie,
# X-Api-Key, x-goog-api-key, X-Auth-Token, ...) or its value starts with an HTTP auth scheme.
_SECRET_NAME_PARTS = (
    "auth",
    "cookie",
    "key",
    "token",
    "secret",
    "password",
    "session",
    "credential",
)
_AUTH_SCHEMES = ("bearer ", "basic ", "token ", "digest ")


def is_secret_header(name: str, value: str) -> bool:
    """Whether a header may carry a credential: never shown, serialized or left in an error.

    Example:
        >>> is_secret_header("Proxy-Authorization", "x"), is_secret_header("X-Trace", "7")
        (True, False)
    """
    lowered = name.lower()
    return any(part in lowered for part in _SECRET_NAME_PARTS) or (
        isinstance(value, str) and value.lower().startswith(_AUTH_SCHEMES)
    )


def header_secrets(headers: Mapping[str, str]) -> tuple[str, ...]:
    """The credentials in ``headers``: each secret header's value, and the credential after
    its scheme ("Bearer sk-…" → also "sk-…": an echo may show it alone)."""
    found: list[str] = []
    for name, value in headers.items():
        if isinstance(value, str) and is_secret_header(name, value):
            found.append(value)
            scheme, _, credential = value.partition(" ")
            if credential and scheme.lower() + " " in _AUTH_SCHEMES:
                found.append(credential.strip())
    return tuple(found)


def _keys(key: Secrets) -> tuple[str, ...]:
    """The secrets worth looking for, longest first (one may contain another)."""
    if not key:
        return ()
    keys = (key,) if isinstance(key, str) else key
    return tuple(sorted({k for k in keys if k and len(k) >= MIN_KEY_LENGTH}, key=len, reverse=True))


def redact(text: str, key: Secrets) -> str:
    """``text`` without ``key`` (nothing to do when there is no key, or a placeholder one)."""
    return _without(text, _keys(key))


def redactor(key: Secrets) -> Callable[[str], str]:
    """:func:`redact` with ``key`` fixed, for many strings (a batch's 10,000 custom_ids)."""
    keys = _keys(key)
    return lambda text: _without(text, keys)


def _without(text: str, keys: tuple[str, ...]) -> str:
    for secret in keys:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def redact_value(value: Any, key: Secrets, _depth: int = 0) -> Any:
    """A copy of a JSON-like value (str, bytes, dict, list, tuple) with ``key`` redacted from
    every string in it, keys included; other values are returned as they are."""
    keys = _keys(key)
    return _redact_value(value, keys, _depth) if keys else value


def _redact_value(value: Any, keys: tuple[str, ...], depth: int) -> Any:
    if depth > 64:
        return value
    if isinstance(value, str):
        return _without(value, keys)
    if isinstance(value, bytes | bytearray):
        for secret in keys:
            raw = secret.encode("utf-8", "replace")
            value = value.replace(raw, REDACTED.encode()) if raw in value else value
        return value
    if isinstance(value, dict):
        return {
            _redact_value(k, keys, depth + 1): _redact_value(v, keys, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_redact_value(v, keys, depth + 1) for v in value)
    return value


def _scrub_request(exc: BaseException) -> None:
    try:
        request = (
            exc.request if isinstance(exc, httpx.RequestError | httpx.HTTPStatusError) else None
        )
    except RuntimeError:  # an httpx error raised without a request attached
        return
    if request is not None:
        for name, value in list(request.headers.items()):
            if is_secret_header(name, value):
                request.headers[name] = "<redacted>"


def _scrub_one(exc: BaseException, key: Secrets) -> None:
    _scrub_request(exc)
    if not _keys(key):
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


def _scrub_part(part: Any, key: Secrets) -> Any:
    changes = {
        f.name: redact_value(getattr(part, f.name), key)
        for f in dataclasses.fields(part)
        if isinstance(getattr(part, f.name), str | dict | list)
    }
    return dataclasses.replace(part, **changes) if changes else part


def scrub(exc: BaseException, key: Secrets) -> BaseException:
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
