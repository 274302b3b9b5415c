"""The Batches API on the wire: what a batch request may hold, and how its answers read.

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
* GET answers in four shapes: ``[{"id", "status": "generating"}]`` while running; the batch object
  (the schema); ``[{<batch object>, "status": "cancelled"}]`` after a cancel; and, once ended, one
  result object per request — the example client reads them as JSON Lines and falls back to
  one JSON document, so both are read here. A ``status`` of ``cancelled`` is final ("Final status
  of the batch after cancellation", batch-cancel.json): no results follow.
* Cancel answers the batch object (the example: ``processing_status: "canceling"``) although its
  schema says ``{id, status, output, usage}``: both are read. Cancelling a finished batch is a
  400 whose message embeds Anthropic's error; it raises ``BadRequestError`` like any 400.
* Results: only ``succeeded`` is shown; ``errored`` / ``canceled`` / ``expired`` follow Anthropic's
  results format. A succeeded ``message`` is a /messages answer, read by the /messages decoder;
  its cost is read when the body carries ``meta.usage`` (the page's example carries none, so
  ``cost`` may be ``None`` — never estimated).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from aimlapi_core._json import excerpt
from aimlapi_core._types import (
    ChatRequest,
    ChatResult,
    DocumentPart,
    ImagePart,
    Part,
    RedactedThinkingPart,
    TextPart,
    ThinkingPart,
    ToolCallPart,
    ToolResultPart,
)
from aimlapi_core.errors import (
    AIMLAPIError,
    APIStatusError,
    BatchError,
    InvalidRequestError,
    ResponseValidationError,
    UnsupportedContentError,
)

from ._common import as_int
from .encode import encode_request
from .envelope import raise_if_error_envelope
from .messages import _FLAVOR as MESSAGES_FLAVOR
from .messages import decode_message

__all__ = [
    "MAX_REQUESTS",
    "Batch",
    "BatchCounts",
    "BatchResult",
    "encode_batch",
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

BatchStatus: TypeAlias = Literal["in_progress", "canceling", "ended", "cancelled"]
ResultType: TypeAlias = Literal["succeeded", "errored", "canceled", "expired"]


# --------------------------------------------------------------------------- neutral values


@dataclass(slots=True, kw_only=True)
class BatchCounts:
    processing: int = 0
    succeeded: int = 0
    errored: int = 0
    canceled: int = 0
    expired: int = 0

    @property
    def total(self) -> int:
        return self.processing + self.succeeded + self.errored + self.canceled + self.expired


@dataclass(slots=True, kw_only=True)
class BatchResult:
    """One request's outcome: ``result`` when it succeeded, else ``error`` (a
    :class:`~aimlapi_core.errors.BatchError`, or the ``APIStatusError`` its error maps to)."""

    custom_id: str
    type: ResultType
    result: ChatResult | None = None
    error: AIMLAPIError | None = None


@dataclass(slots=True, kw_only=True)
class Batch:
    """A batch as last seen. ``results`` is set once it has ended (in the server's order).

    ``status``: ``in_progress`` (the gateway's ``generating``), ``canceling``, ``ended`` (results
    are in), ``cancelled`` (final, no results). ``raw_status`` keeps the word the wire used.
    """

    id: str
    status: BatchStatus
    raw_status: str | None = None
    counts: BatchCounts | None = None
    created_at: str | None = None
    expires_at: str | None = None
    ended_at: str | None = None
    cancel_initiated_at: str | None = None
    results: list[BatchResult] | None = None
    raw: Any = field(default=None, compare=False, repr=False)

    @property
    def done(self) -> bool:
        """Nothing more will happen: results are in, or the batch was cancelled."""
        return self.results is not None or self.status == "cancelled"

    def result(self, custom_id: str) -> BatchResult:
        for item in self.results or ():
            if item.custom_id == custom_id:
                return item
        raise KeyError(f"batch {self.id} has no result for custom_id {custom_id!r}")


# --------------------------------------------------------------------------- create


def encode_batch(requests: Mapping[str, ChatRequest]) -> Iterator[dict[str, Any]]:
    """The create body's ``requests`` items, ``{"custom_id", "params"}``, in order: the body is
    ``{"requests": list(encode_batch(requests))}``. The count is checked here; each request is
    checked and encoded as its item is taken, and an error names its ``custom_id``.

    Lazy so that the caller can serialise a slice of items at a time (``_batches.py``): a
    100,000-request batch then never holds every params dict at once — memory, and the
    collector's passes over every live container (issue 14: "memory bounded"). Nothing is sent
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
    try:
        params = encode_request(request, stream=False, flavor=MESSAGES_FLAVOR)
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


# --------------------------------------------------------------------------- read


def read_body(content: bytes, batch_id: str | None = None) -> Batch:
    """Any answer's body as a :class:`Batch`: ``read_batch(parse_body(content), batch_id)``.

    The one large answer, an ended batch's JSON Lines (10,000 results are ~8 MB), is read a
    slice of lines at a time: each slice is parsed as one JSON array (the parser then shares
    the keys every line repeats, which costs a quarter less than a parse per line) and its
    results are decoded before the next, so a line's wrapper objects are garbage as soon as its
    result is read instead of 10,000 parsed lines living until the last is decoded (memory, and
    the cyclic collector's passes over every live container; issue 14). Any other answer, and
    any failure on the way, takes the two-step path, which reads every form and words every
    error as it always did (a line that is not JSON is reported before a result that cannot be
    read).
    """
    try:
        batch = _read_result_lines(content, batch_id)
    except Exception:  # the two-step path below raises the error it words
        batch = None
    return batch if batch is not None else read_batch(parse_body(content), batch_id)


_LINES_PER_PARSE = 64


def _read_result_lines(content: bytes, batch_id: str | None) -> Batch | None:
    """JSON Lines whose every line is one object with a ``custom_id``, decoded slice by slice;
    ``None`` (or an exception) for anything else.

    Joining a slice's non-blank lines with commas inside brackets parses exactly when every line
    is complete JSON: a line break inside a value would put a comma where JSON has only
    whitespace, which never parses. A line holding two comma-separated values parses to more
    values than lines, which is refused by the count."""
    text = content.decode("utf-8", "replace")
    results: list[BatchResult] = []
    start, end = 0, len(text)
    while start < end:
        stop = start
        for _ in range(_LINES_PER_PARSE):
            stop = text.find("\n", stop) + 1
            if not stop:
                stop = end
                break
        lines = [line for line in text[start:stop].split("\n") if line and not line.isspace()]
        start = stop
        if not lines:
            continue
        values = _DECODER.decode("[" + ",".join(lines) + "]")
        if len(values) != len(lines):
            return None
        for value in values:
            if not isinstance(value, dict) or "custom_id" not in value:
                return None
            results.append(_result(value, batch_id))
    return _ended_batch(results, batch_id) if results else None


def parse_body(content: bytes) -> Any:
    """One JSON document, else JSON Lines (a list of the objects); ResponseValidationError.

    One pass: each object is decoded once, where it starts (10,000 results are ~8 MB)."""
    text = content.decode("utf-8", "replace")
    decode = _DECODER.raw_decode
    items: list[Any] = []
    pos, end = _skip_ws(text, 0), len(text)
    while pos < end:
        try:
            value, pos = decode(text, pos)
        except ValueError:
            line = text.count("\n", 0, pos) + 1
            raise ResponseValidationError(
                f"line {line} of a batches answer is not JSON: {excerpt(text[pos : pos + 300])}"
            ) from None
        items.append(value)
        pos = _skip_ws(text, pos)
    if not items:
        raise ResponseValidationError("a batches answer with an empty body")
    return items[0] if len(items) == 1 else items


_DECODER = json.JSONDecoder()
_WS = re.compile(r"\s*")


def _skip_ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def read_batch(body: Any, batch_id: str | None = None) -> Batch:
    """Any answer of GET /batches, POST /batches or the cancel endpoint, as a :class:`Batch`."""
    if isinstance(body, list):
        if body and all(isinstance(x, dict) and "custom_id" in x for x in body):
            return _ended(body, batch_id)
        if len(body) == 1 and isinstance(body[0], dict):
            return _object(body[0], batch_id)
        raise ResponseValidationError(f"a batches answer this client cannot read: {excerpt(body)}")
    if isinstance(body, dict):
        if "custom_id" in body:  # an ended batch of one request, sent as one JSON object
            return _ended([body], batch_id)
        return _object(body, batch_id)
    raise ResponseValidationError(f"a batches answer this client cannot read: {excerpt(body)}")


_STATUSES: dict[str, BatchStatus] = {
    "in_progress": "in_progress",
    "generating": "in_progress",
    "canceling": "canceling",
    "cancelling": "canceling",
    "ended": "ended",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}


def _object(obj: dict[str, Any], batch_id: str | None) -> Batch:
    if "statusCode" in obj or obj.get("type") == "error" or "error" in obj:
        raise_if_error_envelope(obj)
    # "status" (the gateway's word, final after a cancel) wins over processing_status.
    raw = obj.get("status") or obj.get("processing_status")
    status = _STATUSES.get(raw) if isinstance(raw, str) else None
    # The id asked about wins: the page's examples show the gateway's id at create and an
    # upstream msgbatch_… id in a later status, and the caller keeps using the first.
    bid = batch_id or (obj.get("id") if isinstance(obj.get("id"), str) else None)
    if status is None or not bid:
        raise ResponseValidationError(f"a batch object without a known status: {excerpt(obj)}")
    if status == "ended":
        raise ResponseValidationError(
            f"batch {bid} ended but the answer carried no results (results_url "
            f"{obj.get('results_url')!r} is not a documented way to fetch them): {excerpt(obj)}"
        )

    def text(key: str) -> str | None:
        value = obj.get(key)
        return value if isinstance(value, str) else None

    return Batch(
        id=bid,
        status=status,
        raw_status=raw,
        counts=_counts(obj.get("request_counts")),
        created_at=text("created_at"),
        expires_at=text("expires_at"),
        ended_at=text("ended_at"),
        cancel_initiated_at=text("cancel_initiated_at"),
        raw=obj,
    )


def _counts(value: Any) -> BatchCounts | None:
    if not isinstance(value, dict):
        return None
    return BatchCounts(**{k: as_int(value.get(k)) or 0 for k in BatchCounts.__slots__})


def _ended(items: Sequence[dict[str, Any]], batch_id: str | None) -> Batch:
    return _ended_batch([_result(item, batch_id) for item in items], batch_id)


def _ended_batch(results: list[BatchResult], batch_id: str | None) -> Batch:
    tally: Counter[str] = Counter(r.type for r in results)
    counts = BatchCounts(**tally)  # each type is one of its fields
    return Batch(
        id=batch_id or "", status="ended", raw_status="ended", counts=counts, results=results
    )


def _result(item: dict[str, Any], batch_id: str | None) -> BatchResult:
    custom_id = item.get("custom_id")
    outcome = item.get("result")
    kind = outcome.get("type") if isinstance(outcome, dict) else None
    if not isinstance(custom_id, str) or not isinstance(outcome, dict):
        raise ResponseValidationError(f"a batch result this client cannot read: {excerpt(item)}")
    if kind == "succeeded":
        return BatchResult(
            custom_id=custom_id, type="succeeded", result=decode_message(outcome.get("message"), {})
        )
    if kind == "errored":
        return BatchResult(custom_id=custom_id, type="errored", error=_error(outcome, custom_id))
    if kind in ("canceled", "expired"):
        why = "the batch was cancelled" if kind == "canceled" else "the batch expired (24 h)"
        error = BatchError(
            f"batch request {custom_id!r} was not processed: {why}; submit it again",
            batch_id=batch_id,
            custom_id=custom_id,
            result_type=kind,
        )
        return BatchResult(custom_id=custom_id, type=kind, error=error)
    raise ResponseValidationError(f"a batch result of unknown type {kind!r}: {excerpt(item)}")


def _error(outcome: dict[str, Any], custom_id: str) -> AIMLAPIError:
    """Anthropic's ``{"type": "errored", "error": {"type": "error", "error": {type, message}}}``
    as the error the same failure of ``create`` raises (one envelope reader)."""
    err = outcome.get("error")
    inner = err if isinstance(err, dict) and err.get("type") == "error" else {"error": err}
    try:
        raise_if_error_envelope(inner)
    except APIStatusError as exc:
        exc.message = f"batch request {custom_id!r}: {exc.message}"
        exc.args = (exc.message,)
        return exc
    return BatchError(
        f"batch request {custom_id!r} errored without an error object: {excerpt(outcome)}",
        custom_id=custom_id,
        result_type="errored",
    )
