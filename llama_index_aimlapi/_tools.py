"""Tools: LlamaIndex tools → ``ToolSpec``, and tool calls back out of a (possibly partial,
streamed) response. Tool names and tool choice follow the core's rules
(``aimlapi_core/_rules.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from aimlapi_core import ServerToolSpec, ToolSpec
from aimlapi_core import _rules as rules
from aimlapi_core.errors import InvalidRequestError

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

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
    rules.check_tool_names(spec.name for spec in specs)
    return specs


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


def server_tool_spec(tool: dict[str, Any]) -> ServerToolSpec:
    """A server tool as documented (``{"type": "web_search_20250305", "name": "web_search",
    ...}``): passed through; the core checks its type against the model's schema."""
    kind, name = tool.get("type"), tool.get("name")
    if not isinstance(kind, str) or not isinstance(name, str):
        raise InvalidRequestError(
            f"server tool {tool!r} needs a 'type' and a 'name', e.g. "
            "{'type': 'web_search_20250305', 'name': 'web_search'}"
        )
    options = {k: v for k, v in tool.items() if k not in ("type", "name", "cache_control")}
    return ServerToolSpec(
        type=kind, name=name, options=options, cache_control=tool.get("cache_control")
    )
