"""Tools, tool choice and ``response_format`` for ``ChatAIMLAPI`` (structured output:
``_structured.py``).

Bound tools are kept as Anthropic-format dicts (``name`` / ``description`` / ``input_schema``):
that is the form LangGraph and ``create_agent`` read back from ``model.kwargs["tools"]``, it
serializes and traces, and it converts to the core's :class:`~aimlapi_core.ToolSpec` one to one.
Everything that can be refused is refused at bind time, before any request, by the core's rules
(``aimlapi_core/_rules/``), which the encoder applies again to per-call values.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from aimlapi_core import TOOL_FIELDS, ServerToolSpec, ToolSpec, errors, tool_input_schema
from aimlapi_core.adapter import rules

# Every per-tool field a custom tool may carry besides name, description and input schema:
# ToolSpec's optional fields and cache_control, by their wire names (docs/wire.md "Tools").
_TOOL_EXTRAS = (*TOOL_FIELDS, "cache_control")


def to_tool_dict(tool: Any, *, strict: bool | None = None) -> dict[str, Any]:
    """Any tool LangChain accepts → an Anthropic-format tool dict with a sendable schema.

    Every per-tool field the caller gave travels: those of an Anthropic-format dict, a
    ``BaseTool``'s ``extras`` (``@tool(extras={"cache_control": {"type": "ephemeral"}})``,
    ``"strict"``, ``"defer_loading"``, ...), and ``strict=`` (sent as the tool's ``strict``
    flag, which the newer schemas list; LangChain's converter also closes the schema with
    ``additionalProperties: false``). A model whose schema lacks a field refuses it before any
    request (the core's per-model rule), never drops it.
    """
    extras: dict[str, Any] = {}
    if isinstance(tool, dict) and "input_schema" in tool and "name" in tool:
        # Already Anthropic format (also what bind_tools stores, so re-binding is idempotent).
        spec = {
            "name": tool["name"],
            "description": tool.get("description", ""),
            "input_schema": tool["input_schema"],
        }
        extras = tool
    else:
        if isinstance(tool, dict) and _is_server_tool(tool):
            # Server tools ({"type": "web_search_20250305", "name": "web_search", ...}) are
            # passed through as documented; the core checks the type against the model's
            # schema before any request (docs/wire.md "Server tools").
            rules.check_tool_name(tool["name"])
            return dict(tool)
        function = convert_to_openai_tool(tool, strict=strict)["function"]
        spec = {
            "name": function["name"],
            "description": function.get("description", ""),
            "input_schema": function.get("parameters") or {"type": "object", "properties": {}},
        }
        if isinstance(tool, BaseTool):
            extras = tool.extras or {}
    spec.update({k: extras[k] for k in _TOOL_EXTRAS if extras.get(k) is not None})
    if strict is not None:
        spec["strict"] = strict
    name = rules.check_tool_name(spec["name"])
    spec["input_schema"] = tool_input_schema(name, spec["input_schema"])
    return spec


def _is_server_tool(tool: dict[str, Any]) -> bool:
    # Anthropic server tools look like {"type": "web_search_20250305", "name": "web_search"}.
    kind = tool.get("type")
    return (
        isinstance(kind, str)
        and kind not in ("function", "object", "custom")
        and "name" in tool
        and "input_schema" not in tool
    )


def spec_from_dict(tool: dict[str, Any]) -> ToolSpec | ServerToolSpec:
    if _is_server_tool(tool):
        options = {k: v for k, v in tool.items() if k not in ("type", "name", "cache_control")}
        return ServerToolSpec(
            type=tool["type"],
            name=tool["name"],
            options=options,
            cache_control=tool.get("cache_control"),
        )
    return ToolSpec(
        name=tool["name"],
        description=tool.get("description", ""),
        input_schema=tool["input_schema"],
        **{k: tool[k] for k in _TOOL_EXTRAS if tool.get(k) is not None},
    )


# --------------------------------------------------------------------------- response_format


def response_format_tool(response_format: Any) -> dict[str, Any]:
    """An OpenAI-style ``response_format`` as the tool that carries the answer.

    The Claude endpoints take no ``response_format`` and no schema lists ``output_format`` /
    ``output_config`` (docs/wire.md "Structured output"), yet langchain's ``create_agent`` sends
    one (its ``ProviderStrategy``) to models whose profile declares ``structured_output``. The
    schema becomes a tool, and the tool's input is the answer (``_structured.py``), so the reply
    is JSON of the schema whatever prose the model would have wrapped it in.
    """
    if isinstance(response_format, type):
        return to_tool_dict(response_format)
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "json_object":
        return to_tool_dict(any_json_object())
    if kind == "json_schema" and isinstance(response_format.get("json_schema"), dict):
        spec = response_format["json_schema"]
        if isinstance(spec.get("schema"), dict):
            name = spec.get("name") or spec["schema"].get("title") or "structured_output"
            return to_tool_dict(
                {
                    "name": name,
                    "description": spec.get("description") or f"Give the answer as {name}.",
                    "input_schema": spec["schema"],
                },
                strict=spec.get("strict"),
            )
    raise errors.InvalidRequestError(
        f"response_format {response_format!r} is not understood: pass a Pydantic class, "
        "{'type': 'json_schema', 'json_schema': {'name': ..., 'schema': {...}}} or "
        "{'type': 'json_object'} — or use with_structured_output()"
    )


def any_json_object() -> dict[str, Any]:
    """json_mode's schema when none is given: any JSON object, still through a tool (the only
    structured channel). Built fresh per call: it is also handed to tracing, which may keep it."""
    return {
        "title": "json_response",
        "description": "Return the answer as a JSON object.",
        "type": "object",
        "properties": {},
        "additionalProperties": True,
    }
