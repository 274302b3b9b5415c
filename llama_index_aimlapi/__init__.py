"""LlamaIndex integration for the AI/ML API's Claude models."""

from llama_index_aimlapi._batch import AIMLAPIBatch
from llama_index_aimlapi.base import AIMLAPI

__all__ = ["AIMLAPI", "AIMLAPIBatch"]
