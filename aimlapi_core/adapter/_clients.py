"""``CoreClients``: the core clients behind every adapter model, built on first use.

One sync and one async core client per model, built from the model's ``_client_options()``
and the httpx pool the caller passed in, if any (used as it is and left to its owner). The
vocabulary both adapters use:

* ``_client_options()`` — the model's keyword arguments for the core clients (each model says
  which of its fields);
* ``_sync_core()`` / ``_async_core()`` — the client, built on first use;
* ``_client`` / ``_async_client`` — the private attributes holding them. LangChain pickles
  restore private attributes by name (pydantic's ``__setstate__``), so these two names are
  part of the pickles the adapters have written and stay as they are;
* ``_shared_pools`` — the attributes holding the caller's sync and async httpx pools, in that
  order (shared by a deep copy, see :class:`TravellingModel`).

Pickles and copies leave the clients behind (``_travel.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import PrivateAttr

from ._travel import TravellingModel

if TYPE_CHECKING:
    from aimlapi_core._async_client import AsyncAIMLAPIClient
    from aimlapi_core._client import AIMLAPIClient

__all__ = ["CoreClients"]


class CoreClients(TravellingModel):
    """Mixin: lazily built core clients, ``close()`` / ``aclose()``."""

    _client: AIMLAPIClient | None = PrivateAttr(default=None)
    _async_client: AsyncAIMLAPIClient | None = PrivateAttr(default=None)

    def _client_options(self) -> dict[str, Any]:
        """Keyword arguments of the core clients (each model says which of its fields)."""
        raise NotImplementedError

    # Both lookups run on every call. They read the private attribute from
    # ``__pydantic_private__`` (always a dict here: the model has private attributes) because
    # ``self._client`` goes through pydantic's ``__getattr__`` after a failed lookup along a
    # long MRO (figures in benchmarks/results/adapter_micro_timings.md).

    def _sync_core(self) -> AIMLAPIClient:
        client: AIMLAPIClient | None = self.__pydantic_private__["_client"]  # type: ignore[index]
        if client is None:
            from aimlapi_core import AIMLAPIClient

            pool = getattr(self, self._shared_pools[0]) if self._shared_pools else None
            client = self._client = AIMLAPIClient(**self._client_options(), http_client=pool)
        return client

    def _async_core(self) -> AsyncAIMLAPIClient:
        # One client for every event loop: scripts that call asyncio.run() more than once
        # (common with LlamaIndex workflows) get a new loop each time, and the core client
        # reopens its own pool in the new loop (aimlapi_core/_async_client.py).
        client: AsyncAIMLAPIClient | None = self.__pydantic_private__["_async_client"]  # type: ignore[index]
        if client is None:
            from aimlapi_core import AsyncAIMLAPIClient

            pool = getattr(self, self._shared_pools[1]) if self._shared_pools else None
            client = self._async_client = AsyncAIMLAPIClient(
                **self._client_options(), http_client=pool
            )
        return client

    def close(self) -> None:
        """Close the pooled sync connections (a pool passed in is left to its owner)."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the pooled async connections (a pool passed in is left to its owner)."""
        if self._async_client is not None:
            await self._async_client.close()
            self._async_client = None
