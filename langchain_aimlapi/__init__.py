"""LangChain integration for the AI/ML API: Claude chat models and embedding models."""

from langchain_aimlapi._batch import AIMLAPIBatch
from langchain_aimlapi.chat_models import ChatAIMLAPI, ChatAimlapi
from langchain_aimlapi.embeddings import AIMLAPIEmbeddings, AimlapiEmbeddings

__all__ = ["AIMLAPIBatch", "AIMLAPIEmbeddings", "AimlapiEmbeddings", "ChatAIMLAPI", "ChatAimlapi"]
