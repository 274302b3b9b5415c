"""``ChatAIMLAPI``'s token counts: local estimates, with nothing to download.

The :class:`TokenEstimates` mixin, which ``ChatAIMLAPI`` (defined in ``chat_models.py``) puts
before ``BaseChatModel``: LangChain's ``get_num_tokens`` / ``get_num_tokens_from_messages`` /
``get_token_ids`` over :mod:`aimlapi_core.tokens`, the estimate LlamaIndex's tokenizer hook
(``llama_index_aimlapi/_tokens.py``) uses too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage

import aimlapi_core as t
from aimlapi_core import tokens

from . import _convert, _tools

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    _Base = BaseChatModel
else:  # a plain mixin at run time: ChatAIMLAPI puts BaseChatModel after it in its bases
    _Base = object

__all__ = ["TokenEstimates"]


class TokenEstimates(_Base):
    """Mixin: Claude token estimates for a model with a ``model`` field."""

    if TYPE_CHECKING:  # ChatAIMLAPI's field
        model: str

    def get_num_tokens(self, text: str) -> int:
        """Estimated tokens in ``text``, without downloading a tokenizer.

        Claude's tokenizer is not published: this is ``aimlapi_core.tokens``' estimate (about
        3.5 characters a token). ``usage_metadata`` on a reply is the real count.
        """
        return tokens.estimate_text_tokens(text)

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Estimated input tokens for ``messages`` (and ``tools``), counting text, images,
        documents, tool calls and results, thinking and the tool-use prompt.

        An estimate (see :mod:`aimlapi_core.tokens`), computed locally: no request, no
        download, no ``transformers``. Works as ``trim_messages(..., token_counter=llm)``.

        Example:
            .. code-block:: python

                from langchain_core.messages import HumanMessage, trim_messages

                llm.get_num_tokens_from_messages([HumanMessage("Hello!")])  # 6
                trim_messages(history, max_tokens=1000, token_counter=llm)
        """
        system, turns = _convert.to_core_messages(messages, require_turns=False)
        specs = [_tools.spec_from_dict(_tools.to_tool_dict(x)) for x in tools or ()]
        request = t.ChatRequest(
            model=self.model, messages=turns, system=system, max_tokens=1, tools=specs
        )
        return tokens.estimate_request_tokens(request)

    def get_token_ids(self, text: str) -> list[int]:
        """Not available: Claude's tokenizer is not published (use ``get_num_tokens``)."""
        raise NotImplementedError(
            "Claude's tokenizer is not published, so there are no token ids; "
            "get_num_tokens() and get_num_tokens_from_messages() give estimates"
        )
