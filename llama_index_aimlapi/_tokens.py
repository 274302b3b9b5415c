"""LlamaIndex's tokenizer hook for Claude: an estimate, with nothing to download."""

from __future__ import annotations

from typing import Any

from aimlapi_core.tokens import estimate_text_tokens


class ClaudeTokenEstimator:
    """A LlamaIndex ``Tokenizer`` (``encode``) and ``Callable[[str], list]`` for Claude.

    Claude's tokenizer is not published, so the "tokens" are placeholders: the list's *length*
    is :func:`aimlapi_core.tokens.estimate_text_tokens` (about 3.5 characters a token), which is
    all LlamaIndex reads (``TokenCountingHandler``, ``PromptHelper``, ``Settings.tokenizer``).
    The reply's ``raw["usage"]`` is the real count.

    Example:
        .. code-block:: python

            from llama_index.core import Settings
            from llama_index_aimlapi import AIMLAPI

            llm = AIMLAPI()
            Settings.tokenizer = llm.tokenizer
            len(llm.tokenizer("Hello, world!"))  # 4
    """

    def encode(self, text: str, *args: Any, **kwargs: Any) -> list[int]:
        return [0] * estimate_text_tokens(text)

    def __call__(self, text: str) -> list[int]:
        return self.encode(text)

    def __repr__(self) -> str:
        return "ClaudeTokenEstimator()"
