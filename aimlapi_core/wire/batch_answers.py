"""The Batches API's answers on the wire: status objects, cancels and results, read into
:class:`Batch` / :class:`BatchResult` (the create side is ``batches.py``).

Doc page: capabilities/batch-processing (docs/wire.md "Batches"). Judgements on the page:

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from aimlapi_core._json import excerpt
from aimlapi_core._types import ChatResult
from aimlapi_core.errors import (
    AIMLAPIError,
    APIStatusError,
    BatchError,
    ResponseValidationError,
)

from ._common import as_int
from .envelope import raise_if_error_envelope
from .messages import decode_message

__all__ = [
    "Batch",
    "BatchCounts",
    "BatchResult",
    "batch_id_problem",
    "parse_body",
    "read_batch",
    "read_body",
]

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


# --------------------------------------------------------------------------- read


def read_body(content: bytes, batch_id: str | None = None) -> Batch:
    """Any answer's body as a :class:`Batch`: ``read_batch(parse_body(content), batch_id)``.

    The one large answer, an ended batch's JSON Lines (10,000 results are ~8 MB), is read a
    slice of lines at a time: each slice is parsed as one JSON array (the parser then shares
    the keys every line repeats, which costs a quarter less than a parse per line) and its
    results are decoded before the next, so a line's wrapper objects are garbage as soon as its
    result is read instead of 10,000 parsed lines living until the last is decoded (memory, and
    the cyclic collector's passes over every live container; benchmarks/batches.py measures
    the peak). Any other answer, and any failure on the way, takes the two-step path, which
    reads every form and words every error as it always did (a line that is not JSON is
    reported before a result that cannot be read).
    """
    text = _utf8(content)
    try:
        batch = _read_result_lines(text, batch_id)
    except Exception:  # the two-step path below raises the error it words
        batch = None
    return batch if batch is not None else read_batch(_parse_text(text), batch_id)


_LINES_PER_PARSE = 64


def _utf8(content: bytes) -> str:
    """The body as text: JSON is UTF-8 (RFC 8259 §8.1), and a results file that is not would
    otherwise read differently from what the server meant (U+FFFD in an answer)."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise ResponseValidationError(
            f"line {line} of a batches answer is not valid UTF-8 ({exc.reason} at byte "
            f"{exc.start}): {excerpt(content[max(exc.start - 100, 0) : exc.start + 100])}"
        ) from None


def _read_result_lines(text: str, batch_id: str | None) -> Batch | None:
    """JSON Lines holding results (some line an object with a ``custom_id``), decoded slice by
    slice; ``None`` (or an exception) for anything else.

    Joining a slice's non-blank lines with commas inside brackets parses exactly when every line
    is complete JSON: a line break inside a value would put a comma where JSON has only
    whitespace, which never parses. A line holding two comma-separated values parses to more
    values than lines, which is refused by the count."""
    results: list[BatchResult] = []
    any_result = False
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
            any_result = any_result or _is_result(value)
            results.append(_result(value, batch_id))
    return _ended_batch(results, batch_id) if any_result else None


def parse_body(content: bytes) -> Any:
    """One JSON document, else JSON Lines (a list of the objects); ResponseValidationError."""
    return _parse_text(_utf8(content))


