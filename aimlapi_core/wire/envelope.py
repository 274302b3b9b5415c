"""Error envelopes: an error body that arrived with a 2xx status raises the error it describes.

Reads both AI/ML API envelopes (``statusCode`` / problem+json ``status``, WIRE.md "Errors"),
Anthropic's ``{"type": "error", "error": {...}}`` and OpenAI's ``{"error": {...}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aimlapi_core._json import excerpt
from aimlapi_core.errors import APIStatusError, status_error_class

from ._common import as_int, ids_of

__all__ = ["error_message", "raise_if_error_envelope"]

# Anthropic error types, for error bodies that carry no HTTP status of their own.
_ANTHROPIC_ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


def error_message(err: Any) -> str:
    """The message of an ``error`` object or string, with its type when it has one."""
    if isinstance(err, dict):
        message = err.get("message")
        kind = err.get("type") or err.get("name")
        text = message if isinstance(message, str) else excerpt(err)
        return f"{kind}: {text}" if isinstance(kind, str) else text
    return str(err)


def raise_if_error_envelope(body: Mapping[str, Any]) -> None:
    """An error body that arrived with a 2xx status raises the error its content describes.

    Reads both AI/ML API envelopes (``statusCode`` / problem+json ``status``, WIRE.md "Errors"),
    Anthropic's ``{"type": "error", "error": {...}}`` and OpenAI's ``{"error": {...}}``.
    """
    err = body.get("error")
    status = as_int(body.get("statusCode")) or as_int(body.get("status"))
    if err is None and (status is None or status < 400):
        return
    if status is None or status < 400:
        kind = err.get("type") if isinstance(err, dict) else None
        status = _ANTHROPIC_ERROR_STATUS.get(kind, 500) if isinstance(kind, str) else 500
    message = body.get("message")
    text = message if isinstance(message, str) and message else error_message(err)
    request_id, _ = ids_of(body, {})
    cls: type[APIStatusError] = status_error_class(status)
    raise cls(text, status_code=status, request_id=request_id, body=dict(body))
