"""LangChain integration for the AI/ML API: Claude chat models and embedding models."""

from langchain_aimlapi._conflict import warn_if_old_distribution_installed

warn_if_old_distribution_installed()  # first, before anything that may be the old package's

from aimlapi_core import __version__  # noqa: E402
from langchain_aimlapi._batch import AIMLAPIBatch  # noqa: E402
from langchain_aimlapi.chat_models import ChatAIMLAPI, ChatAimlapi  # noqa: E402
from langchain_aimlapi.embeddings import AIMLAPIEmbeddings, AimlapiEmbeddings  # noqa: E402

__all__ = [
    "AIMLAPIBatch",
    "AIMLAPIEmbeddings",
    "AimlapiEmbeddings",
    "ChatAIMLAPI",
    "ChatAimlapi",
    "__version__",
]
