"""Tools, tool choice and ``response_format`` for ``ChatAIMLAPI`` (structured output:
``_structured.py``).

Bound tools are kept as Anthropic-format dicts (``name`` / ``description`` / ``input_schema``):
that is the form LangGraph and ``create_agent`` read back from ``model.kwargs["tools"]``, it
serializes and traces, and it converts to the core's :class:`~aimlapi_core.ToolSpec` one to one.
Everything that can be refused is refused here, at bind time, before any request.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool

from aimlapi_core import ToolChoice, ToolSpec, errors, tool_input_schema

# Anthropic's documented tool name rule (tools[].name: ^[a-zA-Z0-9_-]{1,64}$).
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")

_FORCED = ("any", "tool")
_CHOICE_TYPES = ("auto", "any", "tool", "none")


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
            # Server tools (web_search, code_execution, ...) are not part of the documented
            # Claude tool format on this API.
            raise errors.UnsupportedContentError(
                f"tool of type {tool['type']!r} is not supported: the AI/ML API takes client "
                "tools only (name, description, input_schema)"
            )
        function = convert_to_openai_tool(tool, strict=strict)["function"]
        spec = {
            "name": function["name"],
            "description": function.get("description", ""),
            "input_schema": function.get("parameters") or {"type": "object", "properties": {}},
        }
    name = spec["name"]
    if not isinstance(name, str) or not _TOOL_NAME.match(name):
        raise errors.UnsupportedContentError(
            f"tool name {name!r} is not accepted by the API: names must match "
            "^[a-zA-Z0-9_-]{1,64}$; rename the tool"
        )
    spec["input_schema"] = tool_input_schema(name, spec["input_schema"])
    return spec


def _is_server_tool(tool: dict[str, Any]) -> bool:
    # Anthropic server tools look like {"type": "web_search_20250305", "name": "web_search"}.
    kind = tool.get("type")
    return isinstance(kind, str) and kind not in ("function", "object") and "name" in tool


def to_tool_choice_dict(
    tool_choice: Any,
    tool_names: Sequence[str],
    *,
    parallel_tool_calls: bool | None = None,
) -> dict[str, Any] | None:
    """LangChain's ``tool_choice`` values → an Anthropic-format choice dict (or ``None``).

    ``"required"`` / ``True`` mean "must call some tool" (``any``); ``"none"`` / ``False`` are
    sent as ``{"type": "none"}`` — never as a tool called "none" or "required", which is what the
    older gateway integrations did.
    """
    choice: dict[str, Any] | None
    if tool_choice is None:
        choice = None
    elif tool_choice is True or tool_choice in ("any", "required"):
        choice = {"type": "any"}
    elif tool_choice is False or tool_choice == "none":
        choice = {"type": "none"}
    elif tool_choice == "auto":
        choice = {"type": "auto"}
    elif isinstance(tool_choice, str):
        choice = {"type": "tool", "name": tool_choice}
    elif isinstance(tool_choice, dict) and tool_choice.get("type") == "function":
        choice = {"type": "tool", "name": tool_choice["function"]["name"]}  # OpenAI format
    elif isinstance(tool_choice, dict) and tool_choice.get("type") in _CHOICE_TYPES:
        choice = dict(tool_choice)
    else:
        raise ValueError(
            f"unrecognised tool_choice {tool_choice!r}: use 'auto', 'any', 'required', True, "
            "'none', a tool name, or a dict like {'type': 'tool', 'name': ...}"
        )
    if choice is not None and choice["type"] == "tool" and choice.get("name") not in tool_names:
        raise ValueError(
            f"tool_choice names {choice.get('name')!r}, which is not among the bound tools "
            f"{list(tool_names)}"
        )
    if parallel_tool_calls is False:
        if choice is None:
            choice = {"type": "auto"}
        if choice["type"] != "none":
            choice["disable_parallel_tool_use"] = True
    return choice


def check_forced_choice_with_thinking(choice: dict[str, Any] | None, thinking: bool) -> None:
    """Forced tool use with extended thinking is refused upstream with a 400; say so first."""
    if thinking and choice is not None and choice["type"] in _FORCED:
        raise errors.InvalidRequestError(
            f"tool_choice {choice!r} forces tool use, which the API refuses while extended "
            "thinking is on (docs/wire.md 'Thinking'). Use "
            "tool_choice='auto' (or None), or create the model without thinking. "
            "with_structured_output handles this case itself."
        )


def spec_from_dict(tool: dict[str, Any]) -> ToolSpec:
    return ToolSpec(
        name=tool["name"],
        description=tool.get("description", ""),
        input_schema=tool["input_schema"],
        cache_control=tool.get("cache_control"),
    )


def choice_from_dict(choice: dict[str, Any]) -> ToolChoice:
    return ToolChoice(
        type=choice["type"],
        name=choice.get("name"),
        disable_parallel_tool_use=bool(choice.get("disable_parallel_tool_use", False)),
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
