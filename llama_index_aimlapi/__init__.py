"""LlamaIndex integration for the AI/ML API: Claude models and embedding models.

The embedding model is loaded on first use (PEP 562 ``__getattr__``): an LLM needs none of it.
``from llama_index_aimlapi import AIMLAPIEmbedding``, ``dir()`` and ``__all__`` work as before;
type checkers read the ``TYPE_CHECKING`` import.
"""

import importlib
from typing import TYPE_CHECKING, Any

from llama_index_aimlapi._batch import AIMLAPIBatch
from llama_index_aimlapi.base import AIMLAPI

if TYPE_CHECKING:
    from llama_index_aimlapi.embeddings import AIMLAPIEmbedding

__all__ = ["AIMLAPI", "AIMLAPIBatch", "AIMLAPIEmbedding"]

# name -> the module that defines it, imported on first access.
_LAZY = {"AIMLAPIEmbedding": "llama_index_aimlapi.embeddings"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
