"""The core clients behind both LangChain models (``ChatAIMLAPI``, ``AIMLAPIEmbeddings``).

:class:`aimlapi_core.adapter.CoreClients`, with the pools passed in as the public fields
``http_client`` / ``http_async_client``. ``aclose()`` closes both pooled clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aimlapi_core.adapter import CoreClients as _CoreClients
from aimlapi_core.adapter import redact_headers

__all__ = ["CoreClients"]


class CoreClients(_CoreClients):
    """Mixin: lazily built core clients, ``close()`` / ``aclose()``."""

    if TYPE_CHECKING:  # pydantic fields of the models that use this mixin
        http_client: Any
        http_async_client: Any

    _shared_pools = ("http_client", "http_async_client")

    def to_json(self) -> Any:
        """LangChain's serialized form, with the credentials of ``default_headers`` redacted."""
        serialized = super().to_json()  # type: ignore[misc]  # Serializable, later in the MRO
        kwargs = serialized.get("kwargs")
        if isinstance(kwargs, dict) and kwargs.get("default_headers"):
            kwargs["default_headers"] = redact_headers(kwargs["default_headers"])
        return serialized

    async def aclose(self) -> None:
        """Close both pooled clients (clients passed in are left to their owner)."""
        self.close()
        await super().aclose()
