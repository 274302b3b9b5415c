"""LlamaIndex integration for the AI/ML API: Claude models and embedding models."""

from llama_index_aimlapi._batch import AIMLAPIBatch
from llama_index_aimlapi.base import AIMLAPI
from llama_index_aimlapi.embeddings import AIMLAPIEmbedding

__all__ = ["AIMLAPI", "AIMLAPIBatch", "AIMLAPIEmbedding"]
