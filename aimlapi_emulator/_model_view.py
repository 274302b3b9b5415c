"""What the model reads of a checked request: the view the default assistant answers and
the token estimates count.

The request itself is never changed (the log, the cache breakpoints and the web search read it
as sent). The view leaves out what the server, not the model, handles: server tools (run by the
service) and replayed server tool blocks; search results, a tool result's too, are read as
text ("title: words"), citations and system citations are dropped, and a message left without
blocks reads "(searched the web)". A ``tool_choice`` naming a server tool reads as ``auto``.
"""

from __future__ import annotations

import copy
from typing import Any

from ._server_tools import is_server_block, is_server_tool

__all__ = ["model_view"]


def model_view(body: dict[str, Any]) -> dict[str, Any]:
    """The view of a checked ``body`` (a new object; ``body`` is not changed)."""
    view = copy.deepcopy(body)
    _client_tools(view)
    system = view.get("system")
    if isinstance(system, list):
        view["system"] = [{k: v for k, v in b.items() if k != "citations"} for b in system]
    for message in view["messages"]:
        content = message["content"]
        if isinstance(content, list):
            read = [_read(block) for block in content if not is_server_block(block["type"])]
            message["content"] = read or [{"type": "text", "text": "(searched the web)"}]
    return view


def _client_tools(view: dict[str, Any]) -> None:
    tools = view.get("tools")
    if not isinstance(tools, list):
        return
    kept = [tool for tool in tools if not is_server_tool(tool)]
    if len(kept) == len(tools):
        return
    if not kept:
        view.pop("tools")
        view.pop("tool_choice", None)
        return
    view["tools"] = kept
    choice = view.get("tool_choice")
    names = {tool.get("name") for tool in kept}
    forced = choice if isinstance(choice, dict) and choice.get("type") == "tool" else None
    if forced is not None and forced.get("name") not in names:
        view["tool_choice"] = {"type": "auto"}


def _read(block: dict[str, Any]) -> dict[str, Any]:
    if block["type"] == "search_result":
        texts = block.get("content")
        texts = texts if isinstance(texts, list) else [texts]
        words = " ".join(t.get("text", "") for t in texts if isinstance(t, dict))
        return {"type": "text", "text": f"{block.get('title')}: {words}"}
    if block["type"] == "text" and "citations" in block:
        return {k: v for k, v in block.items() if k != "citations"}
    if block["type"] == "tool_result" and isinstance(block.get("content"), list):
        return {**block, "content": [_read(part) for part in block["content"]]}
    return block
