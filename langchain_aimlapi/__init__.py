"""LangChain integration for the AI/ML API's Claude models."""

from langchain_aimlapi.chat_models import ChatAIMLAPI, ChatAimlapi

__all__ = ["ChatAIMLAPI", "ChatAimlapi"]
