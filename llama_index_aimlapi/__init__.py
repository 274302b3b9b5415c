"""LlamaIndex integration for the AI/ML API: Claude models and embedding models.

The embedding model is loaded on first use (PEP 562 ``__getattr__``): an LLM needs none of it.
``from llama_index_aimlapi import AIMLAPIEmbedding``, ``dir()`` and ``__all__`` work as before;
type checkers read the ``TYPE_CHECKING`` import.
"""

from typing import TYPE_CHECKING

from aimlapi_core.adapter import lazy_attributes
from llama_index_aimlapi._batch import AIMLAPIBatch
from llama_index_aimlapi.base import AIMLAPI

if TYPE_CHECKING:
    from llama_index_aimlapi.embeddings import AIMLAPIEmbedding

__all__ = ["AIMLAPI", "AIMLAPIBatch", "AIMLAPIEmbedding"]

# name -> the module that defines it, imported on first access.
_LAZY = {"AIMLAPIEmbedding": "llama_index_aimlapi.embeddings"}


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)
