"""Error envelopes: the one reader of every error body the API sends.

The same envelope reaches the client three ways: as the body of a non-2xx response, as the body
of a 2xx response (an error the gateway passed through with a success status), and as an SSE
``error`` event in the middle of a stream. It reads the same each time: one parser
(:func:`read_envelope`), one builder of status errors (:func:`make_status_error`, after the
Anthropic SDK's ``_make_status_error``) and one builder of mid-stream errors
(:func:`stream_error`). docs/wire.md "Errors" lists the shapes:

- the AI/ML API's NestJS envelope ``{"message", "path", "requestId", "statusCode",
  "timestamp"}``, whose ``message`` is a list of strings for body-validation errors;
- its problem+json envelope ``{"title", "status", "message", "instance", "requestId",
  "error": {"name", "message"}}``;
- Anthropic's ``{"type": "error", "error": {"type", "message"}}`` and OpenAI's
  ``{"error": {"message", "type"}}`` (or ``{"error": "text"}``), passed through from upstream.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aimlapi_core._json import excerpt
from aimlapi_core.errors import APIStatusError, StreamError, status_error_class

from ._common import as_int

__all__ = [
    "Envelope",
    "error_from_body",
    "make_status_error",
    "raise_if_error_envelope",
    "read_envelope",
    "stream_error",
]

# Anthropic error types, for error bodies that carry no HTTP status of their own
# (docs/wire.md "Errors"; Anthropic's errors page lists the type → status pairs).
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

# Where an error message may sit, first found wins: the envelope's own ``message`` (a string,
# or NestJS's list of validation messages), the nested ``error.message``, an ``error`` that is
# itself a string, then problem+json's ``detail`` / ``title``.
_FALLBACK_FIELDS = ("detail", "title")


@dataclass(frozen=True)
class Envelope:
    """What an error body says, whichever envelope it came in."""

    message: str | None  # the human message; None when the body carries none
    kind: str | None  # the error's type or name (``overloaded_error``, ``UnauthorizedException``)
    status: int | None  # the status written in the body (``statusCode`` / ``status``)
    request_id: str | None
    is_error: bool  # the body is an error envelope (an ``error`` member or a status >= 400)


def _status(value: Any) -> int | None:
    # errors-and-messages__general-info.md prints ``"statusCode": "429"``, a string: read both.
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return as_int(value)


def _text(value: Any) -> str | None:
    if isinstance(value, list):  # NestJS validation errors come as a list of strings
        value = "; ".join(str(m) for m in value)
    return value if isinstance(value, str) and value else None


def read_envelope(body: Any) -> Envelope:
    """Read an error body (parsed JSON, or the text of a body that was not JSON).

    Example:
        >>> read_envelope({"statusCode": 400, "message": ["max_tokens must be a number"]})
        ... # doctest: +NORMALIZE_WHITESPACE
        Envelope(message='max_tokens must be a number', kind=None, status=400,
                 request_id=None, is_error=True)
    """
    if isinstance(body, str):
        return Envelope(body.strip() or None, None, None, None, is_error=False)
    if not isinstance(body, Mapping):
        return Envelope(None, None, None, None, is_error=False)
    err = body.get("error")
    message = _text(body.get("message"))
    kind: Any = None
    if isinstance(err, Mapping):
        message = message or _text(err.get("message"))
        kind = err.get("type") or err.get("name")
    elif message is None and isinstance(err, str) and err:
        message = err
    for name in _FALLBACK_FIELDS:
        message = message or _text(body.get(name))
    status = _status(body.get("statusCode")) or _status(body.get("status"))
    rid = body.get("requestId") or body.get("request_id")
    return Envelope(
        message=message,
        kind=kind if isinstance(kind, str) and kind else None,
        status=status,
        request_id=rid if isinstance(rid, str) and rid else None,
        is_error=err is not None or (status is not None and status >= 400),
    )


# docs/wire.md "Errors": the gateway reports a provider's 4xx as a 500 whose message starts with
# that status ("400 messages.0.content.0.text: ..."). The request itself is wrong, so retrying
# cannot help: the error is raised at once as the class of the upstream status.
_UPSTREAM_STATUS = re.compile(r"^\s*(4\d\d)\b")


def upstream_status(status: int, message: str | None) -> int | None:
    """The provider's 4xx status inside a gateway 5xx, if its message starts with one."""
    if status < 500 or not message:
        return None
    match = _UPSTREAM_STATUS.match(message)
    return int(match.group(1)) if match else None


