"""The core clients behind both LangChain models (``ChatAIMLAPI``, ``AIMLAPIEmbeddings``).

One pooled sync and one async core client per model, built on first use from the model's
``_client_options()``; ``http_client`` / ``http_async_client`` passed in are used as they are
and left to their owner. Pickles and copies leave the clients behind (``aimlapi_core._travel``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import PrivateAttr

from aimlapi_core._travel import TravellingModel

if TYPE_CHECKING:
    from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient

__all__ = ["CoreClients"]


class CoreClients(TravellingModel):
    """Mixin: lazily built core clients, ``close()`` / ``aclose()``."""

    if TYPE_CHECKING:  # pydantic fields of the models that use this mixin
        http_client: Any
        http_async_client: Any

    _client: AIMLAPIClient | None = PrivateAttr(default=None)
    _async_client: AsyncAIMLAPIClient | None = PrivateAttr(default=None)
    _shared_pools = ("http_client", "http_async_client")

    def _client_options(self) -> dict[str, Any]:
        """Keyword arguments of the core clients (each model says which of its fields)."""
        raise NotImplementedError

    # Read through ``__pydantic_private__``: ``self._client`` goes through pydantic's
    # ``__getattr__`` after a failed lookup along a long MRO, about 2.5 µs a read on every call.

    def _sync_client(self) -> AIMLAPIClient:
        client: AIMLAPIClient | None = self.__pydantic_private__["_client"]  # type: ignore[index]
        if client is None:
            from aimlapi_core import AIMLAPIClient

            client = AIMLAPIClient(**self._client_options(), http_client=self.http_client)
            self._client = client
        return client

    def _async_core(self) -> AsyncAIMLAPIClient:
        client: AsyncAIMLAPIClient | None = self.__pydantic_private__["_async_client"]  # type: ignore[index]
        if client is None:
            from aimlapi_core import AsyncAIMLAPIClient

            client = AsyncAIMLAPIClient(
                **self._client_options(), http_client=self.http_async_client
            )
            self._async_client = client
        return client

    def close(self) -> None:
        """Close the pooled sync connections (clients passed in are left to their owner)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close both pooled clients (clients passed in are left to their owner)."""
        self.close()
        if self._async_client is not None:
            await self._async_client.close()
            self._async_client = None
