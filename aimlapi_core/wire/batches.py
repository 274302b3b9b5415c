"""The Batches API on the wire, create side: what a batch request may hold and how it is sent.

Doc page: capabilities/batch-processing (docs/wire.md "Batches"). Three
endpoints:
``POST {base_url}/batches`` with ``{"requests": [{"custom_id", "params"}]}``,
``GET {base_url}/batches?batch_id=…`` (status *or* results) and
``POST {base_url}/batches/cancel/{id}``.

Judgements on the page (it contradicts itself; we send the conservative form, read every form):

* ``params`` is a /messages body, but its schema lets messages be ``{"role": "user", "content":
  <string>}`` only and ``system`` a string. So each request is encoded by the /messages encoder
  (every sampling, tool and thinking rule stays in ``encode.py``) and then refused, before any
  request, when the result does not fit that schema — an assistant turn, an image, a document,
  a tool result, signed thinking, ``cache_control``, several blocks in one turn. Nothing is
  flattened or dropped to make it fit.
* The create schema's top-level ``required: ["model", "requests"]`` names a ``model`` property
  it never defines, and the page's own example sends only ``requests``: we send only ``requests``.
* ``custom_id``: "unique within the batch"; its format is not documented. The gateway hands the
  batch to Anthropic, whose rule is ``^[a-zA-Z0-9_-]{1,64}$``: we enforce that before sending.

How every answer reads (the batch object, results, errors) is ``batch_answers.py``'s; the
answer-side names are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from aimlapi_core._types import (
    ChatRequest,
    DocumentPart,
    ImagePart,
    Part,
    RedactedThinkingPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from aimlapi_core.errors import InvalidRequestError, UnsupportedContentError

from .batch_answers import (
    Batch,
    BatchCounts,
    BatchResult,
    batch_id_problem,
    parse_body,
    read_batch,
    read_body,
)
from .encode import encode_request
from .messages import _CONTENT as MESSAGES_CONTENT

__all__ = [
    "MAX_REQUESTS",
    "Batch",
    "BatchCounts",
    "BatchResult",
    "batch_id_problem",
    "encode_batch",
    "parse_body",
    "read_batch",
    "read_body",
]

MAX_REQUESTS = 100_000  # batch-create.json: requests.maxItems
_CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
# batch-create.json: the properties of ``params``. Anything else (an extra_body key) is refused.
_PARAMS = frozenset(
    {
        "model", "messages", "system", "metadata", "max_tokens", "stop_sequences", "temperature",
        "top_k", "top_p", "tool_choice", "tools", "thinking",
    }
)  # fmt: skip
_PART_NAMES: dict[type, str] = {
    ImagePart: "an image",
    DocumentPart: "a document",
    ToolCallPart: "a tool call",
    ToolResultPart: "a tool result",
    ThinkingPart: "a thinking block",
    RedactedThinkingPart: "a redacted thinking block",
}

# --------------------------------------------------------------------------- create


def encode_batch(requests: Mapping[str, ChatRequest]) -> Iterator[dict[str, Any]]:
    """The create body's ``requests`` items, ``{"custom_id", "params"}``, in order: the body is
    ``{"requests": list(encode_batch(requests))}``. The count is checked here; each request is
    checked and encoded as its item is taken, and an error names its ``custom_id``.

    Lazy so that the caller can serialise a slice of items at a time (``_batches.py``): a
    100,000-request batch then never holds every params dict at once — memory, and the
    collector's passes over every live container (memory bounded: benchmarks/batches.py
    measures the peak). Nothing is sent
    before the last item is taken, so a bad request anywhere is still refused before any
    request.
    """
    if not requests:
        raise InvalidRequestError("a batch needs at least one request (batch-create: minItems 1)")
    if len(requests) > MAX_REQUESTS:
        raise InvalidRequestError(
            f"a batch holds at most {MAX_REQUESTS} requests, got {len(requests)}; split it"
        )
    return _items(requests)


def _items(requests: Mapping[str, ChatRequest]) -> Iterator[dict[str, Any]]:
    match = _CUSTOM_ID.match
    for custom_id, request in requests.items():
        if not isinstance(custom_id, str) or not match(custom_id):
            raise InvalidRequestError(
                f"custom_id {custom_id!r} is not accepted: use 1-64 letters, digits, '_' or '-'"
            )
        yield {"custom_id": custom_id, "params": encode_params(request, custom_id)}


def encode_params(request: ChatRequest, custom_id: str) -> dict[str, Any]:
    _check_parts(request, custom_id)
    if request.extra_headers:
        raise InvalidRequestError(
            f"{_where(custom_id)}: extra_headers cannot travel inside a batch (one HTTP request "
            "carries them all); set default_headers on the client instead"
        )
    if request.prompt_caching is not None:
        # The batch schema carries no cache_control (docs/wire.md "Batches"), so a model's
        # prompt_caching policy places no breakpoint here; the caller's own are refused above.
        request = replace(request, prompt_caching=None)
    try:
        params = encode_request(request, stream=False, dialect_content=MESSAGES_CONTENT)
    except InvalidRequestError as exc:
        raise type(exc)(f"{_where(custom_id)}: {exc.message}") from None
    if not _PARAMS.issuperset(params):
        unknown = sorted(set(params) - _PARAMS)
        raise InvalidRequestError(
            f"{_where(custom_id)}: {', '.join(unknown)} is not a batch request parameter "
            f"(batch-create lists {', '.join(sorted(_PARAMS))}); remove it from extra_body / "
            "model_kwargs"
        )
    for i, message in enumerate(params["messages"]):
        if not isinstance(message["content"], str):
            # Consecutive user messages (or one of several text parts) become one turn of
            # several blocks in the /messages encoding, which the batch schema cannot carry.
            raise UnsupportedContentError(
                f"{_where(custom_id)}: user turn {i} holds several content blocks; the batch "
                "schema takes one string per message: join the texts into one"
            )
    if "system" in params and not isinstance(params["system"], str):
        raise UnsupportedContentError(
            f"{_where(custom_id)}: a system prompt with cache_control cannot be sent in a batch "
            "(system is a string there); remove cache_control"
        )
    return params


def _where(custom_id: str) -> str:
    # Built only for an error: most of a 10,000-request batch never needs it.
    return f"batch request {custom_id!r}"


def _check_parts(request: ChatRequest, custom_id: str) -> None:
    for i, message in enumerate(request.messages):
        if message.role != "user":
            raise UnsupportedContentError(
                f"{_where(custom_id)}: messages[{i}] is an {message.role} turn; the batch schema "
                "takes user messages with string content only (no multi-turn conversations): "
                "send it with create() instead"
            )
        for part in message.parts:
            if not isinstance(part, TextPart):
                raise UnsupportedContentError(
                    f"{_where(custom_id)}: messages[{i}] holds {_part_name(part)}; the batch "
                    "schema takes plain text only: send it with create() instead"
                )
            if part.cache_control:
                raise UnsupportedContentError(
                    f"{_where(custom_id)}: messages[{i}] has cache_control, which the batch "
                    "schema (string content) cannot carry; remove it"
                )
    for tool in request.tools:
        if tool.cache_control:
            raise UnsupportedContentError(
                f"{_where(custom_id)}: tool {tool.name!r} has cache_control, which the batch "
                "schema does not list; remove it"
            )


def _part_name(part: Part) -> str:
    return _PART_NAMES.get(type(part), type(part).__name__)
