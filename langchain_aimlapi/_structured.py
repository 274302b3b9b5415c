"""``ChatAIMLAPI.bind_tools`` and ``with_structured_output``: tools, and structured answers
through one tool.

Both are the :class:`ToolCalling` mixin, which ``ChatAIMLAPI`` (defined, serialized and pickled
in ``chat_models.py``) puts before ``BaseChatModel``; the tool conversions are ``_tools.py``,
tool choice the core's rule (``aimlapi_core/_rules/tools.py``).

The API has no ``response_format`` and no schema lists ``output_format`` / ``output_config``
(docs/wire.md "Structured output"), so every structured answer goes through a tool whose input
schema is the requested schema. The tool is forced, except with extended thinking on, where the
API refuses forced tool use (docs/wire.md "Thinking"): then it is offered with an instruction in
the system prompt, and a reply that ignores it raises ``OutputParserException`` instead of
parsing to nothing. The same resolution applies to any forced choice bound while thinking is on
(``create_agent``'s ``ToolStrategy`` binds ``tool_choice="any"``), said once in the log. A
``response_format`` (``create_agent``'s ``ProviderStrategy``) is served by such a tool too, and
the tool's input comes back as the answer's text (:class:`AnswerTool`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
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

import aimlapi_core as t
from aimlapi_core.adapter import rules

from . import _results, _tools

if TYPE_CHECKING:
    from langchain_core.language_models import LanguageModelInput
    from langchain_core.language_models.chat_models import BaseChatModel

    _Base = BaseChatModel
else:  # a plain mixin at run time: ChatAIMLAPI puts BaseChatModel after it in its bases
    _Base = object

__all__ = [
    "AnswerTool",
    "ToolCalling",
    "aanswer_events",
    "answer_events",
    "answer_tool",
    "answered",
]


Method = Literal["function_calling", "json_schema", "json_mode"]


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
            tools: the tools. Per-tool fields travel: an Anthropic dict's ``cache_control``,
                ``strict``, ``eager_input_streaming``, ``defer_loading``, ``input_examples``,
                ``allowed_callers``, and the same keys in a ``BaseTool``'s ``extras``.
            tool_choice: ``"auto"``, ``"any"``, ``"required"``/``True`` (= any), ``"none"``, a
                tool name, or a dict (``{"type": "tool", "name": ...}`` or OpenAI's form). With
                thinking on, a forced choice (which the API refuses) becomes ``auto`` plus an
                instruction to call the tool(s), and a reply without a tool call raises
                ``OutputParserException``; the log says so once.
            parallel_tool_calls: ``False`` asks for at most one tool call per turn.
            strict: sent as every tool's ``strict`` flag (the newer schemas list it; a model
                whose schema lacks it refuses it before any request), and LangChain closes
                the schema with ``additionalProperties: false``.
            kwargs: bound as per-call arguments; ``response_format`` (what ``create_agent``'s
                ``ProviderStrategy`` binds) is answered through a tool (:class:`AnswerTool`).

        Raises:
            UnsupportedContentError: a tool whose name or schema the API cannot take (named).
            InvalidRequestError: a choice naming a tool not offered.
        """
        formatted = [_tools.to_tool_dict(tool, strict=strict) for tool in tools]
        names = [x["name"] for x in formatted]
        thinking = self.thinking_setting.on
        choice = rules.with_parallel(rules.parse_tool_choice(tool_choice), parallel_tool_calls)
        # The API refuses a forced choice while thinking is on; resolve it as
        # with_structured_output does: offered, asked for, and required.
        choice, required = rules.unforced_with_thinking(choice, names, thinking=thinking)
        if required:
            kwargs["structured_output_instruction"] = rules.call_instruction(required)
            kwargs["tool_call_required"] = required
        # Repeated names are refused per call, by the encoder: LangChain's standard tests bind
        # one schema under two spellings without ever invoking.
        choice = rules.check_tool_choice(choice, names, thinking=thinking)
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
            schema = _tools.any_json_object()
        tool = _tools.to_tool_dict(schema, strict=strict)
        name = tool["name"]
        ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
        parser: Runnable[Any, Any] = structured_output_parser(schema, name)
        llm = self.bind_tools([tool], tool_choice=name, ls_structured_output_format=ls_format)
        if self.thinking_setting.on:  # unforced (bind_tools): the reply must still call it
            parser = RunnableLambda(require_tool_call(name)) | parser
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


def check_required_call(message: AIMessage, required: Sequence[str] | None) -> AIMessage:
    """A reply to a forced choice resolved under thinking must call one of ``required``."""
    if required and not any(call["name"] in required for call in message.tool_calls):
        raise OutputParserException(
            f"the model did not call any of the tools {', '.join(required)} that tool_choice "
            "forced. With extended thinking on, the API refuses a forced tool choice, so the "
            "tools were offered with an instruction instead and the model answered in text. "
            "Retry, or turn thinking off.",
            llm_output=message.text,
        )
    return message


