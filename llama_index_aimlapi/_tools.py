"""Tools: LlamaIndex tools → ``ToolSpec``, and tool calls back out of a (possibly partial,
streamed) response. Tool names and tool choice follow the core's rules
(``aimlapi_core/_rules/tools.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatResponse, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json
from llama_index.core.tools.types import ToolMetadata

from aimlapi_core import TOOL_FIELDS, ServerToolSpec, ToolSpec
from aimlapi_core.adapter import rules
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
        input_schema=_parameters(metadata),
        **tool_extras(metadata),
    )


# The per-tool fields a custom tool may carry besides name, description and schema
# (docs/wire.md "Tools"); the core refuses those a model's schema lacks before any request.
_EXTRAS = (*TOOL_FIELDS, "cache_control")


def tool_extras(metadata: Any) -> dict[str, Any]:
    """The per-tool fields a LlamaIndex tool's metadata carries: attributes of those names (a
    ``ToolMetadata`` subclass that declares them, or set on the instance), e.g.
    ``ToolMetadata(...)`` with ``cache_control={"type": "ephemeral"}`` or ``strict=True``."""
    fields = ((name, getattr(metadata, name, None)) for name in _EXTRAS)
    return {name: value for name, value in fields if value is not None}


# ToolMetadata.get_parameters_dict() runs pydantic's model_json_schema() on every call, for every
# tool on every step of an agent: more than all the rest of a request (figures in
# benchmarks/results/adapter_micro_timings.md). LlamaIndex's own
# depends on the metadata's fields only (fn_schema, a class, for the most part), so its result is
# kept per value of those, and each spec gets its own copy, as it got a new dict before. Asked
# every time, as before: a method overridden (by a subclass or on the instance), a field that
# cannot be hashed, a schema that is not a small plain tree (shared or cyclic nodes, deeper than
# _MAX_DEPTH, more than _MAX_NODES: the core refuses the worst of those by name).
_SCHEMAS: dict[Any, dict[str, Any]] = {}
_MAX_SCHEMAS = 512
_MAX_DEPTH = 32
_MAX_NODES = 5_000


def _parameters(metadata: Any) -> dict[str, Any]:
    own = vars(metadata) if hasattr(metadata, "__dict__") else None
    if (
        own is None
        or "get_parameters_dict" in own
        or type(metadata).get_parameters_dict is not ToolMetadata.get_parameters_dict
    ):
        return metadata.get_parameters_dict()  # type: ignore[no-any-return]
    try:
        key = (type(metadata), tuple(own.items()))
        kept = _SCHEMAS.get(key)
    except TypeError:  # an unhashable field value
        return metadata.get_parameters_dict()  # type: ignore[no-any-return]
    if kept is not None:
        return _copy(kept)  # type: ignore[no-any-return]
    schema: dict[str, Any] = metadata.get_parameters_dict()
    kept = _plain_copy(schema)
    if kept is not None:
        if len(_SCHEMAS) >= _MAX_SCHEMAS:
            _SCHEMAS.clear()
        _SCHEMAS[key] = kept
    return schema


def _plain_copy(schema: Any) -> dict[str, Any] | None:
    """A copy of ``schema`` if it is a small plain tree of dicts, lists and scalars, else None.
    Iterative, so any depth or a cycle ends here rather than in a RecursionError or a loop."""
    if type(schema) is not dict:
        return None
    root: dict[str, Any] = {}
    stack: list[tuple[Any, Any, int]] = [(schema, root, 0)]
    seen = {id(schema)}
    nodes = 0
    while stack:
        source, target, depth = stack.pop()
        for key, item in source.items() if type(source) is dict else enumerate(source):
            nodes += 1
            if nodes > _MAX_NODES:
                return None
            value = item
            if type(item) is dict or type(item) is list:
                if depth >= _MAX_DEPTH or id(item) in seen:
                    return None
                seen.add(id(item))
                value = {} if type(item) is dict else []
                stack.append((item, value, depth + 1))
            elif isinstance(item, dict | list):  # a subclass: not a plain tree
                return None
            if type(target) is dict:
                target[key] = value
            else:
                target.append(value)
    return root


def _copy(value: Any) -> Any:
    """A copy of a tree ``_plain_copy`` made (bounded depth: recursion is safe here)."""
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) for v in value]
    return value


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
