"""``AIMLAPIEmbedding``: the AI/ML API's embedding models as a LlamaIndex ``BaseEmbedding``.

Thin glue over :meth:`aimlapi_core.AIMLAPIClient.embed`. LlamaIndex itself cuts texts into
batches of ``embed_batch_size`` and emits its instrumentation events (``EmbeddingStartEvent`` /
``EmbeddingEndEvent``, callback ``EMBEDDING`` events) around each; every batch is one call to the
core, which checks it against the model's documented fields, splits it further only where the
model's own limits require, and sends it with the client's retries.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Literal

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import (
    ConfigDict,
    Field,
    SecretStr,
    field_serializer,
)

from aimlapi_core.adapter import redact_headers

from ._clients import CoreClients

if TYPE_CHECKING:
    import httpx

DEFAULT_MODEL = "text-embedding-3-small"


class _OneCall:
    """The batches of one ``aget_text_embedding_batch`` call, which LlamaIndex runs with
    ``asyncio.gather`` (every batch at once when ``num_workers`` is 1 or ``None``) and lets run on
    after one fails. Here at most ``num_workers`` send at once, and once one fails the others are
    cancelled and those not yet sent never are: no paid request for an answer no one reads."""

    def __init__(self, workers: int | None) -> None:
        self._gate = asyncio.Semaphore(workers) if workers else None
        self._running: set[asyncio.Task[Any]] = set()
        self._failed = False

    async def run(self, send: Callable[[], Awaitable[list[Embedding]]]) -> list[Embedding]:
        task = asyncio.current_task()
        assert task is not None  # LlamaIndex runs each batch as a task of its gather
        self._running.add(task)
        try:
            async with self._gate or contextlib.nullcontext():
                if self._failed:
                    raise asyncio.CancelledError
                return await send()
        except Exception:
            self._failed = True
            for other in self._running - {task}:
                other.cancel()
            raise
        finally:
            self._running.discard(task)


_CALL: ContextVar[_OneCall | None] = ContextVar("aimlapi_embedding_call", default=None)


class AIMLAPIEmbedding(CoreClients, BaseEmbedding):
    """Embedding models on the AI/ML API, for LlamaIndex indexes and query engines.

    Example:
        ```python
        from llama_index.core import Settings, VectorStoreIndex

        from llama_index_aimlapi import AIMLAPI, AIMLAPIEmbedding

        Settings.llm = AIMLAPI()
        Settings.embed_model = AIMLAPIEmbedding(model_name="text-embedding-3-small")
        index = VectorStoreIndex.from_documents(documents)
        print(index.as_query_engine().query("When does the ferry leave?"))
        ```

    Fields only some models take go in ``additional_kwargs`` (``task_type``, ``title``,
    ``auto_truncate`` for ``text-multilingual-embedding-002``; ``input_type`` for Voyage); one the
    model does not take is refused before any request. Async batches run ``num_workers`` at a
    time (LlamaIndex's own setting; default 4 here, unbounded in LlamaIndex when ``None``), each
    batch's requests one after another. The API key is never serialized or shown.
    """

    # A misspelt field is an error, not silently ignored.
    model_config = ConfigDict(
        protected_namespaces=("pydantic_model_",), arbitrary_types_allowed=True, extra="forbid"
    )

    model_name: str = Field(default=DEFAULT_MODEL, description="Embedding model id.")
    embed_batch_size: int = Field(
        default=100, gt=0, le=2048, description="Texts per batch (LlamaIndex's batching)."
    )
    num_workers: int | None = Field(
        default=4, description="Async batches in flight at once; None: all at once."
    )
    base_url: str | None = Field(default=None, description="Defaults to env AIMLAPI_BASE_URL.")
    dimensions: int | None = Field(default=None, gt=0, description="Shorter vectors, if taken.")
    encoding_format: Literal["float", "base64"] | None = Field(
        default=None, description="'base64': smaller answers (OpenAI models), decoded here."
    )
    timeout: float | None = Field(default=None, gt=0)
    max_retries: int = Field(default=2, ge=0)
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="task_type / title / auto_truncate / input_type."
    )

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if api_key is not None:
            self._api_key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self._http_client = http_client
        self._async_http_client = async_http_client
        from aimlapi_core import plan_embeddings

        # A field this model does not take fails here, not at the first batch.
        plan_embeddings([], **self._options())

    @field_serializer("default_headers")
    def _redact_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return redact_headers(headers)

    @classmethod
    def class_name(cls) -> str:
        return "AIMLAPIEmbedding"

    # ------------------------------------------------------------------ clients

    def _options(self) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "dimensions": self.dimensions,
            "encoding_format": self.encoding_format,
            **self.additional_kwargs,
        }

    def _client_options(self) -> dict[str, Any]:
        key = self._api_key.get_secret_value() if self._api_key is not None else None
        return {
            "api_key": key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    # ------------------------------------------------------------------ BaseEmbedding

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._sync_core().embed(texts, **self._options()).vectors

    async def aget_text_embedding_batch(
        self, texts: list[str], show_progress: bool = False, **kwargs: Any
    ) -> list[Embedding]:
        """LlamaIndex's batching and events, its batches run as one call (:class:`_OneCall`)."""
        token = _CALL.set(_OneCall(self.num_workers))  # each batch's task copies the context
        try:
            return await super().aget_text_embedding_batch(texts, show_progress, **kwargs)
        finally:
            _CALL.reset(token)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        # One request at a time within a batch: num_workers bounds the batches in flight.
        async def send() -> list[Embedding]:
            client = self._async_core()
            return (await client.embed(texts, max_concurrency=1, **self._options())).vectors

        call = _CALL.get()
        return await (send() if call is None else call.run(send))

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await self._aget_text_embedding(query)
