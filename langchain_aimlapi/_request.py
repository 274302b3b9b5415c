"""``ChatAIMLAPI``'s per-call request: LangChain messages and ``invoke`` keyword arguments
over the model's fields, as one neutral :class:`aimlapi_core.ChatRequest`.

The :class:`CallRequests` mixin, which ``ChatAIMLAPI`` (defined in ``chat_models.py``) puts
before ``BaseChatModel``. Every input error (an unknown keyword, a tool choice naming no tool, a
forced choice with thinking on) is raised here, before any I/O; the message conversion is
``_convert.py``, the tools ``_tools.py``, a ``response_format``'s answer tool ``_structured.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage

import aimlapi_core as t
from aimlapi_core.adapter import reject_unknown, rules

from . import _convert, _tools

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from ._structured import AnswerTool

    _Base = BaseChatModel
else:  # a plain mixin at run time: ChatAIMLAPI puts BaseChatModel after it in its bases
    _Base = object

__all__ = ["CallRequests"]

# Per-call keyword arguments that override a constructor field of the same meaning.
_CALL_OVERRIDES = ("max_tokens", "temperature", "top_p", "top_k")


class CallRequests(_Base):
    """Mixin: ``_request``, the neutral request of one call, for a model with ChatAIMLAPI's
    fields."""

    if TYPE_CHECKING:  # ChatAIMLAPI's fields
        model: str
        max_tokens: int
        temperature: float | None
        top_p: float | None
        top_k: int | None
        stop: list[str] | None
        prompt_caching: str | dict[str, Any] | None
        model_kwargs: dict[str, Any]

        @property
        def thinking_setting(self) -> rules.ThinkingSetting: ...

    def _request(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        answer: AnswerTool | None = None,
    ) -> t.ChatRequest:
        kwargs = dict(kwargs)
        kwargs.pop("stream", None)
        kwargs.pop("stream_usage", None)
        kwargs.pop("response_format", None)  # the answer tool (_structured.answer_tool)
        kwargs.pop("tool_call_required", None)  # checked on the reply (_structured.py)
        model = kwargs.pop("model", None) or self.model
        overrides = {name: kwargs.pop(name) for name in _CALL_OVERRIDES if name in kwargs}
        cache_control = kwargs.pop("cache_control", None)
        caching = rules.prompt_caching_setting(kwargs.pop("prompt_caching", self.prompt_caching))
        system, turns = _convert.to_core_messages(messages)
        if cache_control is not None:
            _convert.cache_last_block(turns, cache_control)
        if instruction := kwargs.pop("structured_output_instruction", None):
            system.append(t.TextPart(text=instruction))
        thinking = self.thinking_setting
        tools = [
            _tools.spec_from_dict(_tools.to_tool_dict(x)) for x in kwargs.pop("tools", None) or []
        ]
        choice = rules.with_parallel(
            rules.parse_tool_choice(kwargs.pop("tool_choice", None)),
            kwargs.pop("parallel_tool_calls", None),
        )
        if answer is not None:
            choice, instruction = answer.offer(tools, choice, thinking=thinking.on)
            if instruction:
                system.append(t.TextPart(text=instruction))
        # Any spelling, per call or bound, checked here against the tools and thinking (as
        # AIMLAPI._request does): every input error before any I/O.
        choice = rules.check_tool_choice(
            choice, [tool.name for tool in tools], thinking=thinking.on
        )
        if kwargs:  # anything left is unknown
            reject_unknown(
                "ChatAIMLAPI.invoke",
                kwargs,
                (
                    *_CALL_OVERRIDES,
                    "model",
                    "tools",
                    "tool_choice",
                    "parallel_tool_calls",
                    "cache_control",
                    "prompt_caching",
                ),
                passthrough="model_kwargs={...} on the model",
            )
        return t.ChatRequest(
            model=model,
            messages=turns,
            system=system,
            max_tokens=overrides.get("max_tokens", self.max_tokens),
            temperature=overrides.get("temperature", self.temperature),
            top_p=overrides.get("top_p", self.top_p),
            top_k=overrides.get("top_k", self.top_k),
            stop_sequences=list(stop if stop is not None else self.stop or []),
            tools=tools,
            tool_choice=choice,
            **thinking.request_fields(),
            prompt_caching=caching,
            extra_body=dict(self.model_kwargs) or None,
        )
