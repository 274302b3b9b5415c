"""The core clients behind both LlamaIndex models (``AIMLAPI``, ``AIMLAPIEmbedding``).

:class:`aimlapi_core.adapter.CoreClients`, with the key and the pools passed in held as private
attributes: LlamaIndex's ``__setstate__`` re-runs ``__init__`` with the public fields only, so
those three are put back from the pickle by name (``_restored_private``) and keep their names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llama_index.core.bridge.pydantic import PrivateAttr, SecretStr

from aimlapi_core.adapter import CoreClients as _CoreClients

if TYPE_CHECKING:
    import httpx

__all__ = ["CoreClients"]


class CoreClients(_CoreClients):
    """Mixin: the key, the pools passed in, lazily built core clients, ``close()`` /
    ``aclose()``."""

    _api_key: SecretStr | None = PrivateAttr(default=None)
    _http_client: httpx.Client | None = PrivateAttr(default=None)
    _async_http_client: httpx.AsyncClient | None = PrivateAttr(default=None)
    _shared_pools = ("_http_client", "_async_http_client")
    _restored_private = ("_api_key", "_http_client", "_async_http_client")