def _parse_text(text: str) -> Any:
    """:func:`parse_body` of the decoded text. One pass: each object is decoded once, where it
    starts (10,000 results are ~8 MB)."""
    decode = _DECODER.raw_decode
    items: list[Any] = []
    pos, end = _skip_ws(text, 0), len(text)
    while pos < end:
        try:
            value, pos = decode(text, pos)
        except (ValueError, RecursionError) as exc:  # read_json's bounds, line by line
            line = text.count("\n", 0, pos) + 1
            why = "nests JSON too deep" if isinstance(exc, RecursionError) else "is not JSON"
            raise ResponseValidationError(
                f"line {line} of a batches answer {why}: {excerpt(text[pos : pos + 300])}"
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
        # Results (one line or more with a custom_id): every line is read as a result, so one
        # unreadable line is an error of its own rather than the loss of the batch.
        if any(_is_result(x) for x in body):
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


def batch_id_problem(value: Any) -> str | None:
    """Why ``value`` cannot name a batch, or ``None``. A batch id is one path segment of the
    cancel endpoint and a query value of GET /batches (capabilities/batch-processing): escaped,
    any printable text fits, but a dot segment is resolved away by the URL (``cancel("..")``
    would post to ``/batches``, the create endpoint) and an empty id names no batch."""
    if not isinstance(value, str) or not value.strip():
        return f"must be a non-empty string, got {value!r}"
    if value in (".", ".."):
        return f"{value!r} is a dot segment, which a URL resolves to another endpoint"
    if not value.isprintable():
        return f"{value!r} holds a control character"
    return None


def _object(obj: dict[str, Any], batch_id: str | None) -> Batch:
    if "statusCode" in obj or obj.get("type") == "error" or "error" in obj:
        raise_if_error_envelope(obj)
    # "status" (the gateway's word, final after a cancel) wins over processing_status.
    raw = obj.get("status") or obj.get("processing_status")
    status = _STATUSES.get(raw) if isinstance(raw, str) else None
    if status is None:
        raise ResponseValidationError(f"a batch object without a known status: {excerpt(obj)}")
    # The id asked about wins: the page's examples show the gateway's id at create and an
    # upstream msgbatch_… id in a later status, and the caller keeps using the first.
    bid = batch_id or _answered_id(obj.get("id"), obj)
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


def _answered_id(value: Any, answer: Any) -> str:
    """The id a create answer gives the new batch: every later call is made with it."""
    problem = batch_id_problem(value)
    if problem is not None:
        raise ResponseValidationError(
            f"a batches answer without a usable batch id (the id {problem}): {excerpt(answer)}"
        )
    return str(value)


def _counts(value: Any) -> BatchCounts | None:
    if not isinstance(value, dict):
        return None
    return BatchCounts(**{k: as_int(value.get(k)) or 0 for k in BatchCounts.__slots__})


def _ended(items: Sequence[Any], batch_id: str | None) -> Batch:
    return _ended_batch([_result(item, batch_id) for item in items], batch_id)


def _ended_batch(results: list[BatchResult], batch_id: str | None) -> Batch:
    if batch_id is None:  # results at create: nothing names the batch to fetch them again
        _answered_id(None, [r.custom_id for r in results[:3]])
    tally: Counter[str] = Counter(r.type for r in results)
    counts = BatchCounts(**tally)  # each type is one of its fields
    return Batch(
        id=str(batch_id), status="ended", raw_status="ended", counts=counts, results=results
    )


def _is_result(value: Any) -> bool:
    return isinstance(value, dict) and "custom_id" in value


def _result(item: Any, batch_id: str | None) -> BatchResult:
    """One line of the results, never raising: a result this client cannot read (an unknown
    type, a message the /messages decoder refuses, an error envelope where the message should
    be) is ``type="errored"`` with that error, named by its custom_id, so it costs its own slot
    and not the batch's other results. A line without a string custom_id answers no request
    (``custom_id=""``; ``in_input_order`` names it in the slots left without a result)."""
    custom_id = item.get("custom_id") if isinstance(item, dict) else None
    if not isinstance(custom_id, str):
        error = ResponseValidationError(
            f"a batch result without a string custom_id, answering no request: {excerpt(item)}"
        )
        return BatchResult(custom_id="", type="errored", error=error)
    try:
        return _read_result(custom_id, item, batch_id)
    except AIMLAPIError as exc:
        return BatchResult(custom_id=custom_id, type="errored", error=_for_request(exc, custom_id))


def _read_result(custom_id: str, item: dict[str, Any], batch_id: str | None) -> BatchResult:
    outcome = item.get("result")
    if not isinstance(outcome, dict):
        raise ResponseValidationError(f"a batch result without a result object: {excerpt(item)}")
    kind = outcome.get("type")
    if kind == "succeeded":
        result = decode_message(outcome.get("message"), {})
        return BatchResult(custom_id=custom_id, type="succeeded", result=result)
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


def _for_request(exc: AIMLAPIError, custom_id: str) -> AIMLAPIError:
    """``exc`` worded as the error of batch request ``custom_id``."""
    exc.message = f"batch request {custom_id!r}: {exc.message}"
    exc.args = (exc.message,)
    return exc


def _error(outcome: dict[str, Any], custom_id: str) -> AIMLAPIError:
    """Anthropic's ``{"type": "errored", "error": {"type": "error", "error": {type, message}}}``
    as the error the same failure of ``create`` raises (one envelope reader)."""
    err = outcome.get("error")
    inner = err if isinstance(err, dict) and err.get("type") == "error" else {"error": err}
    try:
        raise_if_error_envelope(inner)
    except APIStatusError as exc:
        return _for_request(exc, custom_id)
    return BatchError(
        f"batch request {custom_id!r} errored without an error object: {excerpt(outcome)}",
        custom_id=custom_id,
        result_type="errored",
    )
