"""``ChatAIMLAPI.bind_tools`` and ``with_structured_output``: tools, and structured answers
through one tool.

Both are the :class:`ToolCalling` mixin, which ``ChatAIMLAPI`` (defined, serialized and pickled
in ``chat_models.py``) puts before ``BaseChatModel``; the tool conversions are ``_tools.py``,
tool choice the core's rule (``aimlapi_core/_rules/tools.py``).

The API has no ``response_format`` (docs/wire.md), so every method goes through a tool whose input
schema is the requested schema. The tool is forced, except with extended thinking on, where the
API refuses forced tool use (docs/wire.md "Thinking"): then it is offered
with an instruction in the system prompt, and a reply that ignores it raises
``OutputParserException`` instead of parsing to nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.utils.pydantic import is_basemodel_subclass

from aimlapi_core.adapter import rules

from . import _tools

if TYPE_CHECKING:
    from langchain_core.language_models import LanguageModelInput
    from langchain_core.language_models.chat_models import BaseChatModel

    _Base = BaseChatModel
else:  # a plain mixin at run time: ChatAIMLAPI puts BaseChatModel after it in its bases
    _Base = object

__all__ = ["ToolCalling"]

Method = Literal["function_calling", "json_schema", "json_mode"]


def _any_json_object() -> dict[str, Any]:
    """json_mode's schema when none is given: any JSON object, still through a tool (the only
    structured channel). Built fresh per call: it is also handed to tracing, which may keep it."""
    return {
        "title": "json_response",
        "description": "Return the answer as a JSON object.",
        "type": "object",
        "properties": {},
        "additionalProperties": True,
    }


class ToolCalling(_Base):
    """Mixin of :class:`~langchain_aimlapi.ChatAIMLAPI`: ``bind_tools`` and
    ``with_structured_output``, for a model with a ``thinking_setting``."""

    if TYPE_CHECKING:  # ChatAIMLAPI's

        @property
        def thinking_setting(self) -> rules.ThinkingSetting: ...

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: Any = None,
        parallel_tool_calls: bool | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Offer tools: Pydantic v1/v2 models, TypedDicts, functions, ``BaseTool``, OpenAI- or
        Anthropic-format dicts.

        Args:
            tools: the tools.
            tool_choice: ``"auto"``, ``"any"``, ``"required"``/``True`` (= any), ``"none"``, a
                tool name, or a dict (``{"type": "tool", "name": ...}`` or OpenAI's form).
            parallel_tool_calls: ``False`` asks for at most one tool call per turn.
            strict: accepted for compatibility; the Claude tool format has no strict flag.

        Raises:
            UnsupportedContentError: a tool whose name or schema the API cannot take (named).
            InvalidRequestError: a choice naming a tool not offered, or a
                forced tool choice while thinking is on (the API refuses it).
        """
        formatted = [_tools.to_tool_dict(tool, strict=strict) for tool in tools]
        # Repeated names are refused per call, by the encoder: LangChain's standard tests bind
        # one schema under two spellings without ever invoking.
        choice = rules.resolve_tool_choice(
            tool_choice,
            [x["name"] for x in formatted],
            thinking=self.thinking_setting.on,
            parallel=parallel_tool_calls,
        )
        if choice is not None:
            kwargs["tool_choice"] = rules.tool_choice_dict(choice)
        return self.bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: Any = None,
        *,
        method: Method = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Answers shaped by ``schema`` (Pydantic v1/v2 class, TypedDict, or JSON schema dict).

        The API has no ``response_format`` (docs/wire.md), so every method goes through a tool
        whose input schema is ``schema``: ``function_calling`` and ``json_schema`` name it after
        the schema, ``json_mode`` accepts ``schema=None`` (any JSON object). The tool is forced,
        except with thinking on, where the API refuses forced tool use: then it is offered with
        an instruction, and a reply that ignores it raises ``OutputParserException``.
        """
        if kwargs:
            raise ValueError(f"unexpected arguments {sorted(kwargs)}")
        if method not in ("function_calling", "json_schema", "json_mode"):
            raise ValueError(
                f"method must be 'function_calling', 'json_schema' or 'json_mode', got {method!r}"
            )
        if schema is None:
            if method != "json_mode":
                raise ValueError(f"method={method!r} needs a schema")
            schema = _any_json_object()
        tool = _tools.to_tool_dict(schema, strict=strict)
        name = tool["name"]
        ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        parser: Runnable[Any, Any] = structured_output_parser(schema, name)
        if self.thinking_setting.on:
            llm = self.bind_tools(
                [tool],
                tool_choice="auto",
                ls_structured_output_format=ls_format,
                structured_output_instruction=structured_output_instruction(name),
            )
            parser = RunnableLambda(require_tool_call(name)) | parser
        else:
            llm = self.bind_tools([tool], tool_choice=name, ls_structured_output_format=ls_format)
        if not include_raw:
            return llm | parser
        with_parsed = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        without = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | with_parsed.with_fallbacks(
            [without], exception_key="parsing_error"
        )


def structured_output_parser(schema: Any, tool_name: str) -> Any:
    """The parser that reads the structured result from the first call of ``tool_name``."""
    if isinstance(schema, type) and is_basemodel_subclass(schema):
        return PydanticToolsParser(tools=[schema], first_tool_only=True)
    return JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)


def structured_output_instruction(tool_name: str) -> str:
    return (
        f"Answer by calling the tool `{tool_name}` exactly once, with arguments that match its "
        "schema. Do not answer in plain text."
    )


def require_tool_call(tool_name: str) -> Callable[[AIMessage], AIMessage]:
    """With thinking on the tool cannot be forced; refuse a reply that did not call it."""

    def check(message: AIMessage) -> AIMessage:
        if not any(call["name"] == tool_name for call in message.tool_calls):
            raise OutputParserException(
                f"the model did not call the structured-output tool {tool_name!r}. With "
                "extended thinking on, the API refuses a forced tool choice, so the tool was "
                "offered with an instruction instead and the model answered in text. Retry, "
                "or turn thinking off for structured output.",
                llm_output=message.text,
            )
        return message

    return check
