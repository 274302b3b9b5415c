"""Agent middleware for ``ChatAIMLAPI``: prompt caching for LangChain's ``create_agent``.

:class:`AIMLAPIPromptCachingMiddleware` takes the constructor of langchain-anthropic's
``AnthropicPromptCachingMiddleware`` and, like it, marks each model call through
``model_settings``; where the breakpoints go (the last tool, the system prompt, the conversation
tail, at most four, none on a prefix too short to cache) is the core's placement
(``aimlapi_core/_caching.py``, docs/caching.md), the same as ``prompt_caching="auto"`` on the model.
Because the marking travels in ``model_settings``, a ``ModelFallbackMiddleware`` falling back to
another ``ChatAIMLAPI`` keeps it (listed before the fallback, the middleware judges the primary
model; after it, each model tried: tests/e2e/test_prompt_caching_agents.py).

This module needs the ``langchain`` package (``pip install "aimlapi-integrations[agents]"``);
``import langchain_aimlapi`` does not import it.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from aimlapi_core import CacheTTL, UnsupportedBehavior
from aimlapi_core.adapter import rules
from aimlapi_core.errors import InvalidRequestError

from .chat_models import ChatAIMLAPI

try:
    from langchain.agents.middleware.types import (
        AgentMiddleware,
        ModelCallResult,
        ModelRequest,
        ModelResponse,
    )
except ImportError as exc:  # pragma: no cover - the extra brings it
    raise ImportError(
        "langchain_aimlapi.middleware needs the 'langchain' package (agent middleware): "
        'pip install "aimlapi-integrations[agents]"'
    ) from exc

__all__ = ["AIMLAPIPromptCachingMiddleware"]


class AIMLAPIPromptCachingMiddleware(AgentMiddleware):
    """Cache what an agent repeats on every turn: tools, instructions, the history so far.

    Example:
        .. code-block:: python

            from langchain.agents import create_agent
            from langchain_aimlapi import ChatAIMLAPI
            from langchain_aimlapi.middleware import AIMLAPIPromptCachingMiddleware

            agent = create_agent(
                ChatAIMLAPI(api="messages"),
                tools,
                system_prompt=instructions,
                middleware=[AIMLAPIPromptCachingMiddleware(ttl="5m")],
            )

    Args:
        type: the cache type; only ``"ephemeral"`` exists.
        ttl: how long an unread cache entry lives: ``"5m"`` or ``"1h"`` (a 1-hour write costs
            2x the input price instead of 1.25x).
        min_messages_to_cache: mark no call with fewer messages (the system prompt counts).
        unsupported_model_behavior: what to do for a model that is not a ``ChatAIMLAPI``, or
            one whose schema takes no ``cache_control`` on its endpoint (the 4.x models on
            ``/chat/completions``): ``"ignore"``, ``"warn"`` (once) or ``"raise"``; the call
            then goes out without breakpoints (unless it raised).

    Raises:
        InvalidRequestError: a value outside those listed (at construction).
    """

    def __init__(
        self,
        type: Literal["ephemeral"] = "ephemeral",  # the Anthropic middleware's name
        ttl: CacheTTL = "5m",
        min_messages_to_cache: int = 0,
        unsupported_model_behavior: UnsupportedBehavior = "warn",
    ) -> None:
        if type != "ephemeral":
            raise InvalidRequestError(
                f"type must be 'ephemeral' (the only cache type), got {type!r}"
            )
        if isinstance(min_messages_to_cache, bool) or not isinstance(min_messages_to_cache, int):
            raise InvalidRequestError(
                f"min_messages_to_cache must be an int, got {min_messages_to_cache!r}"
            )
        if min_messages_to_cache < 0:
            raise InvalidRequestError(
                f"min_messages_to_cache must be 0 or more, got {min_messages_to_cache}"
            )
        self.type = type
        self.ttl = ttl
        self.min_messages_to_cache = min_messages_to_cache
        self.unsupported_model_behavior = unsupported_model_behavior
        # The core's reader checks ttl and the behavior, with the model option's words.
        rules.prompt_caching_setting(self._setting)

    @property
    def _setting(self) -> dict[str, Any]:
        return {
            "type": "auto",
            "ttl": self.ttl,
            "unsupported_model_behavior": self.unsupported_model_behavior,
        }

    def _should_apply(self, request: ModelRequest) -> bool:
        if not isinstance(request.model, ChatAIMLAPI):
            message = (
                "AIMLAPIPromptCachingMiddleware marks ChatAIMLAPI models only, not "
                f"{type(request.model).__name__}; this call goes out without cache breakpoints"
            )
            if self.unsupported_model_behavior == "raise":
                raise InvalidRequestError(message)
            if self.unsupported_model_behavior == "warn":
                warnings.warn(message, UserWarning, stacklevel=3)
            return False
        count = len(request.messages) + (1 if request.system_message is not None else 0)
        return count >= self.min_messages_to_cache

    def _apply(self, request: ModelRequest) -> ModelRequest:
        settings = {**request.model_settings, "prompt_caching": self._setting}
        return request.override(model_settings=settings)

    def wrap_model_call(
        self,
        request: ModelRequest,
        handler: Callable[[ModelRequest], ModelResponse],
    ) -> ModelCallResult:
        """Mark the call (``model_settings["prompt_caching"]``) and hand it on."""
        return handler(self._apply(request) if self._should_apply(request) else request)

    async def awrap_model_call(
        self,
        request: ModelRequest,
        handler: Callable[[ModelRequest], Awaitable[ModelResponse]],
    ) -> ModelCallResult:
        """Async :meth:`wrap_model_call`."""
        return await handler(self._apply(request) if self._should_apply(request) else request)
