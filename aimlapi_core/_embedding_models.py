"""The embedding models: what each one takes, how long its vectors are, how much fits in a request.

The one home of the per-model rules of ``POST /embeddings`` (the pages
``api-references/embedding-models/*`` and their OpenAPI schemas; docs/wire.md "Embeddings").
``_embeddings.py`` plans requests with it; nothing else knows a model's limits.

Example:
    >>> embedding_model("text-embedding-3-large").dimensions
    3072
    >>> sorted(embedding_model("text-multilingual-embedding-002").fields or ())
    ['auto_truncate', 'dimensions', 'task_type', 'title']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .catalog import lookup
from .errors import InvalidRequestError

__all__ = [
    "DEFAULT_EMBEDDING_MODEL",
    "DEPRECATED",
    "GOOGLE_TASK_TYPES",
    "MAX_CHARS_PER_TOKEN",
    "MODELS",
    "EmbeddingModel",
    "check_fields",
    "embedding_model",
    "longest_text",
]

DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"

# Google's task types (text-multilingual-embedding-002's schema, enum verbatim).
GOOGLE_TASK_TYPES = (
    "RETRIEVAL_QUERY",
    "RETRIEVAL_DOCUMENT",
    "SEMANTIC_SIMILARITY",
    "CLASSIFICATION",
    "CLUSTERING",
    "QUESTION_ANSWERING",
    "FACT_VERIFICATION",
)


@dataclass(frozen=True, slots=True)
class EmbeddingModel:
    """What the client knows about one embedding model id.

    Attributes:
        id: the id to send as ``model``.
        family: ``"openai"``, ``"qwen"``, ``"google"``, ``"voyage"``, or ``None`` for an id the
            docs do not list (sent as is, with conservative limits and no field checks).
        dimensions: the length of a default vector (``None``: unknown).
        fields: the optional request fields its schema lists (besides ``model`` and ``input``).
        min_dimensions, max_dimensions: the range a ``dimensions`` value must lie in.
        max_inputs: inputs per request.
        max_request_tokens: tokens per request, summed over its inputs.
        context: the longest input in tokens (the docs' "Context" column).
        max_item_chars: longest string inside an ``input`` array (``None``: no limit).
        max_string_chars: longest ``input`` sent as a single string (``None``: no limit).
    """

    id: str
    family: Literal["openai", "qwen", "google", "voyage"] | None
    dimensions: int | None
    fields: frozenset[str] | None
    min_dimensions: int = 1
    max_dimensions: int | None = None
    max_inputs: int = 10
    max_request_tokens: int = 8_000
    context: int | None = None
    max_item_chars: int | None = None
    max_string_chars: int | None = None


# Judgements on the docs (api-references/embedding-models/*, their OpenAPI schemas):
# * Count and size per request: the gateway documents no cap (the digest says so), but it
#   forwards to the upstream provider, whose caps are the real ones. We keep under the upstream
#   documented caps — OpenAI: 2048 inputs and 300,000 tokens per request; Vertex AI: 250 inputs
#   and 20,000 tokens; Voyage: 128 inputs and 120,000 tokens (the smallest of its models);
#   DashScope (Qwen v3/v4): 10 inputs — and budget tokens by UTF-8 bytes, which every byte-level
#   tokenizer needs at least one of per token, so a batch can never exceed its token cap.
# * Dimensions: the OpenAI schemas say only "number". Upstream the -3 models take 1..their
#   default and ada-002 takes no `dimensions` at all ("This model does not support specifying
#   dimensions"), although its schema lists the field (copied from the -3 pages): refused.
#   The Qwen schemas say integer 64..2048 (the overview prose says "up to 2560": the schema
#   wins, it is what the gateway validates). Google: 1..768, its vector length.
# * Voyage: the schema allows a string of up to 8000 characters, but array items of only 800.
#   Taken literally (it may be a typo; sending longer texts alone is right either way): a text
#   over 800 characters is sent alone, as a plain string. `input_type` has the single enum value
#   "document" on the gateway (Voyage itself also takes "query"): anything else is refused.
# * Context: the README's table (8,000 for OpenAI, whose capabilities page says 8191). A text
#   that certainly holds more tokens than the context is refused before any request (upstream
#   refuses it after the request, or bills a truncated text): no tokenizer runs here, so the
#   bound is one no text passes and still fits — more characters than MAX_CHARS_PER_TOKEN times
#   the context (the models' vocabularies hold no token near that long). Google truncates by
#   default (auto_truncate), so its texts are refused only with auto_truncate=False.
MAX_CHARS_PER_TOKEN = 256


def _openai(model: str, dims: int, fields: frozenset[str]) -> EmbeddingModel:
    top = dims if "dimensions" in fields else None
    return EmbeddingModel(
        model, "openai", dims, fields, max_dimensions=top, max_inputs=2048,
        max_request_tokens=300_000, context=8191,
    )  # fmt: skip


def _qwen(model: str) -> EmbeddingModel:
    # DashScope: 10 inputs per request; the README gives each a 32,000-token context.
    return EmbeddingModel(
        model, "qwen", 1024, frozenset({"dimensions"}), min_dimensions=64, max_dimensions=2048,
        max_inputs=10, max_request_tokens=320_000, context=32_000,
    )  # fmt: skip


def _voyage(model: str, context: int) -> EmbeddingModel:
    return EmbeddingModel(
        model, "voyage", 1024, frozenset({"input_type"}), max_inputs=128,
        max_request_tokens=120_000, context=context, max_item_chars=800, max_string_chars=8000,
    )  # fmt: skip


_OPENAI3 = frozenset({"dimensions", "encoding_format"})
MODELS: dict[str, EmbeddingModel] = {
    m.id: m
    for m in (
        _openai("text-embedding-3-small", 1536, _OPENAI3),
        _openai("text-embedding-3-large", 3072, _OPENAI3),
        _openai("text-embedding-ada-002", 1536, frozenset({"encoding_format"})),
        _qwen("alibaba/qwen-text-embedding-v3"),
        _qwen("alibaba/qwen-text-embedding-v4"),
        EmbeddingModel(
            "text-multilingual-embedding-002", "google", 768,
            frozenset({"dimensions", "task_type", "title", "auto_truncate"}),
            max_dimensions=768, max_inputs=250, max_request_tokens=20_000, context=2000,
        ),
        _voyage("voyage-2", 4000),
        _voyage("voyage-code-2", 16_000),
        _voyage("voyage-finance-2", 32_000),
        _voyage("voyage-large-2", 16_000),
        _voyage("voyage-large-2-instruct", 16_000),
        _voyage("voyage-law-2", 16_000),
        _voyage("voyage-multilingual-2", 32_000),
    )
}  # fmt: skip

# model-database.md, "Deprecated / No Longer Supported Models": no longer served at all.
DEPRECATED = frozenset(
    {
        "BAAI/bge-base-en-v1.5", "BAAI/bge-large-en-v1.5", "WhereIsAI/UAE-Large-V1",
        "togethercomputer/m2-bert-80M-32k-retrieval", "togethercomputer/m2-bert-80M-8k-retrieval",
        "togethercomputer/m2-bert-80M-2k-retrieval", "textembedding-gecko-multilingual@001",
        "textembedding-gecko@003", "textembedding-gecko@001",
    }
)  # fmt: skip

_FIELD_OWNERS = {
    "dimensions": "text-embedding-3-*, the Qwen and the Google models",
    "encoding_format": "the OpenAI models",
    "task_type": "text-multilingual-embedding-002 (Google)",
    "title": "text-multilingual-embedding-002 (Google)",
    "auto_truncate": "text-multilingual-embedding-002 (Google)",
    "input_type": "the voyage-* models",
}


def embedding_model(model: str) -> EmbeddingModel:
    """The table entry for ``model``; an id the docs do not list gets conservative limits
    (10 inputs, 8,000 tokens per request) and its fields are sent unchecked."""
    known = MODELS.get(model)
    if known is not None:
        return known
    if model in DEPRECATED:
        raise InvalidRequestError(
            f"{model!r} is no longer served by the AI/ML API (model-database.md lists it as "
            f"deprecated); use e.g. {DEFAULT_EMBEDDING_MODEL!r}"
        )
    if lookup(model) is not None:
        raise InvalidRequestError(
            f"{model!r} is a chat model, not an embedding model; use e.g. "
            f"{DEFAULT_EMBEDDING_MODEL!r} (the README lists every embedding model)"
        )
    return EmbeddingModel(model, family=None, dimensions=None, fields=None)


def check_fields(spec: EmbeddingModel, fields: dict[str, Any]) -> None:
    """Refuse, before any I/O, a field the model's schema does not list or a value it forbids."""
    for name in fields:
        if spec.fields is not None and name not in spec.fields:
            if name == "dimensions" and spec.id == "text-embedding-ada-002":
                raise InvalidRequestError(
                    "text-embedding-ada-002 always returns 1536 dimensions and takes no "
                    "'dimensions' (OpenAI refuses it); use text-embedding-3-small or -3-large "
                    "for shorter vectors"
                )
            raise InvalidRequestError(
                f"{spec.id} does not take {name!r} (only {_FIELD_OWNERS[name]} do); remove it"
            )
    dims = fields.get("dimensions")
    if dims is not None:
        top = spec.max_dimensions
        if isinstance(dims, bool) or not isinstance(dims, int) or dims < spec.min_dimensions:
            raise InvalidRequestError(
                f"dimensions must be an integer of at least {spec.min_dimensions}"
                f"{f' and at most {top}' if top else ''} for {spec.id}, got {dims!r}"
            )
        if top is not None and dims > top:
            raise InvalidRequestError(
                f"dimensions={dims} is more than {spec.id} gives (at most {top}); "
                "choose a smaller value or leave it unset"
            )
    fmt = fields.get("encoding_format")
    if fmt is not None and fmt not in ("float", "base64"):
        raise InvalidRequestError(f"encoding_format must be 'float' or 'base64', got {fmt!r}")
    if spec.family is None:
        return
    task = fields.get("task_type")
    if task is not None and task not in GOOGLE_TASK_TYPES:
        raise InvalidRequestError(
            f"task_type must be one of {', '.join(GOOGLE_TASK_TYPES)}; got {task!r}"
        )
    if fields.get("title") is not None and task != "RETRIEVAL_DOCUMENT":
        # The schema: "Only applicable when task_type is RETRIEVAL_DOCUMENT."
        raise InvalidRequestError("title is only applicable with task_type='RETRIEVAL_DOCUMENT'")
    auto = fields.get("auto_truncate")
    if auto is not None and not isinstance(auto, bool):
        raise InvalidRequestError(f"auto_truncate must be True or False, got {auto!r}")
    kind = fields.get("input_type")
    if kind is not None and kind != "document":
        raise InvalidRequestError(
            f"{spec.id} takes input_type='document' only (the gateway's schema); got {kind!r}. "
            "Leave input_type unset to embed queries."
        )


def longest_text(spec: EmbeddingModel, fields: dict[str, Any]) -> int | None:
    """The most characters a text for ``spec`` may hold (``None``: no known bound); past it, it
    certainly holds more tokens than the model's context (see ``MAX_CHARS_PER_TOKEN``)."""
    if spec.context is None or (spec.family == "google" and fields.get("auto_truncate", True)):
        return None
    return spec.context * MAX_CHARS_PER_TOKEN