@dataclass
class AnswerTool:
    """A ``response_format`` answered through a tool (docs/wire.md "Structured output").

    The tool whose input schema is the format's schema is offered with the request's tools:
    forced when it is the only one and thinking is off, else asked for in the system prompt.
    When the reply calls it, the call's input is the answer's text (its JSON) and the model's
    own words around the call ("I'll fill in the report.") are not part of it, whole or
    streamed (streamed text is held until the reply shows whether it calls the tool). So
    LangChain's ``ProviderStrategy`` parses JSON, never prose or a code fence around it.
    """

    tool: dict[str, Any]
    _indexes: set[int] = field(default_factory=set)
    _held: list[t.TextDelta] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.tool["name"])

    def offer(
        self,
        tools: list[t.ToolSpec | t.ServerToolSpec],
        choice: t.ToolChoice | None,
        *,
        thinking: bool,
    ) -> tuple[t.ToolChoice | None, str | None]:
        """Add the tool to ``tools``; the choice to send and the instruction, if any."""
        alone = not tools and choice is None
        tools.append(_tools.spec_from_dict(self.tool))
        if alone and not thinking:
            return t.ToolChoice(type="tool", name=self.name), None
        instruction = (
            f"When you have the final answer, give it by calling the tool `{self.name}` with "
            "arguments that match its schema. Do not write the answer in plain text."
        )
        return choice, instruction

    def result(self, result: t.ChatResult) -> t.ChatResult:
        """The call of the tool as the answer's text, the model's own text left out."""
        if not any(isinstance(p, t.ToolCallPart) and p.name == self.name for p in result.parts):
            return result
        parts: list[t.Part] = [
            t.TextPart(text=json.dumps(p.arguments, ensure_ascii=False))
            if isinstance(p, t.ToolCallPart) and p.name == self.name
            else p
            for p in result.parts
            if not isinstance(p, t.TextPart)
        ]
        calls = any(isinstance(p, t.ToolCallPart) for p in parts)
        stop = result.stop_reason if calls or result.stop_reason != "tool_use" else "end_turn"
        return replace(result, parts=parts, stop_reason=stop)

    def event(self, event: t.StreamEvent) -> t.StreamEvent | None:
        """A streamed piece of the tool's input as a piece of the answer's text; the model's
        own text is held (:meth:`held`)."""
        if isinstance(event, t.TextDelta):
            self._held.append(event)
            return None
        if not isinstance(event, t.ToolCallDelta):
            return event
        if event.name == self.name:
            self._indexes.add(event.index)
        if event.index not in self._indexes:
            return event
        return t.TextDelta(index=event.index, text=event.arguments) if event.arguments else None

    def held(self) -> list[t.TextDelta]:
        """At the end of a stream: the model's own text, when it is the answer (the reply did
        not call the tool); nothing when it did."""
        held, self._held = ([] if self._indexes else self._held), []
        return held


# --------------------------------------------------------------------------- answers, per call


def answer_tool(kwargs: dict[str, Any]) -> AnswerTool | None:
    """A call's ``response_format`` (``create_agent``'s ProviderStrategy) served through a tool."""
    response_format = kwargs.get("response_format")
    if response_format is None:
        return None
    return AnswerTool(_tools.response_format_tool(response_format))


def answered(
    result: t.ChatResult, model: str, kwargs: dict[str, Any], answer: AnswerTool | None
) -> tuple[t.ChatResult, AIMessage]:
    """The result as the caller gets it (a response_format's answer tool read back) and its
    message, refused when a required tool call is missing (:func:`check_required_call`): one
    reading for whole replies and for the final result of a stream."""
    if answer is not None:
        result = answer.result(result)
    message = _results.to_ai_message(result, model)
    check_required_call(message, kwargs.get("tool_call_required"))
    return result, message


def answer_events(
    events: Iterator[t.StreamEvent], answer: AnswerTool | None
) -> Iterator[t.StreamEvent]:
    """A stream's events with the answer tool's input as text (:meth:`AnswerTool.event`)."""
    if answer is None:
        yield from events
        return
    for raw in events:
        if (event := answer.event(raw)) is not None:
            yield event
    yield from answer.held()


async def aanswer_events(
    events: AsyncIterator[t.StreamEvent], answer: AnswerTool | None
) -> AsyncIterator[t.StreamEvent]:
    """:func:`answer_events` of an async stream."""
    async for raw in events:
        if (event := answer.event(raw) if answer is not None else raw) is not None:
            yield event
    for event in answer.held() if answer is not None else ():
        yield event
