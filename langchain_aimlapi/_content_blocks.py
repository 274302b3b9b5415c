"""``content_blocks`` for ``ChatAIMLAPI``'s messages: Claude's block shapes → LangChain's
standard blocks (thinking → ``reasoning`` with the signature in ``extras``, server tool blocks
→ ``server_tool_call`` / ``server_tool_result``, citations → ``citation`` annotations).

``chat_models.py`` registers :func:`translate_content` / :func:`translate_content_chunk` as the
block translator of the messages ``_results.py`` builds (``model_provider`` ``"aimlapi"``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as lc_types

__all__ = ["translate_content", "translate_content_chunk"]


def _standard_blocks(content: str | list[Any]) -> Iterable[lc_types.ContentBlock]:
    if isinstance(content, str):
        if content:
            yield {"type": "text", "text": content}
        return
    for block in content:
        if isinstance(block, str):
            yield {"type": "text", "text": block}
            continue
        kind = block.get("type")
        index = {"index": block["index"]} if "index" in block else {}
        if kind == "text":
            text: dict[str, Any] = {"type": "text", "text": block["text"], **index}
            if block.get("citations"):
                text["annotations"] = [_annotation(c) for c in block["citations"]]
            yield cast("lc_types.TextContentBlock", text)
        elif kind == "server_tool_use":
            yield _server_tool_call(block, index)
        elif isinstance(kind, str) and kind.endswith("_tool_result") and kind != "tool_result":
            result = {
                "type": "server_tool_result",
                "tool_call_id": block.get("tool_use_id", ""),
                "status": "error" if _is_error(block.get("content")) else "success",
                "output": block.get("content"),
                "extras": {"block_type": kind},
                **index,
            }
            yield cast("lc_types.ServerToolResult", result)
        elif kind == "thinking":
            reasoning: lc_types.ReasoningContentBlock = {
                "type": "reasoning",
                "reasoning": block.get("thinking", ""),
                **index,  # type: ignore[typeddict-item]
            }
            if "signature" in block:
                reasoning["extras"] = {"signature": block["signature"]}
            yield reasoning
        else:
            value = {k: v for k, v in block.items() if k != "index"}
            yield {"type": "non_standard", "value": value, **index}  # type: ignore[misc]


def _server_tool_call(block: dict[str, Any], index: dict[str, Any]) -> lc_types.ContentBlock:
    """Claude's ``server_tool_use`` → LangChain's standard ``server_tool_call`` (the names
    langchain-core's Anthropic translator uses: ``code_execution`` is ``code_interpreter``)."""
    args = block.get("input") or {}
    if not args and block.get("partial_json"):
        try:
            args = json.loads(block["partial_json"])
        except ValueError:
            args = {}
    name = block.get("name", "")
    call = {
        "type": "server_tool_call",
        "id": block.get("id", ""),
        "name": "code_interpreter" if name == "code_execution" else name,
        "args": args,
        **index,
    }
    return cast("lc_types.ServerToolCall", call)


def _is_error(content: Any) -> bool:
    # web_search_tool_result_error, web_fetch_tool_error, code_execution_tool_result_error...
    return isinstance(content, dict) and "error" in str(content.get("type", ""))


def _annotation(citation: dict[str, Any]) -> lc_types.Annotation:
    """A wire citation → LangChain's standard ``citation`` annotation, the rest in extras:
    Claude's ``*_location`` citations (as langchain-core's Anthropic translator reads them) and
    the chat endpoint's OpenAI ``url_citation`` annotations."""
    if citation.get("type") == "url_citation" and isinstance(citation.get("url_citation"), dict):
        inner = citation["url_citation"]
        out: dict[str, Any] = {"type": "citation", "url": inner.get("url", "")}
        if inner.get("title"):
            out["title"] = inner["title"]
        for key in ("start_index", "end_index"):
            if isinstance(inner.get(key), int):
                out[key] = inner[key]
        return out  # type: ignore[return-value]
    if "cited_text" not in citation:
        return cast("lc_types.Annotation", {"type": "non_standard_annotation", "value": citation})
    out = {"type": "citation", "cited_text": citation["cited_text"]}
    if citation.get("url"):
        out["url"] = citation["url"]
    title = citation.get("title") or citation.get("document_title")
    if title:
        out["title"] = title
    extras = {k: v for k, v in citation.items() if k not in ("cited_text", "url", "title")}
    if extras:
        out["extras"] = extras
    return out  # type: ignore[return-value]


def _call_blocks(message: AIMessage) -> Iterable[lc_types.ContentBlock]:
    """Tool calls, then the invalid ones (arguments that are not JSON, e.g. cut off by
    ``max_tokens``), which would otherwise vanish from ``content_blocks``. They are emitted
    as-is, as langchain-core's OpenAI Responses translator does (``block_translators/openai.py``):
    an ``InvalidToolCall`` already is a standard ``invalid_tool_call`` block."""
    for c in message.tool_calls:
        yield {"type": "tool_call", "id": c["id"], "name": c["name"], "args": c["args"]}
    for invalid in message.invalid_tool_calls:
        yield {**invalid, "type": "invalid_tool_call"}


def translate_content(message: AIMessage) -> list[lc_types.ContentBlock]:
    """``content_blocks`` for our messages: Claude thinking → standard ``reasoning``."""
    return [*_standard_blocks(message.content), *_call_blocks(message)]


def translate_content_chunk(message: AIMessageChunk) -> list[lc_types.ContentBlock]:
    blocks = list(_standard_blocks(message.content))
    if message.chunk_position == "last" or not message.tool_call_chunks:
        blocks.extend(_call_blocks(message))
    else:
        for c in message.tool_call_chunks:
            chunk: lc_types.ToolCallChunk = {
                "type": "tool_call_chunk",
                "id": c.get("id"),
                "name": c.get("name"),
                "args": c.get("args"),
            }
            if c.get("index") is not None:
                chunk["index"] = c["index"]  # type: ignore[typeddict-item]
            blocks.append(chunk)
    return blocks
