"""What both dialects read the same way: the leaf of the wire layer (it imports no other
wire module).

The stop-reason table (both vocabularies → Anthropic's), number readers that refuse booleans,
usage and cost readers that accept either naming, the request/inference ids from body and
headers, and ``require_object`` for bodies that must be JSON objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aimlapi_core._json import excerpt
from aimlapi_core._types import Cost, StopReason, Usage
from aimlapi_core.errors import ResponseValidationError

# --------------------------------------------------------------------------- stop reasons

# Both vocabularies: /chat/completions leaks Anthropic's words (`end_turn`) next to OpenAI's
# (`stop`), see docs/wire.md "Response on /chat/completions".
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

    ``has_tool_calls``: the gateway may say ``stop`` although the model called tools (docs/wire.md
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


_NUMBERS = (int, float)  # a tuple: `int | float` builds a UnionType on every call


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, _NUMBERS):
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
    if _openai_named(u):
        out["input_tokens"] = as_int(u.get("prompt_tokens"))
        out["output_tokens"] = as_int(u.get("completion_tokens"))
        details = u.get("prompt_tokens_details")
        cached = as_int(details.get("cached_tokens")) if isinstance(details, dict) else None
        out["cache_read_tokens"] = cached
        # cache_write_tokens sits in prompt_tokens_details on the claude-sonnet-latest page's
        # example; top level is read too.
        write = u.get("cache_write_tokens", u.get("cache_creation_input_tokens"))
        if write is None and isinstance(details, dict):
            write = details.get("cache_write_tokens")
        out["cache_creation_tokens"] = as_int(write)
        cdetails = u.get("completion_tokens_details")
        if isinstance(cdetails, dict):
            out["reasoning_tokens"] = as_int(cdetails.get("reasoning_tokens"))
        return out
    total, output, read, write = _anthropic_usage(u)
    if total is not None:
        out["input_tokens"] = total
    out["output_tokens"] = output
    out["cache_read_tokens"] = read
    out["cache_creation_tokens"] = write
    return out


def _openai_named(u: Mapping[str, Any]) -> bool:
    """Whether a usage object uses OpenAI's names (``prompt_tokens``) rather than Anthropic's."""
    return "prompt_tokens" in u or "completion_tokens" in u


def _anthropic_usage(
    u: Mapping[str, Any],
) -> tuple[int | None, int | None, int | None, int | None]:
    """Anthropic's naming: (input tokens with cache reads and writes added, or ``None`` if none
    is reported; output; cache reads; cache writes)."""
    base = as_int(u.get("input_tokens"))
    read = as_int(u.get("cache_read_input_tokens"))
    write = as_int(u.get("cache_creation_input_tokens"))
    if base is None and read is None and write is None:
        total = None
    else:
        total = (base or 0) + (read or 0) + (write or 0)
    return total, as_int(u.get("output_tokens")), read, write


def usage_from_wire(u: Any) -> Usage:
    if not isinstance(u, dict):
        return Usage()
    if not _openai_named(u):
        # Anthropic's naming (every /messages answer, every batch result): read straight into
        # Usage, without usage_fields' intermediate dict.
        total, output, read, write = _anthropic_usage(u)
        return Usage(
            input_tokens=total or 0,
            output_tokens=output or 0,
            cache_read_tokens=read,
            cache_creation_tokens=write,
        )
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
    cost = cost_from_body(body)
    if not headers:  # a batch result has none: nothing to fill in
        return cost
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


def require_object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ResponseValidationError(f"expected a JSON object for {what}, got: {excerpt(body)}")
    return body


# --------------------------------------------------------------------------- shapes

# What reading a wrong-shaped JSON value with dict lookups raises: ``[1].get`` (AttributeError),
# ``{"0": {}}[0]`` (KeyError), ``[][0]`` (IndexError), ``{}.get([1])`` (TypeError), a nesting
# deeper than the interpreter's stack (RecursionError). Each decoder's entry point converts these
# into ResponseValidationError once, at its boundary, instead of checking every lookup on the
# hot path; explicit checks (``opt_str`` ...) remain where a wrong type would otherwise pass
# silently into an event or a result.
SHAPE_ERRORS: tuple[type[BaseException], ...] = (
    AttributeError,
    IndexError,
    KeyError,
    RecursionError,
    TypeError,
    ValueError,
)


def shape_error(what: str, data: Any, exc: BaseException) -> ResponseValidationError:
    """The error for ``data`` (a body or an event's text) that could not be read."""
    try:
        shown = excerpt(data)
    except (ValueError, TypeError, RecursionError):
        shown = excerpt(repr(data))
    return ResponseValidationError(
        f"{what} does not have the documented shape ({type(exc).__name__}: {exc}): {shown}"
    )


def opt_str(obj: Mapping[str, Any], key: str, what: str) -> str | None:
    """``obj[key]`` when it is a string or absent/null; anything else raises."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ResponseValidationError(f"{what}.{key} is not a string: {excerpt(obj)}")


def opt_dict(obj: Mapping[str, Any], key: str, what: str) -> dict[str, Any] | None:
    """``obj[key]`` when it is an object or absent/null; anything else raises."""
    value = obj.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise ResponseValidationError(f"{what}.{key} is not an object: {excerpt(obj)}")


def opt_index(obj: Mapping[str, Any], what: str) -> int | None:
    """``obj["index"]`` when it is an integer or absent/null; anything else raises (a string or
    list index would silently open a new part or fail on hashing)."""
    value = obj.get("index")
    if value is None:
        return None
    index = as_int(value)
    if index is None:
        raise ResponseValidationError(f"{what}.index is not an integer: {excerpt(obj)}")
    return index


def usage_object(value: Any, what: str) -> dict[str, Any] | None:
    """A ``usage`` member: an object, or absent/null. ``{"usage": 7}`` raises instead of being
    read as no usage at all."""
    if value is None or isinstance(value, dict):
        return value
    raise ResponseValidationError(f"{what} usage is not an object: {excerpt(value)}")
