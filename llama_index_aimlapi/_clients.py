"""The core clients behind both LlamaIndex models (``AIMLAPI``, ``AIMLAPIEmbedding``).

One sync and one async core client per model, built on first use from the model's
``_client_kwargs()``; ``http_client`` / ``async_http_client`` passed in are used as they are and
left to their owner. Pickles and copies leave the clients behind (``aimlapi_core._travel``);
LlamaIndex's ``__setstate__`` re-runs ``__init__`` with the public fields only, so the key and
the pools passed in are put back from the pickle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_index.core.bridge.pydantic import PrivateAttr, SecretStr

from aimlapi_core._travel import TravellingModel

if TYPE_CHECKING:
    import httpx

    from aimlapi_core import AIMLAPIClient, AsyncAIMLAPIClient

__all__ = ["CoreClients"]


class CoreClients(TravellingModel):
    """Mixin: the key, the pools passed in, lazily built core clients, ``close()`` /
    ``aclose()``."""

    _api_key: SecretStr | None = PrivateAttr(default=None)
    _http_client: httpx.Client | None = PrivateAttr(default=None)
    _async_http_client: httpx.AsyncClient | None = PrivateAttr(default=None)
    _client: AIMLAPIClient | None = PrivateAttr(default=None)
    _aclient: AsyncAIMLAPIClient | None = PrivateAttr(default=None)
    _core_clients = ("_client", "_aclient")
    _shared_pools = ("_http_client", "_async_http_client")
    _restored_private = ("_api_key", "_http_client", "_async_http_client")

    def _client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of the core clients (each model says which of its fields)."""
        raise NotImplementedError

    # Both lookups run on every call. They read the private attribute from
    # __pydantic_private__ (always a dict here: the model has private attributes) because
    # ``self._client`` goes through pydantic's __getattr__, after a failed normal lookup that
    # builds an AttributeError: a few microseconds a call.

    def _sync_client(self) -> AIMLAPIClient:
        client: AIMLAPIClient | None = self.__pydantic_private__["_client"]  # type: ignore[index]
        if client is None:
            from aimlapi_core import AIMLAPIClient

            client = self._client = AIMLAPIClient(
                **self._client_kwargs(), http_client=self._http_client
            )
        return client

    def _async_client(self) -> AsyncAIMLAPIClient:
        # One client for every event loop: scripts that call asyncio.run() more than once
        # (common with LlamaIndex workflows) get a new loop each time, and the core client
        # reopens its own pool in the new loop (aimlapi_core/_async_client.py).
        client: AsyncAIMLAPIClient | None = self.__pydantic_private__["_aclient"]  # type: ignore[index]
        if client is None:
            from aimlapi_core import AsyncAIMLAPIClient

            client = self._aclient = AsyncAIMLAPIClient(
                **self._client_kwargs(), http_client=self._async_http_client
            )
        return client

    def close(self) -> None:
        """Close the sync connection pool (an injected ``http_client`` is left open)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the async connection pool (an injected ``async_http_client`` is left open)."""
        if self._aclient is not None:
            await self._aclient.close()
            self._aclient = None
