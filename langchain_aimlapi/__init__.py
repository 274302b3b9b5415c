"""LangChain integration for the AI/ML API: Claude chat models and embedding models.

The embedding models are loaded on first use (PEP 562 ``__getattr__``): a chat model needs
none of them. ``from langchain_aimlapi import AIMLAPIEmbeddings``, ``dir()`` and ``__all__``
work as before; type checkers read the ``TYPE_CHECKING`` import.
"""

from langchain_aimlapi._conflict import warn_if_old_distribution_installed

warn_if_old_distribution_installed()  # first, before anything that may be the old package's

from typing import TYPE_CHECKING  # noqa: E402

from aimlapi_core import __version__  # noqa: E402
from aimlapi_core.adapter import lazy_attributes  # noqa: E402
from langchain_aimlapi._batch import AIMLAPIBatch  # noqa: E402
from langchain_aimlapi.chat_models import ChatAIMLAPI, ChatAimlapi  # noqa: E402

if TYPE_CHECKING:
    from langchain_aimlapi.embeddings import AIMLAPIEmbeddings, AimlapiEmbeddings

__all__ = [
    "AIMLAPIBatch",
    "AIMLAPIEmbeddings",
    "AimlapiEmbeddings",
    "ChatAIMLAPI",
    "ChatAimlapi",
    "__version__",
]

# name -> the module that defines it, imported on first access.
_LAZY = {
    "AIMLAPIEmbeddings": "langchain_aimlapi.embeddings",
    "AimlapiEmbeddings": "langchain_aimlapi.embeddings",
}


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)
