"""Server tools (docs/wire.md "Server tools"): offered by type, replayed in assistant turns.

A tool with a ``type`` other than "custom"/"function" and no ``input_schema`` is a server tool
(``web_search_20250305``, ``code_execution_*``, ...): taken where the model's schema lists its
type (the catalogue's ``server_tools``), with a ``name``. An earlier answer's
``server_tool_use`` and ``*_tool_result`` blocks may be replayed in assistant turns, each result
after the ``server_tool_use`` it answers. The scripted web search is ``_web_search.py``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ._envelopes import schema_error, upstream_error

if TYPE_CHECKING:
    from aimlapi_core.catalog import Capabilities

__all__ = ["check_server_block", "check_server_tool", "is_server_block", "is_server_tool"]

_SERVER_RESULT = re.compile(r"^[a-z_]+_tool_result$")


def is_server_tool(tool: Any) -> bool:
    if not isinstance(tool, dict) or "input_schema" in tool:
        return False
    kind = tool.get("type")
    return isinstance(kind, str) and kind not in ("custom", "function")


def check_server_tool(tool: dict[str, Any], i: int, caps: Capabilities | None) -> str:
    """The tool's name; APIError(400) when the model's schema lacks its type."""
    kind = tool["type"]
    if caps is not None and kind not in caps.server_tools:
        listed = " | ".join(f"'{t}'" for t in caps.server_tools) or "none"
        raise schema_error(
            f"tools[{i}].type: Invalid enum value. Expected {listed}, received '{kind}'"
        )
    name = tool.get("name")
    if not isinstance(name, str):
        raise schema_error(f"tools[{i}].name: Required")
    return name


def is_server_block(kind: Any) -> bool:
    return kind == "server_tool_use" or (isinstance(kind, str) and bool(_SERVER_RESULT.match(kind)))


def check_server_block(
    block: dict[str, Any], role: str, where: str, caps: Capabilities | None, used: set[str]
) -> None:
    """One replayed server block; ``used``: the server_tool_use ids seen so far in its message
    (this block's added)."""
    kind = block["type"]
    if caps is not None and not caps.server_tools:
        raise schema_error(f"{where}.type: Invalid enum value, received '{kind}'")
    if role != "assistant":
        raise upstream_error(f"{where}: `{kind}` blocks belong to assistant turns")
    if kind == "server_tool_use":
        fields_ok = all(isinstance(block.get(k), str) for k in ("id", "name"))
        if not fields_ok or not isinstance(block.get("input", {}), dict):
            raise schema_error(f"{where}: server_tool_use needs id, name and input")
        used.add(block["id"])
        return
    if not isinstance(block.get("tool_use_id"), str):
        raise schema_error(f"{where}.tool_use_id: Required (a string)")
    content = block.get("content", [])
    listed = isinstance(content, list) and all(isinstance(item, dict) for item in content)
    typed = isinstance(content, dict) and isinstance(content.get("type"), str)
    if not (listed or typed):
        # A list of results (web search), or one typed object (an error, a code run's result).
        raise schema_error(f"{where}.content: Expected an array of results or a typed object")
    if block["tool_use_id"] not in used:
        raise upstream_error(
            f"{where}: `{kind}` block refers to {block.get('tool_use_id')!r}, which no earlier "
            "`server_tool_use` block of this message has"
        )
