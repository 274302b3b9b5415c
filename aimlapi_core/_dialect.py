"""The wire-dialect interfaces and what both dialects share.

A :class:`Dialect` turns a neutral :class:`~aimlapi_core._types.ChatRequest` into the JSON body
of one endpoint and reads that endpoint's answers back into neutral values. Two exist:
``chat_completions`` (``_chat_completions.py``) and ``messages`` (``_messages.py``); pick one
with :func:`get_dialect`.

Shared here: the stop-reason table (both vocabularies → Anthropic's), usage and cost readers that
accept either naming, the request/inference ids and cost from response headers, and the check
that turns an error envelope arriving with a 2xx status into the matching error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol

from .errors import APIStatusError, ResponseValidationError, status_error_class

if TYPE_CHECKING:
    from ._sse import ServerSentEvent
    from ._types import ChatRequest, ChatResult, Cost, StopReason, StreamEvent, Usage

__all__ = ["Dialect", "StreamDecoder", "get_dialect"]


class StreamDecoder(Protocol):
    """Turns the SSE events of one streamed response into neutral stream events."""

    finished: bool  # a Finish event has been produced

    def feed(self, event: ServerSentEvent) -> list[StreamEvent]:
        """One ``json.loads`` per event. Raises ``StreamError`` on a wire ``error`` event and
        ``ResponseValidationError`` on undecodable JSON."""
        ...


class Dialect(Protocol):
    name: Literal["chat_completions", "messages"]
    path: str  # joined to base_url

    def encode(self, request: ChatRequest, *, stream: bool) -> dict[str, Any]:
        """Pure; raises ``InvalidRequestError`` / ``UnsupportedContentError`` before any I/O."""
        ...

    def decode(self, body: Any, headers: Mapping[str, str]) -> ChatResult:
        """A whole response; raises ``ResponseValidationError`` or, for an error envelope that
        came with a 2xx status, the matching ``APIStatusError``."""
        ...

    def stream_decoder(self) -> StreamDecoder: ...


def get_dialect(api: str) -> Dialect:
    """The dialect for an ``api=`` setting: ``"chat_completions"`` or ``"messages"``."""
    if api == "chat_completions":
        from ._chat_completions import ChatCompletionsDialect

        return ChatCompletionsDialect()
    if api == "messages":
        from ._messages import MessagesDialect

        return MessagesDialect()
    raise ValueError(f"api must be 'chat_completions' or 'messages', got {api!r}")


# --------------------------------------------------------------------------- stop reasons

# Both vocabularies: /chat/completions leaks Anthropic's words (`end_turn`) next to OpenAI's
# (`stop`), see WIRE.md "Response on /chat/completions".
STOP_REASONS: dict[str, StopReason] = {
    "end_turn": "end_turn",
    "stop": "end_turn",
    "max_tokens": "max_tokens",
    "length": "max_tokens",
    "stop_sequence": "stop_sequence",
    "tool_use": "tool_use",
    "tool_calls": "tool_use",
    "function_call": "tool_use",
    "refusal": "refusal",
    "content_filter": "refusal",
    "pause_turn": "pause_turn",
}


def stop_reason(raw: str | None, *, has_tool_calls: bool = False) -> StopReason | None:
    """Normalise a wire stop reason; unknown words give ``None`` (callers keep the raw word).

    ``has_tool_calls``: the gateway may say ``stop`` although the model called tools (WIRE.md,
    streaming on /chat/completions) — what was received wins.
    """
    reason = STOP_REASONS.get(raw) if raw else None
    if has_tool_calls and reason in ("end_turn", None) and raw:
        return "tool_use"
    return reason


# --------------------------------------------------------------------------- numbers, usage, cost


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def usage_fields(u: Mapping[str, Any]) -> dict[str, int | None]:
    """Read a usage object in either naming; ``input_tokens`` counts every input token.

    OpenAI names (``prompt_tokens``) already include cached tokens; Anthropic names
    (``input_tokens``) exclude cache reads and writes, which are added here. Keys not reported
    are ``None``.
    """
    out: dict[str, int | None] = {}
    if "prompt_tokens" in u or "completion_tokens" in u:
        out["input_tokens"] = as_int(u.get("prompt_tokens"))
        out["output_tokens"] = as_int(u.get("completion_tokens"))
        details = u.get("prompt_tokens_details")
        cached = as_int(details.get("cached_tokens")) if isinstance(details, dict) else None
        out["cache_read_tokens"] = cached
        write = u.get("cache_write_tokens", u.get("cache_creation_input_tokens"))
        out["cache_creation_tokens"] = as_int(write)
        cdetails = u.get("completion_tokens_details")
        if isinstance(cdetails, dict):
            out["reasoning_tokens"] = as_int(cdetails.get("reasoning_tokens"))
        return out
    base = as_int(u.get("input_tokens"))
    read = as_int(u.get("cache_read_input_tokens"))
    write = as_int(u.get("cache_creation_input_tokens"))
    if base is not None or read is not None or write is not None:
        out["input_tokens"] = (base or 0) + (read or 0) + (write or 0)
    out["output_tokens"] = as_int(u.get("output_tokens"))
    out["cache_read_tokens"] = read
    out["cache_creation_tokens"] = write
    return out


def usage_from_wire(u: Any) -> Usage:
    from ._types import Usage

    if not isinstance(u, dict):
        return Usage()
    f = usage_fields(u)
    return Usage(
        input_tokens=f.get("input_tokens") or 0,
        output_tokens=f.get("output_tokens") or 0,
        cache_read_tokens=f.get("cache_read_tokens"),
        cache_creation_tokens=f.get("cache_creation_tokens"),
        reasoning_tokens=f.get("reasoning_tokens"),
    )


def cost_from_body(body: Mapping[str, Any]) -> Cost | None:
    """``meta.usage {credits_used, usd_spent}`` (request-tracing-and-cost.md)."""
    from ._types import Cost

    meta = body.get("meta")
    usage = meta.get("usage") if isinstance(meta, dict) else None
    if not isinstance(usage, dict):
        return None
    credits, usd = as_float(usage.get("credits_used")), as_float(usage.get("usd_spent"))
    if credits is None and usd is None:
        return None
    return Cost(credits_used=credits, usd_spent=usd)


def cost_of(body: Mapping[str, Any], headers: Mapping[str, str]) -> Cost | None:
    """Cost from the body, else from ``x-aimlapi-credits-used`` / ``x-aimlapi-usd-spent``
    (sent on non-streaming responses only); body values win field by field."""
    from ._types import Cost

    cost = cost_from_body(body)
    credits = as_float(headers.get("x-aimlapi-credits-used"))
    usd = as_float(headers.get("x-aimlapi-usd-spent"))
    if cost is None:
        return (
            None if credits is None and usd is None else Cost(credits_used=credits, usd_spent=usd)
        )
    if cost.credits_used is None:
        cost.credits_used = credits
    if cost.usd_spent is None:
        cost.usd_spent = usd
    return cost


def ids_of(body: Mapping[str, Any], headers: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``(request_id, inference_id)``: the body's ``requestId`` wins over ``x-request-id``."""
    rid = body.get("requestId")
    request_id = rid if isinstance(rid, str) and rid else headers.get("x-request-id") or None
    return request_id, headers.get("x-inference-id") or None


# --------------------------------------------------------------------------- errors


def excerpt(body: Any, limit: int = 300) -> str:
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


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


def require_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ResponseValidationError(f"expected a JSON object for {what}, got: {excerpt(body)}")
    return body


def parse_arguments(text: str, tool_name: str) -> dict[str, Any]:
    """Tool arguments from their JSON text: empty means no arguments."""
    if not text or text.isspace():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise ResponseValidationError(
            f"the arguments of tool call {tool_name!r} are not valid JSON: {excerpt(text)}"
        ) from None
    if not isinstance(value, dict):
        raise ResponseValidationError(
            f"the arguments of tool call {tool_name!r} are not a JSON object: {excerpt(text)}"
        )
    return value
