"""The current Claude line in the emulator (issue 15): adaptive thinking, prompt caching, server
tools with a scripted web search, citations, search results — per model, from the catalogue.

:func:`prepare` checks what a request asks of these features against the model's schema (the
core's catalogue, ``aimlapi_core.catalog``: the same data the client refuses by) and returns the
request in the form the older checks and the default assistant read (server tool blocks, search
results and citations folded into text, cache breakpoints noted then removed), plus a
:class:`~aimlapi_emulator._claude_finish.Line` that finishes the answer
(``_claude_finish.py``): thinking for ``{"type": "adaptive"}``, the web search turn, and cache
reads and writes in usage.

Caching is accounted by ``_cache_ledger.py``, as the API bills it.

The web search is scripted: when a request offers ``web_search_*`` and the user's last words
ask to search (search / look up / web / latest / news), the answer is a ``server_tool_use``,
a ``web_search_tool_result`` with canned results made from the query, and a text citing the
first result (``web_search_result_location``). ``/chat/completions`` has no documented server
tool blocks in answers; it gets the text with OpenAI ``annotations`` (``url_citation``: "as
when using the web search tool", the chat response schemas).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

from aimlapi_core.catalog import Capabilities, lookup

from ._claude_finish import Line, search_results
from ._validate_content import schema_error, upstream_error

_SEARCH_WORDS = re.compile(r"\b(search|look\s+up|web|latest|news)\b", re.I)
_SERVER_RESULT = re.compile(r"^[a-z_]+_tool_result$")


def prepare(body: dict[str, Any], dialect: str) -> tuple[dict[str, Any], Line]:
    """Check ``body`` per model; return the form the older checks read, and the :class:`Line`."""
    info = lookup(body.get("model"))
    caps = info.on(dialect) if info is not None else None
    line = Line(dialect=dialect)
    out = copy.deepcopy(body)
    _thinking(out, caps, line)
    web_search = _server_tools(out, caps)
    _cache(out, caps, dialect)
    _history(out, caps)
    if web_search and _asks_to_search(out):
        line.search_query = _query(out)
        line.search_results = search_results(line.search_query)
        digest = hashlib.sha256(json.dumps(body["messages"]).encode()).hexdigest()
        line.server_tool_id = f"srvtoolu_01{digest[:22]}"
    return out, line


def _thinking(body: dict[str, Any], caps: Capabilities | None, line: Line) -> None:
    thinking = body.get("thinking")
    if not isinstance(thinking, dict):
        return
    kind = thinking.get("type")
    if "display" in thinking:
        if thinking["display"] not in ("summarized", "omitted"):
            raise schema_error(
                "thinking.display: Invalid enum value. Expected 'summarized' | 'omitted'"
            )
        if caps is not None and not caps.thinking_display:
            raise schema_error("thinking: Unrecognized key(s) in object: 'display'")
    if kind != "adaptive":
        return
    if caps is not None and "adaptive" not in caps.thinking:
        # The 4.x chat schemas list only {"type": "enabled", "budget_tokens": N}.
        raise schema_error(
            "thinking.type: Invalid enum value. Expected 'enabled' | 'disabled', "
            "received 'adaptive'"
        )
    extra = set(thinking) - {"type", "display"}
    if extra:
        raise schema_error(f"thinking: Unrecognized key(s) in object: {sorted(extra)}")
    temperature = body.get("temperature")
    if temperature is not None and temperature != 1:
        raise upstream_error("`temperature` may only be set to 1 when thinking is enabled.")
    choice = body.get("tool_choice") or {}
    if choice.get("type") in ("any", "tool"):
        raise upstream_error(
            "Thinking may not be enabled when tool_choice forces tool use."
        )  # fmt: skip
    line.adaptive, line.display = True, thinking.get("display")
    del body["thinking"]  # the older checks know budgets only; the Line adds the thinking


def _server_tools(body: dict[str, Any], caps: Capabilities | None) -> bool:
    """Server tools checked by type and removed; True when a web search is offered."""
    tools = body.get("tools")
    if not isinstance(tools, list):
        return False
    web_search = False
    kept = []
    for i, tool in enumerate(tools):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if not isinstance(kind, str) or kind in ("custom", "function") or "input_schema" in tool:
            kept.append(tool)
            continue
        if caps is not None and kind not in caps.server_tools:
            listed = " | ".join(f"'{t}'" for t in caps.server_tools) or "none"
            raise schema_error(
                f"tools[{i}].type: Invalid enum value. Expected {listed}, received '{kind}'"
            )
        if not isinstance(tool.get("name"), str):
            raise schema_error(f"tools[{i}].name: Required")
        web_search = web_search or kind.startswith("web_search_")
    if len(kept) != len(tools):
        if kept:
            body["tools"] = kept
        else:
            body.pop("tools")
            body.pop("tool_choice", None)
        choice = body.get("tool_choice")
        names = {t.get("name") for t in kept}
        if (
            isinstance(choice, dict)
            and choice.get("type") == "tool"
            and choice.get("name") not in names
        ):
            body["tool_choice"] = {"type": "auto"}
    return web_search


def _strip_cache(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_cache(v) for k, v in value.items() if k != "cache_control"}
    if isinstance(value, list):
        return [_strip_cache(v) for v in value]
    return value


def _cache(body: dict[str, Any], caps: Capabilities | None, dialect: str) -> None:
    """What is read and written is the ledger's (``_cache_ledger.py``); here the hints are
    checked and removed from what the older checks read."""
    if dialect == "messages" and "cache_control" in body:
        # Anthropic's automatic caching (a breakpoint on the last block), which
        # langchain-anthropic's ChatAnthropic sends: docs/wire.md "Prompt caching".
        if caps is not None and not caps.cache_control:
            raise schema_error("Unrecognized key(s) in object: 'cache_control'")
        del body["cache_control"]
    if caps is not None and not caps.cache_control:
        return  # the older checks refuse it where the schema does, with the schema's words
    if dialect == "chat_completions":
        # The older checks hold chat to the 4.x schemas (no cache_control, system a string).
        for key in ("tools", "messages"):
            if key in body:
                body[key] = _strip_cache(body[key])
        if isinstance(body.get("system"), list):
            body["system"] = "\n\n".join(b.get("text", "") for b in body["system"])


def _history(body: dict[str, Any], caps: Capabilities | None) -> None:
    """Server tool blocks and citations of earlier answers, search results and system
    citations: checked, then folded into what the older checks and the assistant read."""
    system = body.get("system")
    if isinstance(system, list):
        if any("citations" in b for b in system) and caps is not None and not caps.system_citations:
            raise schema_error("system[0]: Unrecognized key(s) in object: 'citations'")
        body["system"] = [{k: v for k, v in b.items() if k != "citations"} for b in system]
    for i, message in enumerate(body.get("messages") or []):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        used: set[str] = set()
        folded: list[Any] = []
        for j, block in enumerate(content):
            kind = block.get("type") if isinstance(block, dict) else None
            where = f"messages.{i}.content.{j}"
            if kind == "server_tool_use" or (isinstance(kind, str) and _SERVER_RESULT.match(kind)):
                if caps is not None and not caps.server_tools:
                    raise schema_error(f"{where}.type: Invalid enum value, received '{kind}'")
                if message.get("role") != "assistant":
                    raise upstream_error(f"{where}: `{kind}` blocks belong to assistant turns")
                if kind == "server_tool_use":
                    if not all(isinstance(block.get(k), str) for k in ("id", "name")):
                        raise schema_error(f"{where}: server_tool_use needs id, name and input")
                    used.add(block["id"])
                elif block.get("tool_use_id") not in used:
                    raise upstream_error(
                        f"{where}: `{kind}` block refers to {block.get('tool_use_id')!r}, which "
                        "no earlier `server_tool_use` block of this message has"
                    )
                continue
            if kind == "search_result":
                if caps is not None and not caps.search_results:
                    raise schema_error(
                        f"{where}.type: Invalid enum value, received 'search_result'"
                    )
                texts = block.get("content")
                texts = texts if isinstance(texts, list) else [texts]
                words = " ".join(t.get("text", "") for t in texts if isinstance(t, dict))
                folded.append({"type": "text", "text": f"{block.get('title')}: {words}"})
                continue
            if kind == "text" and "citations" in block:
                block = {k: v for k, v in block.items() if k != "citations"}
            folded.append(block)
        message["content"] = folded or [{"type": "text", "text": "(searched the web)"}]


def _last_user_text(body: dict[str, Any]) -> str:
    last = (body.get("messages") or [{}])[-1]
    if last.get("role") != "user":
        return ""
    content = last.get("content")
    if isinstance(content, str):
        return content
    if any(b.get("type") == "tool_result" for b in content):
        return ""
    return " ".join(b.get("text", "") for b in content if b.get("type") == "text")


def _asks_to_search(body: dict[str, Any]) -> bool:
    return bool(_SEARCH_WORDS.search(_last_user_text(body)))


def _query(body: dict[str, Any]) -> str:
    text = _last_user_text(body)
    text = re.sub(r"(?i)^.*?\b(search(\s+the\s+web)?|look\s+up)\b(\s+for)?", "", text).strip()
    return text.rstrip("?.! ") or "the question"
