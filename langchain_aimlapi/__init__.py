"""LangChain integration for the AI/ML API's Claude models."""

from langchain_aimlapi._batch import AIMLAPIBatch
from langchain_aimlapi.chat_models import ChatAIMLAPI, ChatAimlapi

__all__ = ["AIMLAPIBatch", "ChatAIMLAPI", "ChatAimlapi"]
