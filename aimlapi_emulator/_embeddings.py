"""``POST /v1/embeddings``: validated per model as the docs describe, answered with vectors.

Written from the pages ``api-references/embedding-models/*`` and their OpenAPI schemas — never
from the client's tables — so that the client's rules are tested against an independent reading:

- the 13 live model ids (README "All Available Embedding Models"); any other id, the deprecated
  ones included, gets the gateway's "Invalid enum value" schema error;
- per family the optional fields its schema lists, and nothing else ("Unrecognized key(s)");
  OpenAI's schemas are closed (``additionalProperties: false``), the others are treated alike;
- ``input``: a non-empty string or a non-empty array of strings; Voyage strings at most 8000
  characters, its array items at most 800;
- the upstream providers' caps on inputs and tokens per request (the gateway documents none but
  forwards to them; see ``aimlapi_core/_embedding_models.py`` for the same judgement) and each
  model's context per input (Google truncates instead when ``auto_truncate`` is on, its default);
- ``dimensions`` within the model's range (none on ada-002: OpenAI refuses it upstream);
  ``encoding_format: "base64"`` answers little-endian float32 arrays, as OpenAI does.

The answer is the documented shape, with ``usage`` and the cost in ``meta.usage`` and the
``x-aimlapi-*`` headers. Prices are list prices per million tokens with the gateway's markup;
the OpenAI ones reproduce the pages' printed examples ("Laura is a DJ.": 5 tokens, 1 credit on
text-embedding-3-small, 2 on -3-large and ada-002).
"""

from __future__ import annotations

import base64
import math
import sys
from array import array
from dataclasses import dataclass
from typing import Any

from ._envelopes import schema_error, upstream_error
from ._usage import count_tokens, truncate_tokens
from ._vectors import embed_text

__all__ = ["MODELS", "embeddings_answer"]

_MARKUP = 1.3
_CREDITS_PER_USD = 2_000_000
_GOOGLE_TASKS = (
    "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION",
    "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION",
)  # fmt: skip


@dataclass(frozen=True)
class _Model:
    dims: int
    fields: frozenset[str]
    dims_range: tuple[int, int] | None  # None: `dimensions` is not taken
    max_inputs: int
    max_tokens: int  # per request, over every input
    context: int  # per input
    usd_per_mtok: float
    status: int  # the success status its spec declares
    item_chars: int | None = None
    string_chars: int | None = None


def _openai(dims: int, price: float, dimensions: bool = True) -> _Model:
    fields = {"encoding_format", "dimensions"}  # ada-002's schema lists dimensions too
    return _Model(dims, frozenset(fields), (1, dims) if dimensions else None, 2048, 300_000, 8191,
                  price, 201)  # fmt: skip


def _voyage(context: int, price: float = 0.12) -> _Model:
    return _Model(1024, frozenset({"input_type"}), None, 128, 120_000, context, price, 201,
                  item_chars=800, string_chars=8000)  # fmt: skip


_QWEN = _Model(1024, frozenset({"dimensions"}), (64, 2048), 10, 320_000, 32_000, 0.07, 200)
_GOOGLE = _Model(
    768, frozenset({"dimensions", "task_type", "title", "auto_truncate"}), (1, 768), 250, 20_000,
    2000, 0.025, 201,
)  # fmt: skip

MODELS: dict[str, _Model] = {
    "alibaba/qwen-text-embedding-v3": _QWEN,
    "alibaba/qwen-text-embedding-v4": _QWEN,
    "voyage-2": _voyage(4000, 0.10),
    "voyage-code-2": _voyage(16_000),
    "voyage-finance-2": _voyage(32_000),
    "voyage-large-2": _voyage(16_000),
    "voyage-large-2-instruct": _voyage(16_000),
    "voyage-law-2": _voyage(16_000),
    "voyage-multilingual-2": _voyage(32_000),
    "text-multilingual-embedding-002": _GOOGLE,
    "text-embedding-3-small": _openai(1536, 0.02),
    "text-embedding-3-large": _openai(3072, 0.13),
    "text-embedding-ada-002": _openai(1536, 0.10, dimensions=False),
}
# The OpenAI schemas mark these `nullable: true` (so is Google's `dimensions`).
_NULLABLE = frozenset({"encoding_format", "dimensions"})


def _inputs(body: dict[str, Any], spec: _Model) -> tuple[list[str], bool]:
    """The input strings, and whether they came as one string."""
    value = body.get("input")
    if isinstance(value, str):
        if not value:
            raise schema_error("input: String must contain at least 1 character(s)")
        if spec.string_chars is not None and len(value) > spec.string_chars:
            raise schema_error(
                f"input: String must contain at most {spec.string_chars} character(s)"
            )
        return [value], True
    if not isinstance(value, list):
        raise schema_error(
            "input: Expected string | array of strings, received "
            + ("undefined" if value is None else type(value).__name__)
        )
    if not value:
        raise schema_error("input: Array must contain at least 1 element(s)")
    if len(value) > spec.max_inputs:
        raise schema_error(f"input: Array must contain at most {spec.max_inputs} element(s)")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise schema_error(f"input[{i}]: Expected string, received {type(item).__name__}")
        if spec.item_chars is not None and len(item) > spec.item_chars:
            raise schema_error(
                f"input[{i}]: String must contain at most {spec.item_chars} character(s)"
            )
        if not item:  # OpenAI upstream: "input cannot be an empty string"
            raise upstream_error(f"'$.input[{i}]' is invalid: input cannot be an empty string")
    return value, False