# Zod's words for a value outside a field's enum, as the gateway sends them after "Body validation
# error" (docs/aimlapi-docs/errors-and-messages__errors-with-status-code-4xx.md "Example: Body
# validation error"; the field name before it is optional there, present in the gateway's 400s).
_ENUM_MISS = re.compile(
    r"(?:(?P<field>[\w.\[\]]+): )?Invalid enum value\. Expected (?P<expected>'.*?'), "
    r"received '(?P<given>[^']*)'",
    re.DOTALL,
)


def explain_enum_miss(message: str) -> str:
    """``message`` with a refused enum value's nearest allowed values named ("did you mean").

    For ``model`` the gateway lists every id it serves, hundreds, which a message cut to a
    readable length shows the first dozen of: the list is replaced by the documented Claude
    ids nearest to the one given (``aimlapi_core.catalog``). Other fields keep their (short)
    list, with the nearest value added.
    """
    match = _ENUM_MISS.search(message)
    if match is None:
        return message
    given, field = match.group("given"), match.group("field")
    allowed = re.findall(r"'([^']*)'", match.group("expected"))
    if field == "model" or (field is None and any("claude" in v for v in allowed)):
        from aimlapi_core.catalog import model_ids  # the error path only: no load on import

        near = [repr(m) for m in difflib.get_close_matches(given, model_ids(), n=3, cutoff=0.6)]
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        told = (
            f"model: the API refused the model id {given!r} ({hint}The documented Claude ids: "
            "aimlapi_core.catalog.model_ids(), or the table in docs/models.md)"
        )
        return message[: match.start()] + told + message[match.end() :]
    near = difflib.get_close_matches(given, allowed, n=1, cutoff=0.6)
    if not near:
        return message
    return message[: match.end()] + f" (did you mean {near[0]!r}?)" + message[match.end() :]


def make_status_error(
    status: int,
    body: Any,
    *,
    fallback: str,
    request_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> APIStatusError:
    """The :class:`APIStatusError` subclass for ``status`` with the envelope's message
    (``fallback`` when it has none; a refused enum value's nearest allowed values named, see
    :func:`explain_enum_miss`) and request id (``request_id`` when it has none).

    A 5xx wrapping an upstream 4xx gets the class of the upstream status and ``upstream_status``.
    """
    envelope = read_envelope(body)
    upstream = upstream_status(status, envelope.message)
    cls = status_error_class(upstream if upstream is not None else status)
    message = explain_enum_miss(envelope.message) if envelope.message else fallback
    return cls(
        excerpt(message, 500),
        status_code=status,
        request_id=envelope.request_id or request_id,
        body=body,
        headers=headers,
        upstream_status=upstream,
    )


def error_from_body(
    body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> APIStatusError:
    """The error a body that came with a 2xx status describes (an error envelope, or a
    completion whose ``finish_reason`` is ``"error"``).

    The status is the one written in the body; else, for Anthropic's envelope, the status of
    its error type; else 500 (the gateway failed to produce a completion). ``headers`` give the
    request id when the body has none.
    """
    envelope = read_envelope(body)
    status = envelope.status
    if status is None or status < 400:
        status = _ANTHROPIC_ERROR_STATUS.get(envelope.kind or "", 500)
    return make_status_error(
        status,
        dict(body),
        fallback=excerpt(body),
        request_id=headers.get("x-request-id") if headers else None,
    )


def raise_if_error_envelope(
    body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> None:
    """An error body that arrived with a 2xx status raises the error its content describes
    (:func:`error_from_body`); any other body returns."""
    if read_envelope(body).is_error:
        raise error_from_body(body, headers)


def stream_error(obj: Mapping[str, Any]) -> StreamError:
    """The error for an SSE ``error`` event (or a chunk carrying an ``error`` object or
    ``finish_reason: "error"``): the envelope's message, prefixed by its type when it names one
    (a stream error has no status code to tell what kind of failure it was)."""
    envelope = read_envelope(obj)
    text = envelope.message or excerpt(obj)
    if envelope.kind:
        text = f"{envelope.kind}: {text}"
    if "overloaded" in text.lower():
        text += " (the model is overloaded; retry the request in a little while)"
    return StreamError(f"the API reported an error mid-stream: {text}")
