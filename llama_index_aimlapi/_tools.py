"""Tools: LlamaIndex tools → ``ToolSpec``, tool-choice spellings → ``ToolChoice``, and tool calls
back out of a (possibly partial, streamed) response."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from aimlapi_core import ToolChoice, ToolSpec
from aimlapi_core.errors import InvalidRequestError

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

# Spellings people pass as ``tool_choice`` strings: Anthropic's words, and OpenAI's "required"
# (which FunctionCallingProgram-style code and OpenAI users write).
_CHOICE_WORDS: dict[str, str] = {"auto": "auto", "any": "any", "required": "any", "none": "none"}

# When thinking is on the API refuses a forced tool choice ("any" / "tool"): Anthropic's
# extended-thinking docs, "tool_choice: any/tool is not supported with thinking". A framework
# that merely *requires* a tool (tool_required=True, as structured_predict does) gets "auto"
# plus this instruction instead of a 400.
TOOL_REQUIRED_HINT = "Answer by calling one of the provided tools; do not answer in plain text."


def to_tool_spec(tool: BaseTool | ToolSpec) -> ToolSpec:
    if isinstance(tool, ToolSpec):
        return tool
    metadata = getattr(tool, "metadata", None)
    if metadata is None or not getattr(metadata, "name", None):
        raise InvalidRequestError(
            f"tools must be LlamaIndex tools (BaseTool) or aimlapi_core.ToolSpec, got {tool!r}"
        )
    # $ref/$defs inlining and schema checks belong to the core (aimlapi_core/_schema.py).
    return ToolSpec(
        name=metadata.name,
        description=metadata.description or "",
        input_schema=metadata.get_parameters_dict(),
    )


def to_tool_specs(tools: Sequence[Any] | None) -> list[ToolSpec]:
    specs = [to_tool_spec(tool) for tool in tools or ()]
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise InvalidRequestError(f"tool names must be unique; repeated: {', '.join(duplicates)}")
    return specs


def _parse_choice(choice: Any) -> ToolChoice:
    if isinstance(choice, ToolChoice):
        return choice
    if isinstance(choice, str):
        word = _CHOICE_WORDS.get(choice)
        return ToolChoice(type=word) if word else ToolChoice(type="tool", name=choice)  # type: ignore[arg-type]
    if isinstance(choice, dict):
        kind = choice.get("type")
        if kind == "function":  # OpenAI: {"type": "function", "function": {"name": ...}}
            name = (choice.get("function") or {}).get("name")
            if name:
                return ToolChoice(type="tool", name=name)
        elif kind == "tool" and choice.get("name"):
            return ToolChoice(
                type="tool",
                name=choice["name"],
                disable_parallel_tool_use=bool(choice.get("disable_parallel_tool_use", False)),
            )
        elif isinstance(kind, str) and kind in _CHOICE_WORDS:
            return ToolChoice(
                type=_CHOICE_WORDS[kind],  # type: ignore[arg-type]
                disable_parallel_tool_use=bool(choice.get("disable_parallel_tool_use", False)),
            )
    raise InvalidRequestError(
        f"tool_choice {choice!r} is not understood; use 'auto', 'any' ('required'), 'none', a "
        "tool name, {'type': 'tool', 'name': ...} or {'type': 'function', 'function': {...}}"
    )


def resolve_tool_choice(
    choice: Any,
    tools: Sequence[ToolSpec],
    *,
    thinking: bool,
    allow_parallel_tool_calls: bool | None = None,
) -> ToolChoice | None:
    """The ``ToolChoice`` to send, or ``None`` to send none (no tools, no choice).

    Raises ``InvalidRequestError`` before any request for a choice that names an unknown tool,
    a choice without tools, or a forced choice while thinking is on.
    """
    if choice is None:
        if not tools:
            return None
        choice = ToolChoice(type="auto")
    parsed = _parse_choice(choice)
    if not tools:
        if parsed.type == "none":
            return None  # "no tool" with no tools: nothing to say, and empty tool fields 400
        raise InvalidRequestError(f"tool_choice {parsed.type!r} was given but no tools were")
    if parsed.type == "tool" and parsed.name not in {tool.name for tool in tools}:
        known = ", ".join(tool.name for tool in tools)
        raise InvalidRequestError(f"tool_choice names {parsed.name!r}, not one of: {known}")
    if thinking and parsed.type in ("any", "tool"):
        raise InvalidRequestError(
            f"tool_choice {parsed.type!r} forces a tool call, which the API refuses while "
            "thinking is on; use tool_choice='auto' or turn thinking off for this call"
        )
    if allow_parallel_tool_calls is not None and parsed.type != "none":
        parsed = ToolChoice(
            type=parsed.type,
            name=parsed.name,
            disable_parallel_tool_use=not allow_parallel_tool_calls,
        )
    return parsed


def tool_selections(response: ChatResponse) -> list[ToolSelection]:
    """Tool calls in a response. Streamed chunks carry arguments as raw JSON text, possibly cut
    mid-way; that is parsed leniently (an unparseable prefix gives ``{}``)."""
    selections = []
    for block in response.message.blocks:
        if not isinstance(block, ToolCallBlock):
            continue
        kwargs = block.tool_kwargs
        if isinstance(kwargs, str):
            try:
                kwargs = parse_partial_json(kwargs) if kwargs.strip() else {}
            except ValueError:
                kwargs = {}
        selections.append(
            ToolSelection(
                tool_id=block.tool_call_id or "",
                tool_name=block.tool_name,
                tool_kwargs=kwargs,
            )
        )
    return selections