def _check_fields(body: dict[str, Any], model: str, spec: _Model) -> dict[str, Any]:
    """The optional fields given (nulls dropped where the schema allows them)."""
    fields: dict[str, Any] = {}
    for key, value in body.items():
        if key in ("model", "input"):
            continue
        if key not in spec.fields:
            raise schema_error(f"Unrecognized key(s) in object: '{key}'")
        if value is None:
            if key not in _NULLABLE:
                raise schema_error(f"{key}: Expected a value, received null; omit the field")
            continue
        fields[key] = value
    if "dimensions" in fields:
        dims = fields["dimensions"]
        if spec.dims_range is None:
            raise upstream_error("This model does not support specifying dimensions.")
        low, high = spec.dims_range
        if isinstance(dims, bool) or not isinstance(dims, int):
            raise schema_error(f"dimensions: Expected integer, received {type(dims).__name__}")
        if not low <= dims <= high:
            raise schema_error(
                f"dimensions: Number must be between {low} and {high} for {model}, got {dims}"
            )
    fmt = fields.get("encoding_format")
    if fmt is not None and fmt not in ("float", "base64"):
        raise schema_error(
            f"encoding_format: Invalid enum value. Expected 'float' | 'base64', received '{fmt}'"
        )
    task = fields.get("task_type")
    if task is not None and task not in _GOOGLE_TASKS:
        expected = " | ".join(f"'{t}'" for t in _GOOGLE_TASKS)
        raise schema_error(f"task_type: Invalid enum value. Expected {expected}, received '{task}'")
    if "title" in fields and not isinstance(fields["title"], str):
        raise schema_error(f"title: Expected string, received {type(fields['title']).__name__}")
    if "title" in fields and task != "RETRIEVAL_DOCUMENT":
        raise upstream_error("title is only applicable when task_type is RETRIEVAL_DOCUMENT")
    if "auto_truncate" in fields and not isinstance(fields["auto_truncate"], bool):
        raise schema_error("auto_truncate: Expected boolean")
    kind = fields.get("input_type")
    if kind is not None and kind != "document":
        raise schema_error(
            f"input_type: Invalid enum value. Expected 'document', received '{kind}'"
        )
    return fields


def _as_base64(vector: list[float]) -> str:
    values = array("f", vector)
    if sys.byteorder == "big":
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode("ascii")


def embeddings_answer(body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Validate a request body; the status, JSON answer and cost headers of a valid one.

    Raises:
        APIError: 400 with the gateway's (or upstream's) message for an invalid body.
    """
    if not isinstance(body, dict):
        raise schema_error("the request body must be a JSON object")
    model = body.get("model")
    spec = MODELS.get(model) if isinstance(model, str) else None
    if spec is None or not isinstance(model, str):
        expected = " | ".join(f"'{m}'" for m in MODELS)
        raise schema_error(f"model: Invalid enum value. Expected {expected}, received '{model}'")
    fields = _check_fields(body, model, spec)
    texts, _ = _inputs(body, spec)
    truncate = fields.get("auto_truncate", True) and "auto_truncate" in spec.fields
    counts = []
    for i, text in enumerate(texts):
        tokens = count_tokens(text)
        if tokens > spec.context:
            if not truncate:
                raise upstream_error(
                    f"input[{i}]: this model's maximum context length is {spec.context} tokens, "
                    f"however you requested {tokens} tokens; shorten the text"
                )
            texts[i] = truncate_tokens(text, spec.context)  # Google's documented auto_truncate
            tokens = spec.context
        counts.append(tokens)
    total = sum(counts)
    if total > spec.max_tokens:
        raise upstream_error(
            f"Requested {total} tokens, max {spec.max_tokens} tokens per request; send fewer "
            "inputs per request"
        )
    dims = fields.get("dimensions", spec.dims)
    encode = _as_base64 if fields.get("encoding_format") == "base64" else None
    data = []
    for i, text in enumerate(texts):
        vector = embed_text(text, dims)
        data.append(
            {"object": "embedding", "index": i, "embedding": encode(vector) if encode else vector}
        )
    credits = math.ceil(total * spec.usd_per_mtok / 1_000_000 * _MARKUP * _CREDITS_PER_USD)
    usd = credits / _CREDITS_PER_USD
    answer = {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": total, "total_tokens": total},
        "meta": {"usage": {"credits_used": credits, "usd_spent": usd}},
    }
    headers = {"x-aimlapi-credits-used": str(credits), "x-aimlapi-usd-spent": f"{usd:.9f}"}
    return spec.status, answer, headers
