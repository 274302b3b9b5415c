"""Tools, tool choice and ``response_format`` for ``ChatAIMLAPI`` (structured output:
``_structured.py``).

Bound tools are kept as Anthropic-format dicts (``name`` / ``description`` / ``input_schema``):
that is the form LangGraph and ``create_agent`` read back from ``model.kwargs["tools"]``, it
serializes and traces, and it converts to the core's :class:`~aimlapi_core.ToolSpec` one to one.
Everything that can be refused is refused at bind time, before any request, by the core's rules
(``aimlapi_core/_rules/``), which the encoder applies again to per-call values.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool

from aimlapi_core import ServerToolSpec, ToolSpec, errors, tool_input_schema
from aimlapi_core.adapter import rules


def to_tool_dict(tool: Any, *, strict: bool | None = None) -> dict[str, Any]:
    """Any tool LangChain accepts → an Anthropic-format tool dict with a sendable schema.

    ``strict`` is accepted for interface compatibility and forwarded to LangChain's converter
    (which then marks the schema ``additionalProperties: false``); the Claude tool spec on this
    API has no ``strict`` flag, so nothing else is sent for it.
    """
    if isinstance(tool, dict) and "input_schema" in tool and "name" in tool:
        # Already Anthropic format (also what bind_tools stores, so re-binding is idempotent).
        spec = {
            "name": tool["name"],
            "description": tool.get("description", ""),
            "input_schema": tool["input_schema"],
        }
        if tool.get("cache_control"):
            spec["cache_control"] = tool["cache_control"]
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
        cache_control=tool.get("cache_control"),
    )


# --------------------------------------------------------------------------- response_format


def response_format_instruction(response_format: Any) -> str:
    """An OpenAI-style ``response_format`` as an instruction in the system prompt.

    The Claude endpoints take no ``response_format`` (it is absent from every Claude spec,
    docs/wire.md), yet langchain's ``create_agent`` sends one (its ``ProviderStrategy``) for model
    names it believes support native structured output, such as ``claude-sonnet-4-5``. Refusing
    it would break those agents; instead the schema is asked for in words, and LangChain parses
    and validates the JSON reply (``StructuredOutputValidationError`` if the model strays).
    """
    if isinstance(response_format, type):
        schema = convert_to_json_schema(response_format)
        return _JSON_ONLY + " It must match this JSON schema:\n" + json.dumps(schema)
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "json_object":
        return _JSON_ONLY
    if kind == "json_schema" and isinstance(response_format.get("json_schema"), dict):
        spec = response_format["json_schema"]
        if isinstance(spec.get("schema"), dict):
            return _JSON_ONLY + " It must match this JSON schema:\n" + json.dumps(spec["schema"])
    raise errors.InvalidRequestError(
        f"response_format {response_format!r} is not understood: pass a Pydantic class, "
        "{'type': 'json_schema', 'json_schema': {'name': ..., 'schema': {...}}} or "
        "{'type': 'json_object'} — or use with_structured_output()"
    )


_JSON_ONLY = "Reply with only a JSON object: no prose before or after it, no code fence."
