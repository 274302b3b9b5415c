"""Embeddings: request planning (batches) and response decoding.

``POST {base_url}/embeddings`` is OpenAI-compatible (docs/wire.md "Embeddings"; the pages
``api-references/embedding-models/*``). What differs per model — which optional fields it takes,
how long its vectors are, how many inputs fit in one request — lives in
``_embedding_models.py``, the one home of those rules. Everything here is pure:
:func:`plan_embeddings` checks a call and cuts it into request bodies before any I/O,
:class:`EmbeddingCollector` folds the answers back in input order. The clients
(``_client.py``, ``_async_client.py``) only send the bodies, through the same retry loop, error
mapping and key redaction as chat: sequentially on the sync client, a bounded number at a time
on the async one.

Example:
    >>> plan = plan_embeddings(["a cat", "a dog"], model="text-embedding-3-small", dimensions=8)
    >>> [(b.start, b.count) for b in plan.batches]
    [(0, 2)]
    >>> plan.bodies[0]
    b'{"model":"text-embedding-3-small","input":["a cat","a dog"],"dimensions":8}'
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import sys
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ._embedding_models import (
    DEFAULT_EMBEDDING_MODEL,
    EmbeddingModel,
    check_fields,
    embedding_model,
    longest_text,
)
from ._json import excerpt
from ._types import Cost, Usage
from .errors import InvalidRequestError, ResponseValidationError
from .wire._common import as_int, cost_of, require_object
from .wire.envelope import raise_if_error_envelope

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "EMBEDDINGS_PATH",
    "EmbeddingCollector",
    "EmbeddingPlan",
    "EmbeddingResult",
    "EncodingFormat",
    "plan_embeddings",
]

EMBEDDINGS_PATH = "/embeddings"
EncodingFormat = Literal["float", "base64"]

# --------------------------------------------------------------------------- planning


@dataclass(frozen=True, slots=True)
class Batch:
    """``count`` inputs starting at ``start``; ``single``: sent as a string, not an array."""

    start: int
    count: int
    single: bool = False


@dataclass(slots=True)
class EmbeddingPlan:
    """A checked call: the request bodies to send and what each answer must hold."""

    model: EmbeddingModel
    total: int
    batches: list[Batch]
    bodies: list[bytes]
    dimensions: int | None
    encoding_format: EncodingFormat | None


def _size(text: str, i: int) -> int:
    # UTF-8 bytes: an upper bound on tokens for byte-level tokenizers (_embedding_models.py).
    if text.isascii():
        return len(text)
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidRequestError(
            f"text {i} cannot be sent: it holds a lone surrogate, which is not valid UTF-8"
        ) from None


def _cut(
    texts: Sequence[str], spec: EmbeddingModel, batch_size: int, longest: int | None
) -> list[Batch]:
    """Greedy batches in input order under the count cap and the per-request size budget."""
    batches: list[Batch] = []
    start = count = used = 0
    budget, item_chars = spec.max_request_tokens, spec.max_item_chars
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidRequestError(f"text {i} is a {type(text).__name__}, not a str")
        if not text:
            # The schemas: a string input has minLength 1; upstream (OpenAI) refuses "" in
            # arrays too. Refused rather than silently skipped: the vectors would misalign.
            raise InvalidRequestError(f"text {i} is empty; the API cannot embed an empty string")
        if longest is not None and len(text) > longest:
            raise InvalidRequestError(
                f"text {i} has {len(text):,} characters: more than {spec.id}'s context of "
                f"{spec.context:,} tokens can hold. Split it into smaller chunks."
            )
        size = _size(text, i)
        if item_chars is not None and len(text) > item_chars:
            limit = spec.max_string_chars
            if limit is not None and len(text) > limit:
                raise InvalidRequestError(
                    f"text {i} has {len(text)} characters; {spec.id} takes at most {limit}. "
                    "Split it into smaller chunks."
                )
            if count:
                batches.append(Batch(start, count))
            batches.append(Batch(i, 1, single=True))
            start, count, used = i + 1, 0, 0
            continue
        if count and (count >= batch_size or used + size > budget):
            batches.append(Batch(start, count))
            start, count, used = i, 0, 0
        count += 1
        used += size
    if count:
        batches.append(Batch(start, count))
    return batches


def plan_embeddings(
    texts: Sequence[str],
    *,
    model: str = DEFAULT_EMBEDDING_MODEL,
    dimensions: int | None = None,
    encoding_format: EncodingFormat | None = None,
    task_type: str | None = None,
    title: str | None = None,
    auto_truncate: bool | None = None,
    input_type: str | None = None,
    batch_size: int | None = None,
) -> EmbeddingPlan:
    """Check a call against ``model``'s documented rules and cut it into request bodies.

    Raises:
        InvalidRequestError: a field the model does not take, a value out of its range, an
            empty or non-string text, a text over the model's length limit — before any I/O.
    """
    if isinstance(texts, str):
        raise InvalidRequestError("texts must be a list of strings, not one string")
    if not isinstance(model, str) or not model:
        raise InvalidRequestError(f"model must be a non-empty string, got {model!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise InvalidRequestError(f"batch_size must be a positive integer, got {batch_size!r}")
    spec = embedding_model(model)
    given = {
        "dimensions": dimensions,
        "encoding_format": encoding_format,
        "task_type": task_type,
        "title": title,
        "auto_truncate": auto_truncate,
        "input_type": input_type,
    }
    fields = {k: v for k, v in given.items() if v is not None}  # never an explicit null
    check_fields(spec, fields)
    cap = min(batch_size or spec.max_inputs, spec.max_inputs)
    batches = _cut(texts, spec, cap, longest_text(spec, fields))
    bodies = []
    for b in batches:
        inputs: str | list[str] = (
            texts[b.start] if b.single else list(texts[b.start : b.start + b.count])
        )
        body = {"model": model, "input": inputs, **fields}
        bodies.append(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
    return EmbeddingPlan(spec, len(texts), batches, bodies, dimensions, encoding_format)


# --------------------------------------------------------------------------- results


@dataclass(slots=True, kw_only=True)
class EmbeddingResult:
    """One vector per input text, in input order, with what the calls cost.

    Attributes:
        vectors: ``vectors[i]`` embeds ``texts[i]``; all of one length.
        model: the model the API reports.
        usage: input tokens over every request (``output_tokens`` is 0).
        cost: ``credits_used`` / ``usd_spent`` summed over every request (``None``: not reported).
        requests: how many requests were sent (not counting retries).
        request_ids: each request's ``x-request-id``, in batch order.
    """

    vectors: list[list[float]]
    model: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost: Cost | None = None
    requests: int = 0
    request_ids: list[str] = field(default_factory=list)


def _little_endian_floats(text: str, where: str) -> list[float]:
    """A base64 ``embedding``: little-endian float32 values (OpenAI's encoding)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ResponseValidationError(f"{where} is neither a list of numbers nor base64") from None
    if len(raw) % 4:
        raise ResponseValidationError(f"{where}: {len(raw)} bytes is not a float32 array")
    values = array("f")
    values.frombytes(raw)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tolist()


_NUMBER_TYPES = frozenset({float, int})  # bool is its own type: True is no coordinate


def _vector(embedding: Any, where: str, booleans: bool = True) -> list[float]:
    """An ``embedding`` as the vector a caller may store: a list of finite numbers (or
    OpenAI's base64 float32 array). A string, null, boolean, nested value, NaN or Infinity is
    refused here, before it reaches a vector store that would keep it (or index it as 0).

    The vectors are the whole answer, so the usual case costs one ``sum``: it fails on any
    value that is not a number and is finite only when every value is. Booleans pass ``sum``
    (True is 1); ``booleans=False`` says the answer's bytes hold no ``true``/``false`` at all.
    Anything else gets the precise pass, which names the first bad value."""
    if isinstance(embedding, str):
        value = _little_endian_floats(embedding, where)
    elif isinstance(embedding, list):
        value = embedding
    else:
        raise ResponseValidationError(f"{where} is neither a list of numbers nor base64")
    try:
        total = sum(value)
        plain = math.isfinite(total)
    except (TypeError, OverflowError):  # not numbers, or an int past the float range
        plain = False
    if not plain or booleans:
        _check_values(value, where)
    return value


def _check_values(value: list[Any], where: str) -> None:
    kinds = set(map(type, value))
    if not kinds <= _NUMBER_TYPES:
        odd = next(v for v in value if type(v) not in _NUMBER_TYPES)
        raise ResponseValidationError(
            f"{where} holds {type(odd).__name__} {excerpt(odd, 40)}, not a number"
        )
    try:
        finite = all(map(math.isfinite, value))
    except OverflowError:  # an integer no float can hold
        finite = False
    if not finite:
        raise ResponseValidationError(
            f"{where} holds NaN, Infinity or a number past the float range, not a finite number"
        )


class EmbeddingCollector:
    """Folds the answers of a plan's requests, in any order, into one :class:`EmbeddingResult`."""

    __slots__ = ("_cost", "_ids", "_model", "_plan", "_tokens", "_vectors")

    def __init__(self, plan: EmbeddingPlan) -> None:
        self._plan = plan
        self._vectors: list[list[float] | None] = [None] * plan.total
        self._tokens = 0
        self._cost: Cost | None = None
        self._model: str | None = None
        self._ids: list[str | None] = [None] * len(plan.batches)

    def add(self, i: int, body: Any, headers: Mapping[str, str], raw: bytes | None = None) -> None:
        """The decoded JSON answer to request ``i`` (``plan.bodies[i]``) and its headers;
        ``raw``, its bytes, spares the vectors a pass when they hold no ``true``/``false``."""
        batch = self._plan.batches[i]
        body = require_object(body, "an embeddings response")
        raise_if_error_envelope(body, headers)  # an error envelope that came with a 2xx status
        data = body.get("data")
        if not isinstance(data, list) or len(data) != batch.count:
            got = len(data) if isinstance(data, list) else "no 'data' list"
            raise ResponseValidationError(
                f"the embeddings response to {batch.count} input(s) has {got} item(s)"
            )
        vectors, start = self._vectors, batch.start
        booleans = raw is None or b"true" in raw or b"false" in raw
        for item in data:
            index = as_int(item.get("index")) if isinstance(item, dict) else None
            if index is None or not 0 <= index < batch.count or vectors[start + index] is not None:
                raise ResponseValidationError(
                    f"embeddings response item without a valid, unique index: {str(item)[:120]}"
                )
            where = f"embedding {start + index}"
            vectors[start + index] = _vector(item.get("embedding"), where, booleans)
        usage = body.get("usage")
        if isinstance(usage, dict):
            tokens = as_int(usage.get("prompt_tokens"))
            self._tokens += tokens if tokens is not None else as_int(usage.get("total_tokens")) or 0
        cost = cost_of(body, headers)
        if cost is not None:
            self._cost = _add_cost(self._cost, cost)
        model = body.get("model")
        self._model = model if isinstance(model, str) else self._model
        self._ids[i] = headers.get("x-request-id")

    def result(self) -> EmbeddingResult:
        vectors = [v for v in self._vectors if v is not None]
        if len(vectors) != self._plan.total:  # pragma: no cover - the clients add every batch
            raise ResponseValidationError("some embeddings requests were not answered")
        want = self._plan.dimensions or (len(vectors[0]) if vectors else 0)
        for i, vector in enumerate(vectors):
            if len(vector) != want or not vector:
                raise ResponseValidationError(
                    f"embedding {i} has {len(vector)} values, expected {want}"
                    + (" (the requested dimensions)" if self._plan.dimensions else "")
                )
        return EmbeddingResult(
            vectors=vectors,
            model=self._model,
            usage=Usage(input_tokens=self._tokens),
            cost=self._cost,
            requests=len(self._plan.batches),
            request_ids=[rid for rid in self._ids if rid],
        )


def _add_cost(total: Cost | None, more: Cost) -> Cost:
    if total is None:
        return Cost(credits_used=more.credits_used, usd_spent=more.usd_spent)

    def plus(a: float | None, b: float | None) -> float | None:
        return b if a is None else a if b is None else a + b

    return Cost(
        credits_used=plus(total.credits_used, more.credits_used),
        usd_spent=plus(total.usd_spent, more.usd_spent),
    )
