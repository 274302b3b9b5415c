"""``AIMLAPIEmbeddings``: the AI/ML API's embedding models as LangChain ``Embeddings``.

Thin glue over :meth:`aimlapi_core.AIMLAPIClient.embed`: the core checks each call against the
model's documented fields, cuts the texts into as few requests as the model's limits allow,
sends them with retries (concurrently, up to ``max_concurrency``, on the async path) and returns
the vectors in input order. Nothing here builds a request or knows a model's limits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from langchain_core.embeddings import Embeddings
from langchain_core.load.serializable import Serializable
from langchain_core.utils import secret_from_env
from pydantic import ConfigDict, Field, SecretStr, field_serializer, field_validator

from aimlapi_core.adapter import redact_headers

from ._clients import CoreClients

if TYPE_CHECKING:
    pass

DEFAULT_MODEL = "text-embedding-3-small"
# The per-family request fields the core knows (it refuses each where the model lacks it).
_FAMILY_FIELDS = frozenset({"task_type", "title", "auto_truncate", "input_type"})


class AIMLAPIEmbeddings(CoreClients, Serializable, Embeddings):
    """Embedding models through the AI/ML API (https://aimlapi.com).

    Setup: ``pip install "aimlapi-integrations[langchain]"`` and set ``AIMLAPI_API_KEY``.

    Example:
        .. code-block:: python

            from langchain_core.vectorstores import InMemoryVectorStore

            from langchain_aimlapi import AIMLAPIEmbeddings

            embeddings = AIMLAPIEmbeddings(model="text-embedding-3-small", dimensions=256)
            store = InMemoryVectorStore.from_texts(["The ferry leaves at 08:15."], embeddings)
            store.similarity_search("When does the ferry leave?", k=1)

    Models: ``text-embedding-3-small`` / ``-3-large`` / ``-ada-002``,
    ``alibaba/qwen-text-embedding-v3`` / ``-v4``, ``text-multilingual-embedding-002`` and the
    ``voyage-*`` models. Fields only some models take go in ``model_kwargs``
    (``task_type``, ``title``, ``auto_truncate`` for Google, ``input_type`` for Voyage); one the
    model does not take is refused before any request. The key never appears in ``repr`` or in
    what ``dumpd`` writes.
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, extra="forbid")

    model: str = Field(default=DEFAULT_MODEL, alias="model_name")
    """Embedding model id."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("AIMLAPI_API_KEY", default=None), alias="aimlapi_api_key"
    )
    """Defaults to ``AIMLAPI_API_KEY``. Not needed to build or serialize the object."""
    base_url: str | None = Field(default=None, alias="aimlapi_api_base")
    """Defaults to ``AIMLAPI_BASE_URL`` or ``https://api.aimlapi.com/v1``."""
    dimensions: int | None = None
    """Shorter vectors (text-embedding-3-*, Qwen, Google); ``None``: the model's default length."""
    encoding_format: Literal["float", "base64"] | None = None
    """``"base64"`` asks OpenAI models for a smaller answer; the vectors are decoded either way."""
    chunk_size: int | None = Field(default=None, gt=0)
    """At most this many texts per request (default: as many as the model allows)."""
    max_concurrency: int = Field(default=4, gt=0)
    """Requests in flight at once in ``aembed_documents``."""
    timeout: float | None = None
    max_retries: int = 2
    default_headers: dict[str, str] | None = Field(default=None, repr=False)
    """Extra headers; not shown by ``repr`` (one may carry a credential)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Per-family request fields: ``task_type``, ``title``, ``auto_truncate``, ``input_type``."""
    http_client: Any = Field(default=None, exclude=True)
    """An ``httpx.Client`` to send requests with (a proxy, a mock transport)."""
    http_async_client: Any = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` for the async methods."""

    @field_validator("model_kwargs")
    @classmethod
    def _known_fields(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - _FAMILY_FIELDS)
        if unknown:
            raise ValueError(
                f"model_kwargs {unknown} are not embedding request fields; the API takes "
                f"{sorted(_FAMILY_FIELDS)} (per model) besides model, dimensions and "
                "encoding_format"
            )
        return value

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._plan([])  # a field this model does not take fails here, not at the first call

    # ------------------------------------------------------------------ LangChain plumbing

    @field_serializer("default_headers")
    def _redact_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return redact_headers(headers)  # model_dump / model_dump_json

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "AIMLAPI_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_aimlapi", "embeddings"]

    # ------------------------------------------------------------------ core clients

    def _options(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "dimensions": self.dimensions,
            "encoding_format": self.encoding_format,
            "batch_size": self.chunk_size,
            **self.model_kwargs,
        }

    def _plan(self, texts: list[str]) -> None:
        from aimlapi_core import plan_embeddings

        plan_embeddings(texts, **self._options())

    def _client_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {
            "api_key": self.api_key.get_secret_value() if self.api_key else None,
            "base_url": self.base_url,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }
        if self.timeout is not None:
            options["timeout"] = self.timeout
        return options

    # ------------------------------------------------------------------ Embeddings

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in order, in as few requests as the model allows."""
        return self._sync_core().embed(texts, **self._options()).vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """As :meth:`embed_documents`, with up to ``max_concurrency`` requests in flight."""
        client = self._async_core()
        result = await client.embed(texts, max_concurrency=self.max_concurrency, **self._options())
        return result.vectors

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.aembed_documents([text]))[0]


AimlapiEmbeddings = AIMLAPIEmbeddings
"""The name the older ``langchain-aimlapi`` (0.1.x) package used."""
