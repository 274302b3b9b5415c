"""``AIMLAPI``'s ``FunctionCallingLLM`` surface: tools offered for one call, tool calls read
back from a (possibly streamed) response, and structured output that requires its tool on every
path.

A mixin of :class:`~llama_index_aimlapi.base.AIMLAPI`, which stays defined (and pickled) in
``base.py``; the chat and completion glue lives there, the tool conversions in ``_tools.py``.
Tool choice is the core's rule (``aimlapi_core/_rules/tools.py``), read as at every other entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.llms.llm import ToolSelection

from aimlapi_core import ToolChoice
from aimlapi_core.adapter import rules

from ._tools import TOOL_REQUIRED_HINT, to_tool_specs, tool_selections

if TYPE_CHECKING:
    from llama_index.core.llms.function_calling import FunctionCallingLLM
    from llama_index.core.tools.types import BaseTool

    _Base = FunctionCallingLLM
else:  # a plain mixin at run time: AIMLAPI puts FunctionCallingLLM after it in its bases
    _Base = object

__all__ = ["FunctionCalling"]

# Carries "a tool call is required" through FunctionCallingProgram.stream_call, which drops
# tool_required from the kwargs it forwards (llama-index-core program/function_program.py).
_TOOL_REQUIRED = "_aimlapi_tool_required"


class FunctionCalling(_Base):
    """Mixin: ``_prepare_chat_with_tools``, ``get_tool_calls_from_response`` and the streamed
    structured-output calls, for a model with a ``thinking`` field."""

    if TYPE_CHECKING:  # AIMLAPI's field
        thinking: dict[str, Any] | int | str | None

    # ------------------------------------------------------------------ structured output
    # LlamaIndex's streamed structured paths (stream_structured_predict, and so
    # as_structured_llm(...).stream_chat) call stream_chat_with_tools without tool_required,
    # unlike the whole path (FunctionCallingProgram.__call__): the tool was merely offered, a
    # model that chatted instead produced empty objects and no error. Both streamed
    # paths now require the tool exactly as the whole path does.

    def _structured_llm_kwargs(self, llm_kwargs: dict[str, Any] | None) -> dict[str, Any] | None:
        from llama_index.core.types import PydanticProgramMode

        if self.pydantic_program_mode != PydanticProgramMode.DEFAULT:
            return llm_kwargs  # another program; it does not go through our tools path
        if not self.metadata.is_function_calling_model:
            return llm_kwargs
        return {**(llm_kwargs or {}), _TOOL_REQUIRED: True}

    def _structured_stream_call(
        self,
        output_cls: Any,
        prompt: Any,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Any:
        return super()._structured_stream_call(
            output_cls, prompt, self._structured_llm_kwargs(llm_kwargs), **prompt_args
        )

    async def _structured_astream_call(
        self,
        output_cls: Any,
        prompt: Any,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Any:
        return await super()._structured_astream_call(
            output_cls, prompt, self._structured_llm_kwargs(llm_kwargs), **prompt_args
        )

    # ------------------------------------------------------------------ tools

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        tool_required = bool(kwargs.pop(_TOOL_REQUIRED, False)) or tool_required
        specs = to_tool_specs(tools)
        messages = list(chat_history or [])  # a new list: the caller's history is not touched
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        thinking = rules.thinking_setting(kwargs.get("thinking", self.thinking)).on
        if tool_choice is None and tool_required and specs:
            if thinking:
                # A forced choice is refused with thinking on (see _tools.TOOL_REQUIRED_HINT).
                messages.append(ChatMessage(role=MessageRole.SYSTEM, content=TOOL_REQUIRED_HINT))
            else:
                tool_choice = ToolChoice(type="any")
        names = [spec.name for spec in specs]
        choice = rules.with_parallel(
            rules.parse_tool_choice(tool_choice), allow_parallel_tool_calls
        )
        # A forced choice the API refuses while thinking is on is resolved as ChatAIMLAPI
        # resolves it: auto, and asked for (get_tool_calls_from_response refuses a reply
        # without a call); the core's rule logs it once.
        choice, required = rules.unforced_with_thinking(choice, names, thinking=thinking)
        if required:
            hint = rules.call_instruction(required)
            messages.append(ChatMessage(role=MessageRole.SYSTEM, content=hint))
        choice = rules.check_tool_choice(choice, names, thinking=thinking)
        chat_kwargs: dict[str, Any] = {"messages": messages, **kwargs}
        if specs:  # no tools: send no tool fields at all (empty / null ones get a 400)
            chat_kwargs["tools"] = specs
            chat_kwargs["tool_choice"] = choice
        return chat_kwargs

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        selections = tool_selections(response)
        if not selections and error_on_no_tool_call:
            raise ValueError(
                "expected at least one tool call in the response, got none; the model answered: "
                f"{(response.message.content or '')[:200]!r}"
            )
        return selections
